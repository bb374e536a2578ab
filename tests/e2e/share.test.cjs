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

// `a` and `b` hold the same structure, and numbers equal to within one ulp or so.
function assertSameNumbers(a, b, where) {
  if (typeof a === 'number' && typeof b === 'number') {
    assert.ok(a === b || Math.abs(a - b) <= 4e-16 * Math.max(Math.abs(a), Math.abs(b)), `${where}: ${a} vs ${b}`);
  } else if (Array.isArray(a) && Array.isArray(b)) {
    assert.equal(a.length, b.length, `${where}: length`);
    a.forEach((v, i) => assertSameNumbers(v, b[i], `${where}[${i}]`));
  } else if (a && b && typeof a === 'object' && typeof b === 'object') {
    assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort(), `${where}: keys`);
    for (const k of Object.keys(a)) assertSameNumbers(a[k], b[k], `${where}.${k}`);
  } else {
    assert.equal(a, b, where);
  }
}

// Reads a PNG's size from its IHDR chunk.
function pngSize(bytes) {
  assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

// Chromium drops an 11th download started within one second of ten others (a limit on
// pages that spray downloads); the export check clicks twelve links back to back.
const recentDownloads = [];
async function underDownloadLimit(page) {
  const windowMs = 1100;
  if (recentDownloads.length >= 10) {
    const wait = recentDownloads[recentDownloads.length - 10] + windowMs - Date.now();
    if (wait > 0) await page.waitForTimeout(wait);
  }
  recentDownloads.push(Date.now());
}

// What clicking the link `selector` downloads: its suggested name and its bytes.
async function download(page, selector) {
  await underDownloadLimit(page);
  const [file] = await Promise.all([page.waitForEvent('download'), page.locator(selector).click()]);
  const bytes = fs.readFileSync(await file.path());
  fs.writeFileSync(path.join(ARTEFACTS, `export-${file.suggestedFilename()}`), bytes);
  return { name: file.suggestedFilename(), bytes };
}

// Minimal RFC 4180 reader (quoted fields, doubled quotes), enough to read back our CSV.
function readCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 1; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i += 1;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

// Every export of the LPP view: each chart as PNG (the canvas's own pixels and size) and
// SVG (the chart's CSS size, with its text), the tables as CSV that read back to the
// numbers shown, and the report as JSON of the current schema.
async function checkExports(t, page) {
  fs.mkdirSync(ARTEFACTS, { recursive: true });
  for (const chart of LPP_CHARTS) {
    const canvas = await page.locator(chart).evaluate((c) => ({ width: c.width, height: c.height, css: c.style.maxWidth, ratio: c.style.aspectRatio }));
    const png = await download(page, `${chart}-png`);
    assert.equal(png.name, `${chart.slice(1)}.png`);
    assert.deepEqual(pngSize(png.bytes), { width: canvas.width, height: canvas.height }, `${chart} PNG size`);
    const svg = await download(page, `${chart}-svg`);
    const text = svg.bytes.toString('utf8');
    const [cssWidth, cssHeight] = canvas.ratio.split('/').map((v) => v.trim());
    assert.match(text, new RegExp(`^<svg[^>]* width="${cssWidth}" height="${cssHeight}"`), `${chart} SVG size`);
    assert.match(text, /<text[^>]*>[^<]+<\/text>/, `${chart} SVG has its labels`);
    assert.match(text, /<\/svg>\s*$/);
  }
  await page.locator('#lpp-profile-table').evaluate((table) => { table.closest('details').open = true; });
  const shownRows = await page.locator('#lpp-profile-table').evaluate((table) =>
    [...table.querySelectorAll('tr')].map((tr) => [...tr.cells].map((td) => td.getAttribute('title') ?? td.innerText)));
  const csv = readCsv((await download(page, '#lpp-profile-table-csv')).bytes.toString('utf8'));
  assert.deepEqual(csv[0], shownRows[0], 'CSV header = table header');
  assert.equal(csv.length, shownRows.length, 'one CSV row per table row');
  for (let r = 1; r < csv.length; r += 1) {
    for (let c = 0; c < csv[r].length; c += 1) {
      const [a, b] = [csv[r][c], shownRows[r][c]];
      if (b === '—') assert.equal(a, '', `row ${r} col ${c}: empty`);
      else if (Number.isFinite(Number(b))) assert.equal(Number(a), Number(b), `row ${r} col ${c}`);
      else assert.equal(a.replace(/^'/, ''), b, `row ${r} col ${c}`);
    }
  }
  const report = JSON.parse(await page.locator('#lpp-report').textContent());
  assert.equal(report.schema_version, 1);
  assert.ok(report.model && report.task && report.backend, 'the report says what ran');
  t.diagnostic(`exports checked: ${LPP_CHARTS.length} charts × PNG + SVG, ${csv.length - 1} CSV rows`);
}

test('a share link shows the same numbers and the same pixels in a fresh browser', SLOW, async (t) => {
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
  await checkExports(t, page);

  await page.locator('#lpp-share').click();
  const link = await page.locator('#lpp-share-link').inputValue();
  t.diagnostic(`link: ${link.length} characters`);
  assert.match(link, /#ms1\.[A-Za-z0-9_-]+$/);
  assert.doesNotMatch(link, /[?&](model|gguf|examples)=/, 'a link for viewing starts no download');
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
    const reopened = await again.page.locator('#lpp-report').textContent();
    fs.writeFileSync(path.join(ARTEFACTS, 'share-report-reopened.json'), reopened);
    // The same numbers on the page. (The JSON read back may differ in the last bit of a
    // float: serde_json's default reader rounds some 17-digit values by one ulp; the
    // share link carries such values exactly, a report file does not yet.)
    const againShown = await shown(again.page);
    assert.equal(againShown.scalars, original.scalars);
    assertSameNumbers(JSON.parse(reopened), JSON.parse(original.report), 'report');
  } finally {
    await fresh.close();
  }
  assert.deepEqual(errors, []);
});

// A session with more runs than the charts show (4): the link carries the last four,
// and they keep their numbers, so the opened legend and pixels are the original's.
test('a link of the last runs of a longer session keeps their numbers', async () => {
  // The example without its probes' items, so that four fit a link (32 KB).
  const example = JSON.parse(fs.readFileSync(path.join(__dirname, '../../public/examples/lpp.json'), 'utf8'));
  delete example.uncertainty;
  delete example.symbolic;
  const file = path.join(ARTEFACTS, 'six-lpp-runs.json');
  fs.mkdirSync(ARTEFACTS, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(Array(6).fill(example)));
  const { page, errors } = await openPage(browser.context, '/');
  await page.locator('#open-report').setInputFiles(file);
  await page.locator('#lpp-status[data-state="done"]').waitFor({ timeout: 60_000 });
  assert.match(await page.locator('#lpp-runs').innerText(), /#1 [\s\S]*#6 /);
  assert.match(await page.locator('.lpp-left-out').innerText(), /the last 4 of 6 runs/);
  const legend = await page.locator('#lpp-radar').getAttribute('aria-label');
  assert.match(legend, /^LPP profile radar: #3 .*; #4 .*; #5 .*; #6 /);
  const original = await pixels(page, LPP_CHARTS);

  await page.locator('#lpp-share').click();
  const link = await page.locator('#lpp-share-link').inputValue();
  const opened = await openPage(browser.context, link.slice(link.indexOf('/', 'http://'.length)));
  await opened.page.locator('#lpp-status[data-state="done"]').waitFor({ timeout: 60_000 });
  assert.match(await opened.page.locator('#opened-state').innerText(), /4 results opened from a share link \(SmolLM2-135M-Instruct\.Q4_1\)\./);
  assert.equal(await opened.page.locator('#lpp-radar').getAttribute('aria-label'), legend);
  assert.match(await opened.page.locator('#lpp-runs').innerText(), /^(?![\s\S]*#[12] )[\s\S]*#3 [\s\S]*#6 /);
  const openedPixels = await pixels(opened.page, LPP_CHARTS);
  for (const chart of LPP_CHARTS) assert.ok(openedPixels[chart] === original[chart], `${chart}: the same pixels`);
  assert.deepEqual(errors, []);
  assert.deepEqual(opened.errors, []);
  await opened.page.close();
  await page.close();
});

test('damaged, newer and foreign links each give their message; the page still works', async () => {
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

// The teaching demo: a plain visit shows the example reports (made by the CLI on the
// demo model, public/examples/) at once, with no model loaded, every chart painted and
// explained, and the numbers the CLI wrote.
const EXAMPLES_DIR = path.join(__dirname, '../../public/examples');
const EXAMPLE_CHARTS = {
  LPP: LPP_CHARTS,
  MUI: ['#mui-layers', '#mui-law'],
  AIS: ['#ais-radar', '#ais-heatmap', '#ais-similarity'],
};

test('a plain visit shows the example results at once, every chart explained', async () => {
  const example = (name) => JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, name), 'utf8'));
  // The page's EXAMPLES (web/src/share.rs).
  const metrics = ['LPP', 'MUI', 'AIS'];
  const { page, errors } = await openPage(browser.context, '/', { examples: true });
  await page.locator('#opened-state[data-origin="examples"]').waitFor({ timeout: 60_000 });
  assert.match(await page.locator('#opened-state').innerText(), new RegExp(`Example results: ${metrics.join(', ')} made by the MechScope command line on the demo model`));
  assert.equal(await page.locator('#model-state').getAttribute('data-state'), 'not-loaded');
  await page.locator('#lpp-status[data-state="done"]').waitFor({ timeout: 60_000 });
  for (const chart of metrics.flatMap((m) => EXAMPLE_CHARTS[m])) {
    await assertChartPainted(page, chart);
    const explain = page.locator(`${chart}-explain`);
    assert.equal(await explain.count(), 1, `${chart} is explained`);
    await explain.locator('summary').click();
    assert.ok((await explain.innerText()).length > 150, `${chart}: a real explanation`);
    assert.match(await explain.locator('a').getAttribute('href'), /^https:\/\/arxiv\.org\/abs\/\d{4}\.\d{5}$/);
  }

  // The page shows the numbers the CLI wrote.
  const lpp = example('lpp.json');
  const scalars = await page.locator('#lpp-scalars').innerText();
  assert.match(scalars, new RegExp(`output entropy\\s+${lpp.text.output_entropy.toFixed(3)}`));
  assert.match(scalars, new RegExp(`perplexity\\s+${lpp.text.perplexity.toFixed(2)}`));
  const mui = example('mui.json');
  const shownMui = Number(await page.locator('#mui-result').getAttribute('data-mui'));
  assert.ok(Math.abs(shownMui - mui.mui) <= 1e-15, `MUI ${shownMui} vs the CLI's ${mui.mui}`);
  assert.equal(await page.locator('#mui-result').getAttribute('data-union'), String(mui.union_size));
  const [ais] = example('ais.json').runs;
  const rows = await page.locator('#ais-table tbody tr').allInnerTexts();
  assert.equal(rows.length, ais.benchmarks.length);
  ais.benchmarks.forEach((b, i) => assert.match(rows[i], new RegExp(`^${b.name.replace(/[.]/g, '\\.')}\\s+${b.base.acc.toFixed(3)}`)));
  await page.screenshot({ path: screenshotPath('teaching-examples'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();

  // "Start without the examples" leaves them out.
  const plain = await openPage(browser.context, '/', { examples: true });
  await plain.page.locator('#hide-examples').click();
  await plain.page.waitForURL(/examples=off/);
  await plain.page.locator('#lpp-run').waitFor();
  assert.equal(await plain.page.locator('#opened-state').count(), 0);
  await plain.page.close();
});
