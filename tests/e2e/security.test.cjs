// The page's Content-Security-Policy (web/index.html + web/src/hosts.rs): no inline
// script runs; the page and its worker contact only the page's host, Hugging Face and
// the hosts the user allowed; a link naming another host asks before anything is
// requested from it. `localhost` and `127.0.0.1` are different hosts to the browser, so
// the local server under `localhost` plays a host nobody allowed.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { BASE_URL, SLOW, launch, openPage, screenshotPath, hubLog, loaded } = require('./browser.cjs');

const WAIT = { timeout: 120_000 };
const OTHER = BASE_URL.replace('127.0.0.1', 'localhost');
const OTHER_ORIGIN = new URL(OTHER).origin;
let browser;

before(async () => {
  assert.notEqual(OTHER, BASE_URL, 'BASE_URL names 127.0.0.1, so localhost is another host');
  browser = await launch();
});
after(async () => {
  await browser.close();
});

test('the served page has its policy, no inline script, and blocks unlisted hosts', SLOW, async () => {
  const html = await (await fetch(`${BASE_URL}/`)).text();
  const scripts = [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)];
  assert.ok(scripts.length > 0);
  for (const [tag, body] of scripts) {
    assert.match(tag, /\bsrc=/, `every script is a file: ${tag}`);
    assert.equal(body.trim(), '', tag);
  }
  // With the examples: their charts measure text the way the policy must allow.
  const { page, errors } = await openPage(browser.context, '/', { examples: true });
  await page.locator('#lpp-radar[data-drawn="true"]').waitFor(WAIT);
  const policies = await page.$$eval('meta[http-equiv="Content-Security-Policy"]', (m) => m.map((e) => e.content));
  assert.equal(policies.length, 2, policies.join(' | '));
  assert.match(policies[0], /script-src 'self' 'wasm-unsafe-eval';/);
  assert.match(policies[0], /object-src 'none'/);
  assert.match(policies[1], /^connect-src 'self' https:\/\/huggingface\.co /);

  // Injected inline script does not run.
  await page.addScriptTag({ content: 'window.__injected = true;' }).catch(() => {});
  assert.equal(await page.evaluate(() => window.__injected), undefined);
  // A request to a host nobody allowed never leaves the browser.
  await hubLog(true);
  const outcome = await page.evaluate(
    (url) => fetch(url).then(() => 'fetched', (e) => `blocked: ${e}`),
    `${OTHER}/hub/api/models/mechscope/tiny-llama`,
  );
  assert.match(outcome, /^blocked/);
  assert.deepEqual(await hubLog(), [], 'the server saw no request');
  const refused = errors.filter((e) => /Content Security Policy/.test(e));
  assert.ok(refused.some((e) => /inline script/.test(e)), errors.join('\n'));
  assert.ok(refused.some((e) => e.includes(`Connecting to '${OTHER}`)), errors.join('\n'));
  assert.deepEqual(errors.filter((e) => !refused.includes(e)), []);
});

test('a link naming another host asks first; once allowed, the worker downloads from it', SLOW, async () => {
  await hubLog(true);
  const link = `/?device=cpu&model_hub=${encodeURIComponent(`${OTHER}/hub`)}&model=hf:mechscope/tiny-llama`;
  const { page, errors } = await openPage(browser.context, link);
  const ask = page.locator(`.host-request[data-host="${OTHER_ORIGIN}"]`);
  await ask.waitFor(WAIT);
  assert.match(await ask.innerText(), /fetch models from .*not among the hosts you allowed/s);
  await page.locator('#hub-error').waitFor(WAIT);
  assert.match(await page.locator('#hub-error').innerText(), /not among the hosts the page may contact/);
  assert.deepEqual(await hubLog(), [], 'nothing was requested from the unlisted host');
  await page.screenshot({ path: screenshotPath('host-request'), fullPage: true });

  // Allowing it reloads the page with the host in its policy; the model loads, and
  // its files come through the worker (which holds the same policy).
  await Promise.all([page.waitForEvent('load', WAIT), ask.locator('.allow-host').click()]);
  await page.locator('#hub-load:not([disabled])').click();
  const done = await loaded(page);
  assert.equal(done.state, 'ready', done.text);
  assert.ok((await hubLog()).some((u) => u.endsWith('/model.safetensors')), 'the weights came from the allowed host');
  assert.equal(await page.locator('.host-request').count(), 0);
  await page.locator('#hosts summary').click();
  const listed = page.locator(`#host-list li[data-host="${OTHER_ORIGIN}"]`);
  assert.equal(await listed.count(), 1);
  const policy = await page.locator('#csp-connect').getAttribute('content');
  assert.ok(policy.endsWith(` ${OTHER_ORIGIN}`), policy);

  // Removing it reloads without it: the link asks again.
  await Promise.all([page.waitForEvent('load', WAIT), listed.locator('.remove-host').click()]);
  await ask.waitFor(WAIT);
  assert.deepEqual(errors, []);
});

test('?report= and ?hub= on another host ask first too', SLOW, async () => {
  const report = `${OTHER}/public/examples/lpp.json`;
  const { page, errors } = await openPage(browser.context, `/?report=${encodeURIComponent(report)}&hub=${encodeURIComponent(`${OTHER}/hub`)}`);
  const asks = page.locator(`.host-request[data-host="${OTHER_ORIGIN}"]`);
  await asks.first().waitFor(WAIT);
  const texts = await asks.allInnerTexts();
  assert.equal(texts.length, 2, texts.join('\n'));
  assert.match(texts[0], /fetch benchmark datasets from/);
  assert.match(texts[1], /fetch a report from/);
  await page.locator('#opened-state[data-state="failed"]').waitFor(WAIT);
  assert.match(await page.locator('#opened-state').innerText(), /not among the hosts the page may contact/);
  assert.deepEqual(errors, []);
});

test('a host typed into the list is checked before it is kept', SLOW, async () => {
  const { page, errors } = await openPage(browser.context, '/');
  await page.locator('#hosts summary').click();
  await page.locator('#add-host').fill('javascript:alert(1)');
  await page.locator('#add-host-button').click();
  assert.match(await page.locator('#hosts .error').innerText(), /not an http or https address/);
  await page.locator('#add-host').fill("evil.example; script-src *");
  await page.locator('#add-host-button').click();
  assert.match(await page.locator('#hosts .error').innerText(), /does not name a host/);
  const kept = await page.evaluate(() => JSON.parse(localStorage.getItem('mechscope.hosts') || '[]'));
  assert.deepEqual(kept, []);
  assert.deepEqual(errors, []);
});

test('the worker is held to the same hosts: a redirect to an unlisted host is blocked', SLOW, async () => {
  const { page, errors } = await openPage(browser.context, `/?device=cpu&model_hub=${encodeURIComponent(`${BASE_URL}/hub`)}`);
  await page.locator('#tab-hub').click();
  await page.locator('#hub-repo').fill('mechscope/tiny-cut');
  await page.locator('#hub-lookup').click();
  await page.locator('#hub-load:not([disabled])').click();
  const done = await loaded(page);
  assert.equal(done.state, 'failed', done.text);
  // The browser names a redirected request by its first URL, not where it went.
  assert.match(done.text, /blocked the request: \S+tiny-cut\S+model\.safetensors redirected to another host, which is not among the hosts/);
  const cached = await page.evaluate(async () => {
    const cache = await caches.open('mechscope-models-v1');
    return (await cache.keys()).map((r) => r.url).filter((u) => u.endsWith('.safetensors') && u.includes('tiny-cut'));
  });
  assert.deepEqual(cached, []);
  await page.screenshot({ path: screenshotPath('worker-redirect-blocked'), fullPage: true });
  // The refusal is logged in the worker's console, which is not the page's.
  assert.deepEqual(errors, []);
});
