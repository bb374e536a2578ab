// Shared by the page benchmarks: opens `/?bench=...` in headless Chromium, relays the
// panel's progress to stderr, and resolves with the JSON it prints into
// `#bench-result` (or rejects with `#bench-error`'s text).
'use strict';
const { launch, BASE_URL } = require('../e2e/browser.cjs');

// `query` is the page's query string without `?`; `init` (optional) is a function
// with its argument, run in the page before any of its scripts.
// BENCH_TIMEOUT_S (default two hours) bounds one page run: WebGPU on SwiftShader is slow.
const DEFAULT_TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_S || 7200) * 1000;

async function runBenchPage(query, { init, initArg, timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
  const browser = await launch();
  try {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(timeoutMs);
    const errors = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
    });
    page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
    if (init) await page.addInitScript(init, initArg);
    await page.goto(`${BASE_URL}/?${query}`);
    let last = '';
    const relay = setInterval(async () => {
      const text = await page
        .locator('#bench-progress')
        .innerText({ timeout: 1000 })
        .catch(() => '');
      if (text && text !== last) {
        last = text;
        console.error(`[${query}] ${text}`);
      }
    }, 5000);
    try {
      const done = page.locator('#bench-result, #bench-error');
      await done.waitFor({ timeout: timeoutMs });
      const text = await done.innerText();
      if ((await done.getAttribute('id')) === 'bench-error') throw new Error(text);
      if (errors.length) throw new Error(errors.join('\n'));
      return JSON.parse(text);
    } finally {
      clearInterval(relay);
    }
  } finally {
    await browser.close();
  }
}

// Runs `main` and prints what it resolves with as JSON on stdout; exits 1 on failure.
function printJson(main) {
  main()
    .then((value) => process.stdout.write(JSON.stringify(value, null, 2) + '\n'))
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}

module.exports = { runBenchPage, printJson };
