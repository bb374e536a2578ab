// Runs the page's formats benchmark (`?bench=formats`) in headless Chromium and prints
// its JSON on stdout, for `cargo xtask bench`.
'use strict';
const { launch, openPage } = require('../e2e/browser.cjs');

(async () => {
  const browser = await launch();
  try {
    const { page, errors } = await openPage(browser.context, '/?bench=formats');
    const done = page.locator('#bench-result, #bench-error');
    await done.waitFor({ timeout: 600_000 });
    const text = await done.innerText();
    if ((await done.getAttribute('id')) === 'bench-error') throw new Error(text);
    if (errors.length) throw new Error(errors.join('\n'));
    process.stdout.write(text + '\n');
  } finally {
    await browser.close();
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
