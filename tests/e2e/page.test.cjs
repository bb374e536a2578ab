// The foundation page: it loads, finds the WebGPU adapter, reads the demo model's
// header from real bytes in wasm, and shows typed errors for broken GGUF files.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { launch, openPage, screenshotPath } = require('./browser.cjs');

// Kernel compilation and wasm start-up are slow on SwiftShader: generous waits.
const WAIT = { timeout: 60_000 };
let browser;

before(async () => {
  browser = await launch();
});
after(async () => {
  await browser.close();
});

test('page shows the adapter and the demo model read from its GGUF header', async () => {
  const { page, errors } = await openPage(browser.context);
  await page.locator('h1', { hasText: 'MechScope' }).waitFor(WAIT);

  const gpu = page.locator('#gpu-status');
  await gpu.waitFor(WAIT);
  assert.equal(await gpu.getAttribute('data-state'), 'available', await gpu.innerText());
  assert.equal(await page.locator('#gpu-vendor').innerText(), 'google');
  assert.equal(await page.locator('#gpu-architecture').innerText(), 'swiftshader');
  assert.match(await page.locator('#gpu-max-buffer').innerText(), /GiB|MiB/);

  const demo = page.locator('#demo-model .model-summary');
  await demo.waitFor(WAIT);
  const field = (name) => demo.locator(`[data-field="${name}"]`).innerText();
  assert.equal(await field('architecture'), 'llama');
  assert.equal(await field('layers'), '30');
  assert.equal(await field('width'), '576');
  assert.equal(await field('ffn-width'), '1536');
  assert.equal(await field('vocab'), '49152');
  assert.equal(await demo.getAttribute('data-parameters'), '134515008');
  const types = await demo.locator('[data-field="types"] tbody td:first-child').allInnerTexts();
  assert.deepEqual(types, ['Q4_1', 'Q8_0', 'F32']);
  // Only the header travelled, not the 93 MB of weights.
  assert.match(await field('file'), /header read from the first/);

  await page.screenshot({ path: screenshotPath('foundation-page'), fullPage: true });
  assert.deepEqual(errors, []);
});

// Broken files made from the real demo header, each with the message it must produce.
function brokenFiles() {
  const model = process.env.DEMO_MODEL;
  const fd = fs.openSync(model, 'r');
  const head = Buffer.alloc(4 << 20);
  fs.readSync(fd, head, 0, head.length, 0);
  fs.closeSync(fd);
  const wrongMagic = Buffer.from(head);
  wrongMagic.write('GGML', 0, 'latin1');
  const wrongVersion = Buffer.from(head);
  wrongVersion.writeUInt32LE(7, 4);
  return [
    { name: 'wrong-magic.gguf', buffer: wrongMagic, message: /not a GGUF file/ },
    { name: 'wrong-version.gguf', buffer: wrongVersion, message: /GGUF version 7 is not supported/ },
    { name: 'cut-in-header.gguf', buffer: head.subarray(0, 100_000), message: /file ends at byte 100000 .*truncated/ },
    // The header is whole, but the tensors it declares lie past the end of the file.
    { name: 'cut-in-data.gguf', buffer: head, message: /occupies bytes .* but the file has only 4194304 bytes/ },
  ];
}

test('broken GGUF files give a typed error on the page, and the page keeps working', async () => {
  const { page, errors } = await openPage(browser.context);
  const input = page.locator('#gguf-file');
  await input.waitFor(WAIT);
  for (const bad of brokenFiles()) {
    await input.setInputFiles({ name: bad.name, mimeType: 'application/octet-stream', buffer: bad.buffer });
    const alert = page.locator('#inspect-file .error');
    await alert.waitFor(WAIT);
    const text = await alert.innerText();
    assert.match(text, bad.message, `${bad.name}: ${text}`);
    assert.match(text, new RegExp(bad.name.replace('.', '\\.')), 'names the file');
  }
  await page.screenshot({ path: screenshotPath('broken-gguf'), fullPage: true });
  // A good file after the bad ones still works: nothing was left broken.
  // By path: Playwright caps in-memory buffers at 50 MB.
  await input.setInputFiles(process.env.DEMO_MODEL);
  await page.locator('#inspect-file .model-summary').waitFor(WAIT);
  assert.deepEqual(errors, []);
});

test('without WebGPU the page says the CPU will be used', async () => {
  const noGpu = await launch({ webgpu: false });
  try {
    const { page, errors } = await openPage(noGpu.context);
    const gpu = page.locator('#gpu-status');
    await gpu.waitFor(WAIT);
    assert.equal(await gpu.getAttribute('data-state'), 'unavailable');
    assert.match(await gpu.innerText(), /CPU/);
    await page.locator('#demo-model .model-summary').waitFor(WAIT);
    assert.deepEqual(errors, []);
  } finally {
    await noGpu.close();
  }
});

// The setup lives in the URL: a shared URL opens with the same task and options, each
// change is written back (without a reload), and a value the page cannot read falls
// back to its default instead of breaking the page.
test('task choices are restored from the URL and written back to it', async () => {
  const query = '?mui_task=facts&mui_items=7&ais_abilities=deductive,temporal&ais_k=0.002'
    + '&lpp_seqs=3&lpp_symbolic=false&prompt=Hello%20there&chat=true&ais_items=abc';
  const { page, errors } = await openPage(browser.context, `/${query}`);
  await page.locator('#mui-builtin').waitFor();
  assert.equal(await page.locator('#mui-builtin').inputValue(), 'facts');
  assert.equal(await page.locator('#mui-limit').inputValue(), '7');
  assert.equal(await page.locator('#ais-ability-deductive').isChecked(), true);
  assert.equal(await page.locator('#ais-ability-temporal').isChecked(), true);
  assert.equal(await page.locator('#ais-ability-quantitative').isChecked(), false);
  assert.equal(await page.locator('#ais-k').inputValue(), '0.002');
  assert.equal(await page.locator('#ais-items').inputValue(), '20', 'unreadable → default');
  assert.equal(await page.locator('#lpp-n-seq').inputValue(), '3');
  assert.equal(await page.locator('#lpp-probe-symbolic').isChecked(), false);
  assert.equal(await page.locator('#lpp-probe-text').isChecked(), true);
  assert.equal(await page.locator('#prompt').inputValue(), 'Hello there');
  assert.equal(await page.locator('#chat').isChecked(), true);

  // Changes go into the URL; defaults leave it. (The options are in closed <details>.)
  await page.locator('#mui-limit').evaluate((el) => { el.closest('details').open = true; });
  await page.locator('#mui-limit').fill('12');
  await page.locator('#mui-builtin').selectOption('patterns');
  await page.locator('#ais-ability-deductive').setChecked(false);
  await page.locator('#lpp-probe-symbolic').setChecked(true);
  const params = new URL(await page.evaluate(() => location.href)).searchParams;
  assert.equal(params.get('mui_items'), '12');
  assert.equal(params.get('mui_task'), 'patterns');
  assert.equal(params.get('ais_abilities'), 'temporal');
  assert.equal(params.has('lpp_symbolic'), false, 'back to the default: left out');

  // A reload restores them.
  await page.reload();
  await page.locator('#mui-builtin').waitFor();
  assert.equal(await page.locator('#mui-limit').inputValue(), '12');
  assert.equal(await page.locator('#mui-builtin').inputValue(), 'patterns');
  assert.equal(await page.locator('#ais-ability-deductive').isChecked(), false);
  assert.equal(await page.locator('#ais-ability-temporal').isChecked(), true);
  assert.deepEqual(errors, []);
});

// Keyboard only: Tab reaches every kind of control (links, tabs, buttons, inputs,
// selects, the file picker), and the model's source tabs follow the WAI-ARIA pattern.
test('every control is reachable by keyboard; the model tabs follow the arrow keys', async () => {
  const { page, errors } = await openPage(browser.context);
  await page.locator('#load-model').waitFor(WAIT);
  const focused = () => page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);
  const reached = new Set();
  for (let i = 0; i < 200; i += 1) {
    await page.keyboard.press('Tab');
    reached.add(await focused());
  }
  for (const id of ['tab-demo', 'load-model', 'prompt', 'mui-builtin', 'ais-ability-deductive', 'lpp-n-seq', 'open-report', 'SUMMARY', 'A']) {
    assert.ok(reached.has(id), `Tab reaches #${id} (reached: ${[...reached].join(' ')})`);
  }
  // A closed <details> (the options) opens with Enter on its summary, and Tab goes in.
  const options = page.locator('#mui details:has(#mui-limit) > summary');
  await options.focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('#mui-limit').isVisible(), true, 'Enter opens the options');
  let inside = false;
  for (let i = 0; i < 10 && !inside; i += 1) {
    await page.keyboard.press('Tab');
    inside = (await focused()) === 'mui-limit';
  }
  assert.ok(inside, 'Tab reaches #mui-limit once its options are open');
  // One tab stop for the tab list: the unselected tabs are reached by the arrows.
  assert.ok(!reached.has('tab-hub'), 'the unselected tabs are not Tab stops');

  await page.locator('#tab-demo').focus();
  const pick = async (key, id) => {
    await page.keyboard.press(key);
    assert.equal(await focused(), id, `${key} focuses #${id}`);
    assert.equal(await page.locator(`#${id}`).getAttribute('aria-selected'), 'true');
    assert.equal(await page.locator(`#${id}-panel`).isVisible(), true, `${key} shows #${id}-panel`);
  };
  await pick('ArrowRight', 'tab-hub');
  await pick('ArrowRight', 'tab-files');
  await pick('ArrowRight', 'tab-demo');
  await pick('ArrowLeft', 'tab-files');
  await pick('Home', 'tab-demo');
  await pick('End', 'tab-files');
  // Tab leaves the tab list into the panel it shows.
  await pick('Home', 'tab-demo');
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'load-model');
  assert.deepEqual(errors, []);
});
