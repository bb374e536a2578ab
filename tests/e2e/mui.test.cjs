// MUI in the page. Recorded ARC-Easy responses with k = 15 must give PyTorch's neuron
// sets (../shared/fixtures/mui_smollm2_arc.json): five samples on the CPU backend
// (`?device=cpu`, burn flex in wasm) and one on WebGPU (SwiftShader here, minutes per
// sample). The accuracy of those responses is scored against the task file, the
// per-layer chart and the Utility-Law chart are painted, and a second run (a built-in
// task, gold answers) joins the first as a second law point.
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
  headLines: head,
} = require('./browser.cjs');

const SHARED = path.join(__dirname, '../../../shared');
const FIXTURE = path.join(SHARED, 'fixtures/mui_smollm2_arc.json');
const RESPONSES = path.join(SHARED, 'fixtures/mui_smollm2_arc.responses.jsonl');
const ARC = path.join(SHARED, 'data/benchmarks/arc_easy.jsonl');
// Samples scored on WebGPU: SwiftShader takes about 100 s for the first (kernel
// compilation included), so the suite runs one; MUI_WEBGPU_SAMPLES=5 checks five.
const WEBGPU_SAMPLES = Number(process.env.MUI_WEBGPU_SAMPLES || 1);
let browser;

before(async () => {
  browser = await launch();
});
after(async () => {
  await browser.close();
});

function sharedFilesOrSkip(t) {
  for (const f of [FIXTURE, RESPONSES, ARC]) {
    if (!fs.existsSync(f)) {
      t.skip(`${f} is absent (../shared is not beside the clone)`);
      return false;
    }
  }
  return true;
}

async function runAndWait(page) {
  // The run holds the page's thread (the worker comes with the page issue), so the
  // click is acknowledged only when the run yields.
  await page.locator('#mui-run').click(SLOW);
  await page.locator('#mui-status[data-state="done"], #mui-status[data-state="failed"]').waitFor(SLOW);
  const status = page.locator('#mui-status');
  assert.equal(await status.getAttribute('data-state'), 'done', await status.innerText());
  return JSON.parse(await page.locator('#mui-report').textContent());
}

// Recorded responses of the first n ARC-Easy items, k = 15.
async function runRecorded(page, n) {
  await page.locator('#mui-file').setInputFiles(head(ARC, n, `arc_easy_head_${n}.jsonl`));
  await page.locator('#mui-source-file').check();
  await page.locator('#mui details summary').first().click();
  await page.locator('#mui-limit').fill(String(n));
  await page.locator('#mui-k').fill('15');
  await page.locator('#mui-responses').setInputFiles(head(RESPONSES, n, `mui_responses_head_${n}.jsonl`));
  return runAndWait(page);
}

// Every layer set equals PyTorch's, except where PyTorch's own 15th and 16th scores
// are closer than 1e-4 (float noise decides those). Returns the number of such ties.
function assertNeuronSetsMatch(report, fixture, n) {
  assert.equal(report.k, 15);
  assert.equal(report.per_sample_layer_sets.length, n);
  let nearTies = 0;
  for (let s = 0; s < n; s++) {
    for (let l = 0; l < 30; l++) {
      const want = fixture.samples[s].layers[l];
      const got = report.per_sample_layer_sets[s][l];
      if (JSON.stringify(got) !== JSON.stringify(want.neurons_k15)) {
        assert.ok(want.gap_k15 < 1e-4, `sample ${s} layer ${l}: ${got} vs PyTorch ${want.neurons_k15} (gap ${want.gap_k15})`);
        nearTies += 1;
      }
    }
  }
  return nearTies;
}

test('MUI on the CPU backend matches PyTorch for k = 15; charts and the law table', { timeout: 1_800_000 }, async (t) => {
  if (!sharedFilesOrSkip(t)) return;
  const N = 5;
  const fixture = JSON.parse(fs.readFileSync(FIXTURE, 'utf8'));
  const { page, errors } = await openPage(browser.context, '/?device=cpu');
  await loadModel(page, /Ready on CPU/);

  const report = await runRecorded(page, N);
  assert.equal(report.backend, 'cpu');
  t.diagnostic(`${assertNeuronSetsMatch(report, fixture, N)} near-tie differences of ${N * 30}`);
  const wantCorrect = fixture.samples.slice(0, N).filter((s) => s.correct).length;
  assert.equal(report.accuracy.n_correct, wantCorrect);
  assert.equal(report.accuracy.n_items, N);
  assert.ok(report.mui > 0 && report.mui <= Math.min(1, (N * 15) / 1536));

  // The per-layer chart: painted, and its description lists every layer's union.
  await assertChartPainted(page, '#mui-layers');
  const label = await page.locator('#mui-layers').getAttribute('aria-label');
  const counts = [...label.matchAll(/layer (\d+) (\d+)/g)].map((m) => Number(m[2]));
  assert.deepEqual(counts, report.union_per_layer);
  await page.screenshot({ path: screenshotPath('mui-cpu'), fullPage: true });

  // A second run, a built-in task with gold answers, becomes a second law point.
  await page.locator('#mui-responses').setInputFiles([]);
  await page.locator('#mui-source-builtin').check();
  await page.locator('#mui-gold').check();
  await page.locator('#mui-limit').fill('3');
  const second = await runAndWait(page);
  assert.equal(second.task.spec, 'arithmetic');
  assert.deepEqual(second.settings.response, { source: 'gold' });
  assert.equal(await page.locator('#mui-points tbody tr').count(), 2);
  assert.match(await page.locator('#mui-fit').innerText(), /MUI = /);
  await assertChartPainted(page, '#mui-law');
  await page.screenshot({ path: screenshotPath('mui-law'), fullPage: true });
  assert.deepEqual(errors, []);
});

test(`MUI on WebGPU matches PyTorch for k = 15 on ${WEBGPU_SAMPLES} recorded response(s)`, { timeout: 3_600_000 }, async (t) => {
  if (!sharedFilesOrSkip(t)) return;
  const fixture = JSON.parse(fs.readFileSync(FIXTURE, 'utf8'));
  const { page, errors } = await openPage(browser.context);
  await loadModel(page, /Ready on WebGPU/);
  const report = await runRecorded(page, WEBGPU_SAMPLES);
  assert.equal(report.backend, 'webgpu');
  const ties = assertNeuronSetsMatch(report, fixture, WEBGPU_SAMPLES);
  t.diagnostic(`${ties} near-tie differences of ${WEBGPU_SAMPLES * 30}`);
  t.diagnostic(`scoring took ${report.timings.scoring_s.toFixed(1)} s`);
  await assertChartPainted(page, '#mui-layers');
  assert.deepEqual(errors, []);
});
