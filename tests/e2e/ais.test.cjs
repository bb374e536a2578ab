// AIS in the page on the CPU backend (burn flex in wasm), with the demo model: two
// abilities, a built-in benchmark and the first ARC-Easy items as a file. The run takes
// gradients on an autodiff copy of the weights, masks the loaded model, scores, and
// restores it. Checked: the budget and counts of the contract (the SmolLM2 fixture's
// N_total, N_mlp, n_sel), the unablated ARC predictions equal PyTorch's
// (../shared/fixtures/ais_smollm2.json), every report field the CLI writes is there,
// the three charts are painted, Cancel stops a run, and the model still answers after.
// (The whole pipeline against PyTorch in the browser, on CPU and WebGPU, is
// crates/metrics/tests/ais_tiny.rs in the wasm step.)
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const {
  SLOW,
  launch,
  openPage,
  screenshotPath,
  loadModel,
  assertChartPainted,
  headLines,
} = require('./browser.cjs');

const SHARED = path.join(__dirname, '../../../shared');
const FIXTURE = path.join(SHARED, 'fixtures/ais_smollm2.json');
const ARC = path.join(SHARED, 'data/benchmarks/arc_easy.jsonl');
const ARC_ITEMS = 4;
let browser;

before(async () => {
  browser = await launch();
});
after(async () => {
  await browser.close();
});

async function chooseOnly(page, prefix, names) {
  for (const box of await page.locator(`input[id^="${prefix}-"]`).all()) {
    const id = await box.getAttribute('id');
    await box.setChecked(names.includes(id.slice(prefix.length + 1)));
  }
}

async function waitForRun(page) {
  await page.locator('#ais-status[data-state="done"], #ais-status[data-state="failed"]').waitFor(SLOW);
  const status = page.locator('#ais-status');
  assert.equal(await status.getAttribute('data-state'), 'done', await status.innerText());
  return JSON.parse(await page.locator('#ais-report').textContent());
}

test('AIS on the CPU backend: contract counts, PyTorch base predictions, charts, cancel', { timeout: 1_800_000 }, async (t) => {
  for (const f of [FIXTURE, ARC]) {
    if (!fs.existsSync(f)) {
      t.skip(`${f} is absent (../shared is not beside the clone)`);
      return;
    }
  }
  const fixture = JSON.parse(fs.readFileSync(FIXTURE, 'utf8'));
  const { page, errors } = await openPage(browser.context, '/?device=cpu');
  await loadModel(page, /Ready on CPU/);

  await chooseOnly(page, 'ais-ability', ['quantitative', 'spatial']);
  await chooseOnly(page, 'ais-builtin', ['quantitative']);
  await page.locator('#ais-files').setInputFiles(headLines(ARC, ARC_ITEMS, `arc_easy_head_${ARC_ITEMS}.jsonl`));
  await page.locator('#ais details summary').first().click();
  await page.locator('#ais-items-per-ability').fill('6');
  await page.locator('#ais-items').fill(String(ARC_ITEMS));
  await page.locator('#ais-run').click(SLOW);
  const report = await waitForRun(page);

  assert.equal(report.metric, 'ais');
  assert.equal(report.backend, 'cpu');
  assert.equal(report.runs.length, 1);
  const run = report.runs[0];
  assert.equal(run.n_total, fixture.counts.N_total);
  assert.equal(run.n_mlp, fixture.counts.N_mlp);
  assert.equal(run.n_sel, fixture.counts.n_sel);
  assert.deepEqual(run.abilities.map((a) => a.name), ['quantitative', 'spatial']);
  assert.deepEqual(run.benchmarks.map((b) => b.name), ['quantitative (built-in)', `arc_easy_head_${ARC_ITEMS}.jsonl`]);
  const arc = run.benchmarks[1];
  assert.deepEqual(arc.base.pred, fixture.results.base.pred.slice(0, ARC_ITEMS));
  for (const benchmark of run.benchmarks) {
    assert.equal(benchmark.abilities.length, 2);
    for (const ablation of benchmark.abilities) {
      for (const mask of ['top', 'bottom', 'random']) {
        const scored = ablation[mask];
        assert.equal(typeof scored.acc, 'number', mask);
        assert.equal(typeof scored.acc_norm, 'number', mask);
        assert.equal(scored.pred.length, benchmark.n_items, mask);
      }
      assert.ok(['defined', 'undefined'].includes(ablation.ais.status));
    }
  }
  for (const ability of run.abilities) {
    assert.ok(ability.own_test, `${ability.name} has its own test split scored`);
    assert.equal(ability.n_train, 4);
  }
  assert.equal(run.similarity.length, 2);
  t.diagnostic(`AIS table: ${await page.locator('#ais-table').innerText()}`);
  t.diagnostic(`warnings: ${JSON.stringify(run.warnings)}`);
  for (const chart of ['#ais-radar', '#ais-heatmap', '#ais-similarity']) {
    await assertChartPainted(page, chart);
  }
  await page.screenshot({ path: screenshotPath('ais-cpu'), fullPage: true });

  // Cancel during a second run; the model is back and unablated: the next-token panel
  // still answers, and a third run gives the same base predictions.
  await page.locator('#ais-run').click(SLOW);
  await page.locator('#ais-cancel').click(SLOW);
  await page.locator('#ais-status[data-state="failed"]').waitFor(SLOW);
  assert.match(await page.locator('#ais-status').innerText(), /cancelled/);
  await page.locator('#ais-run').click(SLOW);
  const again = await waitForRun(page);
  assert.deepEqual(again.runs[0].benchmarks[1].base, arc.base);
  assert.deepEqual(errors, []);
});
