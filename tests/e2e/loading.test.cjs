// Loading models the ways users expect: by hub repo id (from the local hub-like server
// `cargo xtask` serves at /hub/, with a tiny seeded model our own code writes), from the
// browser's cache on a second load, by dropping files (safetensors or GGUF), and the
// faults: a corrupt file, a wrong sha256, a 404, a connection cut mid-download, a model
// too large. Without WebGPU the page runs on the CPU and says so. Cancel stops a run
// and the page answers clicks while a run goes on in the worker.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { BASE_URL, SLOW, launch, openPage, screenshotPath, hubCutOrigin, allowHosts, hubLog, loaded } = require('./browser.cjs');

const HUB = `${BASE_URL}/hub`;
const FIXTURE = process.env.HUB_FIXTURE || path.join(os.homedir(), '.cache/mechscope/hub-fixture');
const TINY = 'mechscope/tiny-llama';
const WAIT = { timeout: 120_000 };
let browser;

before(async () => {
  browser = await launch();
});
after(async () => {
  await browser.close();
});

// The keys of the page's model cache.
async function cachedUrls(page) {
  return page.evaluate(async () => {
    const cache = await caches.open('mechscope-models-v1');
    return (await cache.keys()).map((r) => r.url);
  });
}

async function lookUp(page, repo) {
  await page.locator('#tab-hub').click();
  await page.locator('#hub-repo').fill(repo);
  await page.locator('#hub-lookup').click();
  await page.locator('#fit-check, #hub-error').first().waitFor(WAIT);
}

async function predict(page) {
  await page.locator('#prompt').fill('the cat');
  await page.locator('#predict').click();
  await page.locator('#next-tokens tbody tr').first().waitFor(WAIT);
  return page.locator('#next-tokens tbody tr').count();
}

test('a hub repo loads by id with progress, then from the cache without the network', SLOW, async () => {
  const { page, errors } = await openPage(browser.context, `/?device=cpu&model_hub=${encodeURIComponent(HUB)}`);
  await hubLog(true);
  await lookUp(page, TINY);
  assert.equal(await page.locator('#fit-check').getAttribute('data-state'), 'fits');
  await page.locator('#hub-load').click();
  const first = await loaded(page);
  assert.equal(first.state, 'ready', first.text);
  assert.match(first.text, /tiny-llama/);
  const state = page.locator('#model-state');
  assert.ok(Number(await state.getAttribute('data-progress-events')) > 0, 'progress events were seen');
  assert.ok(Number(await state.getAttribute('data-downloaded-bytes')) > 0, 'bytes came over the network');
  const requested = await hubLog();
  for (const file of ['config.json', 'tokenizer.json', 'model.safetensors']) {
    assert.ok(requested.some((p) => p.endsWith(`/resolve/main/${file}`)), `${file} was downloaded: ${requested}`);
  }
  assert.equal(await predict(page), 10);
  // The choice is in the URL, so a reload restores it — from the cache alone.
  assert.match(page.url(), /model=hf%3Amechscope%2Ftiny-llama|model=hf:mechscope\/tiny-llama/);
  await page.locator('#cache-list tr[data-model]').first().waitFor(WAIT);
  await hubLog(true);
  await page.reload();
  const second = await loaded(page);
  assert.equal(second.state, 'ready', second.text);
  assert.equal(Number(await state.getAttribute('data-downloaded-bytes')), 0, second.text);
  assert.ok(Number(await state.getAttribute('data-cached-bytes')) > 0);
  assert.deepEqual(await hubLog(), [], 'no request reached the server on the second load');
  assert.match(second.text, /from the browser's cache/);
  await page.screenshot({ path: screenshotPath('load-hub-cached'), fullPage: true });
  // Deleting it from the cache section empties the cache of it.
  await page.locator(`#cache-list tr[data-model="${TINY}"] .cache-delete`).click();
  await page.locator(`#cache-list tr[data-model="${TINY}"]`).waitFor({ state: 'detached', ...WAIT });
  assert.deepEqual((await cachedUrls(page)).filter((u) => u.includes('tiny-llama/')), []);
  assert.deepEqual(errors, []);
});

test('a full browser storage: the model loads from memory and the page says it is not cached', SLOW, async () => {
  const { page, errors } = await openPage(browser.context, `/?device=cpu&model_hub=${encodeURIComponent(HUB)}`);
  await page.evaluate(() => caches.delete('mechscope-models-v1'));
  // Chromium's quota for the page's origin, through the DevTools protocol: 1 byte.
  const cdp = await browser.context.newCDPSession(page);
  const origin = new URL(BASE_URL).origin;
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 1 });
  try {
    await lookUp(page, TINY);
    await page.locator('#hub-load').click();
    const done = await loaded(page);
    assert.equal(done.state, 'ready', done.text);
    assert.match(await page.locator('#model-notices').innerText(), /storage is full, so model\.safetensors is not cached \(it still loads now\)/);
    assert.equal(await predict(page), 10);
    assert.deepEqual((await cachedUrls(page)).filter((u) => u.includes('tiny-llama/')), [], 'nothing was cached');
    await page.screenshot({ path: screenshotPath('load-quota-full'), fullPage: true });
  } finally {
    await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  }
  assert.deepEqual(errors, []);
});

test('a GGUF repo lists its files and loads the one chosen', SLOW, async () => {
  const { page, errors } = await openPage(browser.context, `/?device=cpu&model_hub=${encodeURIComponent(HUB)}`);
  await lookUp(page, `${TINY}-GGUF`);
  await page.locator('#hub-gguf input[type=radio]').first().waitFor(WAIT);
  assert.equal(await page.locator('#fit-check').getAttribute('data-state'), 'fits');
  await page.locator('#hub-load').click();
  const done = await loaded(page);
  assert.equal(done.state, 'ready', done.text);
  assert.match(page.url(), /gguf=/);
  assert.equal(await predict(page), 10);
  assert.deepEqual(errors, []);
});

test('dropped files load: safetensors with config and tokenizer, and a GGUF', SLOW, async () => {
  const { page, errors } = await openPage(browser.context, '/?device=cpu');
  await page.locator('#tab-files').click();
  const dir = path.join(FIXTURE, TINY, 'resolve/main');
  const files = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors']
    .map((f) => path.join(dir, f))
    .filter((f) => fs.existsSync(f));
  assert.ok(files.length >= 3, `the hub fixture is at ${dir}`);
  await page.locator('#model-files').setInputFiles(files);
  const hf = await loaded(page);
  assert.equal(hf.state, 'ready', hf.text);
  const hfTop = await predict(page);
  const ggufDir = path.join(FIXTURE, `${TINY}-GGUF`, 'resolve/main');
  const gguf = fs.readdirSync(ggufDir).find((f) => f.endsWith('.gguf'));
  await page.locator('#model-files').setInputFiles(path.join(ggufDir, gguf));
  await page.locator('#model-state[data-state="downloading"], #model-state[data-state="preparing"]').first().waitFor(WAIT).catch(() => {});
  const fromGguf = await loaded(page);
  assert.equal(fromGguf.state, 'ready', fromGguf.text);
  assert.match(fromGguf.text, new RegExp(gguf.replace(/\.gguf$/, '').replace(/[.]/g, '\\.')));
  assert.equal(await predict(page), hfTop);
  // A file that is not a model: a clear message, and the loaded model stays usable.
  const junk = path.join(os.tmpdir(), 'mechscope-not-a-model.gguf');
  fs.writeFileSync(junk, 'GGUF but not really');
  await page.locator('#model-files').setInputFiles(junk);
  const bad = await loaded(page);
  assert.equal(bad.state, 'failed');
  assert.match(bad.text, /GGUF/);
  // Weights and config without their tokenizer: said, with what was dropped.
  await page.locator('#model-files').setInputFiles(files.filter((f) => !f.includes('tokenizer')));
  // (The state was already "failed", from the file before: wait for this one's words.)
  const noTokenizer = page.locator('#model-state[data-state="failed"]', { hasText: 'needs tokenizer.json' });
  await noTokenizer.waitFor(WAIT);
  assert.match(await noTokenizer.innerText(), /a safetensors model needs tokenizer\.json beside its weights; dropped: .*model\.safetensors/);
  assert.deepEqual(errors, []);
});

test('faults give clear messages, leave no partial cache entry, and the page goes on', SLOW, async () => {
  const { page, errors } = await openPage(browser.context, `/?device=cpu&model_hub=${encodeURIComponent(HUB)}`);
  // tiny-cut's weights come from another port: a host the user has to allow
  // (security.test.cjs checks what happens when they have not).
  await allowHosts(page, [await hubCutOrigin()]);
  const cases = [
    ['mechscope/tiny-corrupt', /unusable|safetensors/i, 'corrupt'],
    ['mechscope/tiny-bad-sha', /corrupt: its sha256/, 'bad-sha'],
    ['mechscope/tiny-cut', /stopped after|incomplete/, 'cut'],
  ];
  for (const [repo, message, name] of cases) {
    await lookUp(page, repo);
    await page.locator('#hub-load:not([disabled])').click();
    const done = await loaded(page);
    assert.equal(done.state, 'failed', `${repo}: ${done.text}`);
    assert.match(done.text, message, repo);
    await page.screenshot({ path: screenshotPath(`load-fault-${name}`), fullPage: true });
    const weights = (await cachedUrls(page)).filter((u) => u.includes(`${repo}/`) && u.endsWith('.safetensors'));
    assert.deepEqual(weights, [], `${repo}: nothing partial was cached`);
  }
  await lookUp(page, 'mechscope/no-such-model');
  assert.match(await page.locator('#hub-error').innerText(), /not on the hub/);
  // The browser logs the 404 itself; that is the case under test, not an error.
  const is404 = (e) => /status of 404/.test(e);
  assert.equal(errors.filter(is404).length, 1);
  errors.splice(0, errors.length, ...errors.filter((e) => !is404(e)));
  await lookUp(page, 'mechscope/tiny-huge');
  const fit = page.locator('#fit-check');
  assert.equal(await fit.getAttribute('data-state'), 'refused');
  assert.match(await fit.innerText(), /GB/);
  assert.ok(await page.locator('#hub-load').isDisabled(), 'a model that does not fit cannot be loaded');
  await page.screenshot({ path: screenshotPath('load-too-large'), fullPage: true });
  // After all that, a good model still loads.
  await lookUp(page, TINY);
  await page.locator('#hub-load').click();
  const good = await loaded(page);
  assert.equal(good.state, 'ready', good.text);
  assert.deepEqual(errors, []);
});

test('without WebGPU the model runs on the CPU and the page says so', SLOW, async () => {
  const noGpu = await launch({ webgpu: false });
  try {
    const { page, errors } = await openPage(noGpu.context, `/?model_hub=${encodeURIComponent(HUB)}&model=hf:${TINY}`);
    const done = await loaded(page);
    assert.equal(done.state, 'ready', done.text);
    assert.equal(await page.locator('#model-state').getAttribute('data-backend'), 'cpu');
    assert.match(await page.locator('#model-notices').innerText(), /No WebGPU.*CPU/);
    assert.equal(await predict(page), 10);
    await page.screenshot({ path: screenshotPath('load-no-webgpu'), fullPage: true });
    assert.deepEqual(errors, []);
    // WebGPU asked for by the URL where there is none: said, and the CPU offered.
    const asked = await openPage(noGpu.context, `/?device=webgpu&model_hub=${encodeURIComponent(HUB)}&model=hf:${TINY}`);
    const refused = await loaded(asked.page);
    assert.equal(refused.state, 'failed');
    assert.match(refused.text, /WebGPU was asked for, but/);
    await asked.page.locator('#load-on-cpu').click();
    const onCpu = await loaded(asked.page);
    assert.equal(onCpu.state, 'ready', onCpu.text);
    assert.deepEqual(asked.errors, []);
  } finally {
    await noGpu.close();
  }
});

test('a run in the worker leaves the page responsive, and Cancel stops it', SLOW, async () => {
  const { page, errors } = await openPage(browser.context, '/?device=cpu&model=demo');
  const done = await loaded(page);
  assert.equal(done.state, 'ready', done.text);
  // LPP's default probes take minutes on the CPU backend.
  await page.locator('#lpp-run').click();
  const status = page.locator('#lpp-status');
  await page.locator('#lpp-status[data-state="running"]').waitFor(WAIT);
  // Another control is handled at once while the worker computes.
  await page.locator('#tab-hub').click({ timeout: 5_000 });
  assert.equal(await page.locator('#tab-hub').getAttribute('aria-selected'), 'true');
  await page.locator('#hub-repo').fill('typed while a run goes on', { timeout: 5_000 });
  assert.equal(await status.getAttribute('data-state'), 'running', 'the run is still going');
  await page.locator('#lpp-cancel').click();
  await page.locator('#lpp-status[data-state="failed"]').waitFor(WAIT);
  assert.match(await status.innerText(), /cancel/i);
  // The model is loaded and answers: still, or again when the step under way was too
  // long to wait for and the worker had to be stopped (it reloads from the cache).
  await page.locator('#model-state[data-state="ready"]').waitFor(SLOW);
  assert.equal(await predict(page), 10);
  assert.deepEqual(errors, []);
});

// A reload is the user's way out of anything: mid-download it must leave no partial
// file in the cache (the cache only takes whole, checked files), and mid-run the
// model must come back from the cache, whole, with nothing downloaded again.
test('a reload during a download or a run leaves no partial cache entry and no broken state', SLOW, async () => {
  const { page, errors } = await openPage(browser.context, '/?device=cpu');
  await page.evaluate(() => caches.delete('mechscope-models-v1'));
  const demoFile = process.env.DEMO_MODEL || path.join(os.homedir(), '.cache/mechscope/models/SmolLM2-135M-Instruct.Q4_1.gguf');
  const demoBytes = fs.statSync(demoFile).size;
  assert.ok(demoBytes > 50e6, `the demo model is served (${demoBytes} bytes)`);
  const cachedSizes = () => page.evaluate(async () => {
    const cache = await caches.open('mechscope-models-v1');
    const sizes = [];
    for (const request of await cache.keys()) {
      if (request.url.endsWith('.gguf')) sizes.push((await (await cache.match(request)).arrayBuffer()).byteLength);
    }
    return sizes;
  });

  await page.locator('#load-model').click();
  // Reload while the file is part way (the bytes seen then are recorded in the test's
  // output, so a run where the download outpaced the reload shows it).
  const partWay = await page.waitForFunction(() => {
    const d = document.querySelector('#download-overall')?.dataset;
    const received = Number(d?.received || 0);
    return received > 0 && received < Number(d.total) && received;
  }, null, WAIT);
  const seen = await partWay.jsonValue();
  await page.reload({ timeout: 120_000 });
  console.log(`# reloaded with ${seen} of ${demoBytes} bytes downloaded`);
  for (const size of await cachedSizes()) assert.equal(size, demoBytes, 'a cached model is whole');
  // `?model=demo` stayed in the URL: the reload loads it again.
  const again = await loaded(page);
  assert.equal(again.state, 'ready', again.text);
  assert.deepEqual(await cachedSizes(), [demoBytes]);

  await page.locator('#lpp-run').click();
  await page.locator('#lpp-status[data-state="running"]').waitFor(WAIT);
  await page.reload({ timeout: 120_000 });
  const afterRun = await loaded(page);
  assert.equal(afterRun.state, 'ready', afterRun.text);
  const state = page.locator('#model-state');
  assert.equal(Number(await state.getAttribute('data-downloaded-bytes')), 0, 'loaded from the cache alone');
  assert.deepEqual(await cachedSizes(), [demoBytes]);
  assert.equal(await predict(page), 10);
  assert.deepEqual(errors, []);
});

// The GPU goes away under a run (Chromium's GPU process is crashed through the DevTools
// protocol, as a driver reset would): the run stops with a message that says so, the
// page offers the CPU, and what finished before stays on the page.
test('a GPU lost during a run: a clear message, the CPU offered, finished results kept', SLOW, async (t) => {
  const { page, errors } = await openPage(
    browser.context,
    `/?device=webgpu&model_hub=${encodeURIComponent(HUB)}&model=hf:${TINY}&lpp_uncertainty=false&lpp_symbolic=false&lpp_seqs=1&lpp_seq_len=16`,
  );
  const done = await loaded(page);
  assert.equal(done.state, 'ready', done.text);
  assert.equal(await page.locator('#model-state').getAttribute('data-backend'), 'webgpu');
  const status = page.locator('#lpp-status');
  await page.locator('#lpp-run').click();
  await page.locator('#lpp-status[data-state="done"], #lpp-status[data-state="failed"]').waitFor(SLOW);
  assert.equal(await status.getAttribute('data-state'), 'done', await status.innerText());
  assert.equal(await page.locator('#lpp-runs tbody tr').count(), 1);

  // A long run, and the GPU process crashes under it.
  await page.locator('#lpp-probe-symbolic').setChecked(true);
  await page.locator('#lpp-per-level').fill('20');
  await page.locator('#lpp-run').click();
  await page.locator('#lpp-status[data-state="running"]').waitFor(WAIT);
  const cdp = await browser.context.newCDPSession(page);
  await cdp.send('Browser.crashGpuProcess').catch((e) => t.diagnostic(`crashGpuProcess: ${e.message}`));
  await page.locator('#lpp-status[data-state="failed"]').waitFor(SLOW);
  const message = await status.innerText();
  t.diagnostic(`the run's message: ${message.replace(/\s+/g, ' ')}`);
  assert.match(message, /GPU|device/i);
  const state = page.locator('#model-state');
  await page.locator('#model-state[data-state="failed"]').waitFor(WAIT);
  assert.match(await state.innerText(), /CPU/);
  // The finished run is still there.
  assert.equal(await page.locator('#lpp-runs tbody tr').count(), 1);
  await page.screenshot({ path: screenshotPath('gpu-lost'), fullPage: true });

  // The CPU takes over and the same run works.
  await page.locator('#load-on-cpu').click();
  const again = await loaded(page);
  assert.equal(again.state, 'ready', again.text);
  assert.equal(await state.getAttribute('data-backend'), 'cpu');
  await page.locator('#lpp-probe-symbolic').setChecked(false);
  await page.locator('#lpp-run').click();
  await page.locator('#lpp-status[data-state="done"], #lpp-status[data-state="failed"]').waitFor(SLOW);
  assert.equal(await status.getAttribute('data-state'), 'done', await status.innerText());
  assert.equal(await page.locator('#lpp-runs tbody tr').count(), 2);
  // What the browser itself logs about the lost GPU is expected; nothing else.
  assert.deepEqual(errors.filter((e) => !/GPU|WebGPU|device|lost|wgpu/i.test(e)), []);
});
