// The demo model runs in the page on WebGPU (SwiftShader here) and its top next tokens
// match PyTorch's (../shared/fixtures/logits_smollm2.json).
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { launch, openPage, screenshotPath } = require('./browser.cjs');

const FIXTURE = path.join(__dirname, '../../../shared/fixtures/logits_smollm2.json');
// Download, dequantisation and the first kernel compilation on a CPU-emulated GPU.
const SLOW = { timeout: 600_000 };
let browser;

before(async () => {
  browser = await launch();
});
after(async () => {
  await browser.close();
});

test('the demo model predicts the next token on WebGPU like PyTorch does', { timeout: 900_000 }, async (t) => {
  if (!fs.existsSync(FIXTURE)) {
    t.skip(`${FIXTURE} is absent (../shared is not beside the clone)`);
    return;
  }
  const reference = JSON.parse(fs.readFileSync(FIXTURE, 'utf8')).prompt_plain;
  const { page, errors } = await openPage(browser.context);
  await page.locator('#load-model').click(SLOW);
  const state = page.locator('#model-state');
  await page.locator('#model-state[data-state="ready"], #model-state[data-state="failed"]').waitFor(SLOW);
  const stateText = await state.innerText();
  assert.equal(await state.getAttribute('data-state'), 'ready', stateText);
  assert.match(stateText, /WebGPU/, 'runs on WebGPU');

  await page.locator('#prompt').fill(reference.text);
  // The forward pass still runs on the page's thread (the worker comes with the page
  // issue), so the click is acknowledged only when it is done.
  await page.locator('#predict').click(SLOW);
  await page.locator('#next-tokens tbody tr').first().waitFor(SLOW);
  const rows = await page.locator('#next-tokens tbody tr').evaluateAll((trs) =>
    trs.map((tr) => ({ id: Number(tr.dataset.id), logit: Number(tr.querySelector('[data-logit]').dataset.logit) })),
  );
  for (let i = 0; i < 5; i++) {
    const want = reference.top20[i];
    assert.equal(rows[i].id, want.id, `rank ${i}: id ${rows[i].id}, PyTorch ${want.id}`);
    assert.ok(Math.abs(rows[i].logit - want.logit) <= 2e-3, `rank ${i}: logit ${rows[i].logit} vs ${want.logit}`);
  }
  await page.screenshot({ path: screenshotPath('next-token-webgpu'), fullPage: true });
  assert.deepEqual(errors, []);
});
