// LPP in the page on the CPU backend (burn flex in wasm), with the demo model and small
// settings: the bundled probe text as 2 sequences of 64 tokens, 2 uncertainty questions
// per stratum, 1 symbolic problem per family and level. Checked: the report's shape
// (31 lens entropies for SmolLM2's 30 layers, 3 strata, 5 families × 5 levels), every
// number finite, the output entropy equal to the last lens entropy, the tables and the
// six charts painted; a second run with other settings joins the session's comparison;
// Cancel stops a run. (The metrics themselves are checked against PyTorch natively, in
// crates/metrics/tests.)
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const {
  BASE_URL,
  SLOW,
  launch,
  openPage,
  screenshotPath,
  loadModel,
  assertChartPainted,
} = require('./browser.cjs');

const SMOLLM2_LAYERS = 30;
const DEPTH_CHARTS = ['#lpp-depth-lens', '#lpp-depth-drift', '#lpp-depth-norm', '#lpp-depth-anisotropy', '#lpp-depth-erank'];
let browser;

before(async () => {
  browser = await launch();
});
after(async () => {
  await browser.close();
});

async function setCounts(page, { nSeq, seqLen, perStratum, perLevel }) {
  await page.locator('#lpp-n-seq').fill(String(nSeq));
  await page.locator('#lpp-seq-len').fill(String(seqLen));
  await page.locator('#lpp-per-stratum').fill(String(perStratum));
  await page.locator('#lpp-per-level').fill(String(perLevel));
}

async function runAndWait(page) {
  await page.locator('#lpp-run').click(SLOW);
  await page.locator('#lpp-status[data-state="done"], #lpp-status[data-state="failed"]').waitFor(SLOW);
  const status = page.locator('#lpp-status');
  assert.equal(await status.getAttribute('data-state'), 'done', await status.innerText());
  return JSON.parse(await page.locator('#lpp-report').textContent());
}

// Every element a finite number (JSON has no NaN: serde writes it as null).
function assertFiniteArray(values, name, length) {
  assert.ok(Array.isArray(values), `${name} is an array`);
  if (length !== undefined) assert.equal(values.length, length, name);
  values.forEach((v, i) => assert.ok(Number.isFinite(v), `${name}[${i}] = ${v}`));
}

function assertFinite(value, name) {
  assert.ok(Number.isFinite(value), `${name} = ${value}`);
}

test('LPP on the CPU backend: report shape, finite values, tables, charts, session, cancel', { timeout: 1_800_000 }, async (t) => {
  const { page, errors } = await openPage(browser.context, '/?device=cpu');
  let started = Date.now();
  await loadModel(page, /Ready on CPU/);
  t.diagnostic(`model loaded in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  await setCounts(page, { nSeq: 2, seqLen: 64, perStratum: 2, perLevel: 1 });
  started = Date.now();
  const report = await runAndWait(page);
  t.diagnostic(`first run (text 2×64, 6 uncertainty items, 25 symbolic problems): ${((Date.now() - started) / 1000).toFixed(1)} s`);

  assert.equal(report.metric, 'lpp');
  assert.equal(report.backend, 'cpu');
  assert.equal(report.model.n_layers, SMOLLM2_LAYERS);
  assert.deepEqual(report.settings.probes, { text: true, uncertainty: true, symbolic: true });
  assert.equal(report.settings.n_seq, 2);
  assert.equal(report.settings.seq_len, 64);
  assert.match(report.task.spec, /bundled probe text/);
  assert.equal(report.task.n_items, 2 + 6 + 25);

  // The latent metrics: one value per layer 0..=L, L per transition.
  const text = report.text;
  assert.equal(text.n_sequences, 2);
  assert.equal(text.n_positions, 128);
  assert.equal(text.n_predictions, 126);
  assert.equal(text.d_model, report.model.d_model);
  const layers = SMOLLM2_LAYERS + 1;
  for (const name of ['logit_lens_entropy', 'hidden_norm', 'massive_activation_ratio', 'anisotropy', 'effective_rank', 'effective_rank_frac']) {
    assertFiniteArray(text[name], `text.${name}`, layers);
  }
  assertFiniteArray(text.layer_drift, 'text.layer_drift', SMOLLM2_LAYERS);
  for (const name of ['output_entropy', 'adaptability', 'nll', 'perplexity', 'logit_lens_area']) {
    assertFinite(text[name], `text.${name}`);
  }
  assert.ok(text.commit_depth === null || (text.commit_depth >= 0 && text.commit_depth <= 1), `commit depth ${text.commit_depth}`);
  assert.equal(text.output_entropy, text.logit_lens_entropy[SMOLLM2_LAYERS]);
  assert.ok(text.output_entropy > 0 && text.output_entropy < 1, `output entropy ${text.output_entropy}`);
  assert.ok(text.perplexity > 1, `perplexity ${text.perplexity}`);
  assert.ok(Math.abs(text.perplexity - Math.exp(text.nll)) <= 1e-9 * text.perplexity);
  for (const [name, values] of Object.entries(text.on_depth)) {
    assertFiniteArray(values, `text.on_depth.${name}`, 21);
  }
  assert.equal(text.on_depth.depth[20], 1);
  t.diagnostic(`output entropy ${text.output_entropy.toFixed(3)}, perplexity ${text.perplexity.toFixed(2)}, adaptability ${text.adaptability.toFixed(3)}, commit depth ${text.commit_depth}`);

  // The uncertainty probe: three strata of two items, probabilities over four options.
  const u = report.uncertainty;
  assert.deepEqual(u.strata.map((s) => s.stratum), ['determinate', 'random', 'unanswerable']);
  for (const s of u.strata) {
    assert.equal(s.n, 2, s.stratum);
    assert.ok(s.mean_entropy >= 0 && s.mean_entropy <= 1, `${s.stratum} entropy ${s.mean_entropy}`);
  }
  assert.equal(u.items.length, 6);
  for (const item of u.items) {
    assertFiniteArray(item.probabilities, `${item.stratum} probabilities`, 4);
    assert.ok(Math.abs(item.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  }
  for (const name of ['kl_to_uniform_random', 'determinate_accuracy', 'ece', 'brier', 'entropy_auroc']) {
    assertFinite(u[name], `uncertainty.${name}`);
  }

  // The symbolic probe: five families at five levels, one problem each.
  const s = report.symbolic;
  assert.equal(s.families.length, 5);
  for (const family of s.families) {
    assert.deepEqual(family.levels.map((l) => l.level), [1, 2, 3, 4, 5], family.family);
    for (const level of family.levels) {
      assert.equal(level.n, 1);
      assert.ok([0, 1].includes(level.accuracy), `${family.family} level ${level.level}: ${level.accuracy}`);
    }
    assert.ok(['below_at_start', 'at', 'never'].includes(family.crossing.crossing), JSON.stringify(family.crossing));
  }
  assert.equal(s.items.length, 25);
  assertFinite(s.accuracy, 'symbolic.accuracy');
  assert.equal(await page.locator('#lpp-symbolic-responses tbody tr').count(), 25);

  // The profile: each axis in [0, 1] with its range.
  assert.ok(report.profile.length >= 6, `${report.profile.length} axes`);
  for (const axis of report.profile) {
    assertFinite(axis.value, axis.name);
    assert.ok(axis.normalised >= 0 && axis.normalised <= 1, `${axis.name} ${axis.normalised}`);
    assert.equal(axis.range.length, 2);
  }

  // The tables and the charts.
  assert.equal(await page.locator('#lpp-scalars tbody tr').count(), 5);
  assert.equal(await page.locator('#lpp-uncertainty tbody tr').count(), 3);
  assert.equal(await page.locator('#lpp-symbolic tbody tr').count(), 5);
  assert.match(await page.locator('#lpp-auroc').innerText(), /AUROC/);
  t.diagnostic(`symbolic: ${(await page.locator('#lpp-symbolic').innerText()).replace(/\s+/g, ' ')}`);
  for (const chart of ['#lpp-radar', ...DEPTH_CHARTS]) {
    await assertChartPainted(page, chart);
  }
  // The report beside the screenshots, to read what the model answered.
  fs.writeFileSync(screenshotPath('lpp-cpu').replace(/\.png$/, '.report.json'), JSON.stringify(report, null, 1));
  await page.screenshot({ path: screenshotPath('lpp-cpu'), fullPage: true });
  await page.locator('#lpp').screenshot({ path: screenshotPath('lpp-cpu-panel') });

  // A second run with other settings joins the session: both are on every depth chart.
  await page.locator('#lpp-probe-uncertainty').setChecked(false);
  await page.locator('#lpp-probe-symbolic').setChecked(false);
  await setCounts(page, { nSeq: 1, seqLen: 96, perStratum: 2, perLevel: 1 });
  started = Date.now();
  const second = await runAndWait(page);
  t.diagnostic(`second run (text 1×96 only): ${((Date.now() - started) / 1000).toFixed(1)} s`);
  assert.equal(second.uncertainty, null);
  assert.equal(second.symbolic, null);
  assert.equal(second.text.n_positions, 96);
  assert.equal(await page.locator('#lpp-runs tbody tr').count(), 2);
  for (const chart of DEPTH_CHARTS) {
    await assertChartPainted(page, chart);
    const label = await page.locator(chart).getAttribute('aria-label');
    assert.match(label, /#1 SmolLM2.*· 2×64/, chart);
    assert.match(label, /#2 SmolLM2.*· 1×96/, chart);
  }
  await assertChartPainted(page, '#lpp-radar');
    await page.screenshot({ path: screenshotPath('lpp-session'), fullPage: true });

  // Cancel during a long run (every probe, the default item counts; short sequences,
  // so that each step, and the wait for Cancel to be read, is short): the status says
  // so, and the session keeps its two runs.
  await page.locator('#lpp-probe-uncertainty').setChecked(true);
  await page.locator('#lpp-probe-symbolic').setChecked(true);
  await setCounts(page, { nSeq: 8, seqLen: 64, perStratum: 20, perLevel: 4 });
  // The run holds the page's thread between its steps (seconds each) and a playwright
  // click needs several round trips to the page, each served only at a step's end. So
  // the page itself watches for Cancel to be enabled and clicks it at the first pause,
  // as a user's click would be delivered.
  started = Date.now();
  await page.locator('#lpp-run').click(SLOW);
  await page.evaluate(() => new Promise((resolve) => {
    const tick = () => {
      const cancel = document.querySelector('#lpp-cancel');
      if (cancel && !cancel.disabled) {
        cancel.click();
        resolve();
      } else {
        setTimeout(tick, 5);
      }
    };
    tick();
  }));
  await page.locator('#lpp-status[data-state="failed"]').waitFor(SLOW);
  t.diagnostic(`cancelled after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  assert.match(await page.locator('#lpp-status').innerText(), /cancelled/);
  assert.equal(await page.locator('#lpp-runs tbody tr').count(), 2);
  assert.deepEqual(errors, []);
});

// Comparing models: the demo (30 layers) and the tiny seeded llama from the local
// hub-like server (another depth) run the same probe text, and both land on every
// per-depth chart on the common axis l/L, and in the session's table.
test('LPP overlays two models of different depth on relative depth', { timeout: 1_200_000 }, async (t) => {
  const hub = `${BASE_URL}/hub`;
  const { page, errors } = await openPage(browser.context, `/?device=cpu&model_hub=${encodeURIComponent(hub)}&lpp_uncertainty=false&lpp_symbolic=false`);
  await loadModel(page, /Ready on CPU/);
  await setCounts(page, { nSeq: 1, seqLen: 32, perStratum: 2, perLevel: 1 });
  const demo = await runAndWait(page);

  await page.locator('#tab-hub').click();
  await page.locator('#hub-repo').fill('mechscope/tiny-llama');
  await page.locator('#hub-lookup').click();
  await page.locator('#hub-load').click(SLOW);
  await page.locator('#model-state[data-state="ready"]').waitFor(SLOW);
  assert.match(await page.locator('#model-state').innerText(), /tiny-llama/);
  const tiny = await runAndWait(page);
  t.diagnostic(`layers: demo ${demo.model.n_layers}, tiny ${tiny.model.n_layers}`);
  assert.notEqual(tiny.model.n_layers, demo.model.n_layers);
  assert.equal(tiny.text.logit_lens_entropy.length, tiny.model.n_layers + 1);
  // Both profiles are on the same 21-point grid of relative depth.
  assert.deepEqual(tiny.text.on_depth.depth, demo.text.on_depth.depth);

  const rows = await page.locator('#lpp-runs tbody tr').allInnerTexts();
  assert.equal(rows.length, 2);
  assert.match(rows[0], /SmolLM2/);
  assert.match(rows[1], /tiny-llama/);
  for (const chart of DEPTH_CHARTS) {
    await assertChartPainted(page, chart);
    const label = await page.locator(chart).getAttribute('aria-label');
    assert.match(label, /#1 SmolLM2[^;]*: .* at 0, .* at 1(;|$)/, chart);
    assert.match(label, /#2 [^;]*tiny-llama[^;]*: .* at 0, .* at 1$/, chart);
  }
  await assertChartPainted(page, '#lpp-radar');
  await page.locator('#lpp').screenshot({ path: screenshotPath('lpp-two-models') });
  assert.deepEqual(errors, []);
});
