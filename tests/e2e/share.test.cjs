// Share links and opened reports (issue 8): a run's "Copy share link" puts its results
// into the URL's fragment; the link opened in a fresh browser, with no model loaded,
// shows the same numbers and paints every chart pixel for pixel the same. A report file
// opens the same way. A damaged link and a link from a newer version each say so,
// and the page around them keeps working.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { ARTEFACTS, SLOW, launch, openPage, screenshotPath, loadModel, assertChartPainted } = require('./browser.cjs');

const LPP_CHARTS = ['#lpp-radar', '#lpp-depth-lens', '#lpp-depth-drift', '#lpp-depth-norm', '#lpp-depth-anisotropy', '#lpp-depth-erank'];
let browser;

before(async () => {
  browser = await launch();
});
after(async () => {
  await browser.close();
});

// Every chart's pixels, as PNG data URLs (the same drawing gives the same bytes).
async function pixels(page, charts) {
  const out = {};
  for (const chart of charts) {
    await assertChartPainted(page, chart);
    out[chart] = await page.locator(chart).evaluate((canvas) => canvas.toDataURL('image/png'));
  }
  return out;
}

async function shown(page) {
  return {
    report: await page.locator('#lpp-report').textContent(),
    scalars: await page.locator('#lpp-scalars').innerText(),
    runs: await page.locator('#lpp-runs').innerText(),
  };
}

// PENDING: not yet run (see the skip reason); remove the skips once they pass.
const PENDING = 'written on a cold machine in session 9 and not yet run: the first job of session 10';

test('a share link shows the same numbers and the same pixels in a fresh browser', { ...SLOW, skip: PENDING }, async (t) => {
  const { page, errors } = await openPage(
    browser.context,
    '/?device=cpu&lpp_uncertainty=false&lpp_symbolic=false&lpp_seqs=1&lpp_seq_len=24',
  );
  await loadModel(page, /Ready on CPU/);
  await page.locator('#lpp-run').click();
  await page.locator('#lpp-status[data-state="done"], #lpp-status[data-state="failed"]').waitFor(SLOW);
  assert.equal(await page.locator('#lpp-status').getAttribute('data-state'), 'done');
  const original = await shown(page);
  const originalPixels = await pixels(page, LPP_CHARTS);

  await page.locator('#lpp-share').click();
  const link = await page.locator('#lpp-share-link').inputValue();
  t.diagnostic(`link: ${link.length} characters`);
  assert.match(link, /#ms1\.[A-Za-z0-9_-]+$/);
  fs.mkdirSync(ARTEFACTS, { recursive: true });
  fs.writeFileSync(path.join(ARTEFACTS, 'share-link.txt'), `${link}\n`);

  // A fresh browser (its own profile): no model, no cache, only the link.
  const fresh = await launch();
  try {
    const opened = await openPage(fresh.context, link.slice(link.indexOf('/', 'http://'.length)));
    await opened.page.locator('#opened-state[data-state="view"]').waitFor({ timeout: 60_000 });
    assert.match(await opened.page.locator('#opened-state').innerText(), /1 result.*share link.*SmolLM2/);
    assert.equal(await opened.page.locator('#model-state').getAttribute('data-state'), 'not-loaded');
    await opened.page.locator('#lpp-status[data-state="done"]').waitFor({ timeout: 60_000 });
    assert.deepEqual(await shown(opened.page), original);
    const openedPixels = await pixels(opened.page, LPP_CHARTS);
    for (const chart of LPP_CHARTS) {
      assert.ok(openedPixels[chart] === originalPixels[chart], `${chart}: the same pixels`);
    }
    await opened.page.screenshot({ path: screenshotPath('share-opened'), fullPage: true });
    assert.deepEqual(opened.errors, []);

    // The page's own report file opens the same way.
    const reportFile = path.join(ARTEFACTS, 'share-report.json');
    fs.writeFileSync(reportFile, original.report);
    const again = await openPage(fresh.context, '/');
    await again.page.locator('#open-report').setInputFiles(reportFile);
    await again.page.locator('#opened-state[data-state="view"]').waitFor({ timeout: 60_000 });
    await again.page.locator('#lpp-status[data-state="done"]').waitFor({ timeout: 60_000 });
    assert.equal(await again.page.locator('#lpp-report').textContent(), original.report);
  } finally {
    await fresh.close();
  }
  assert.deepEqual(errors, []);
});

test('damaged, newer and foreign links each give their message; the page still works', { skip: PENDING }, async () => {
  const cases = [
    ['#ms1.eNqrVkrOz0nNTc0rUbJSSs7PS8tMBwA', /damaged/],
    ['#ms9.eNqrVkrOz0nNTc0rUbJSSs7PS8tMBwA', /newer MechScope/],
    ['#ms1.' + 'A'.repeat(2_000_000), /too long/],
  ];
  for (const [fragment, message] of cases) {
    const { page, errors } = await openPage(browser.context, `/${fragment}`);
    await page.locator('#opened-state[data-state="failed"]').waitFor({ timeout: 60_000 });
    assert.match(await page.locator('#opened-state').innerText(), message, fragment.slice(0, 12));
    // The rest of the page is there and answers.
    await page.locator('#tab-hub').click();
    assert.equal(await page.locator('#tab-hub').getAttribute('aria-selected'), 'true');
    assert.deepEqual(errors, []);
    await page.close();
  }
  // A fragment that is not ours (an anchor) is left alone.
  const { page } = await openPage(browser.context, '/#lpp');
  assert.equal(await page.locator('#opened-state').count(), 0);
  await page.close();
});
