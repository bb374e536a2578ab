// Shared by the end-to-end tests: a headless Debian Chromium with WebGPU on
// (SwiftShader here), driven by playwright-core. Never a downloaded browser.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const BASE_URL = process.env.BASE_URL || 'http://127.0.0.1:8080';
const ARTEFACTS = process.env.ARTEFACTS || path.join(process.cwd(), 'target', 'e2e');

// Flags from ../shared/docs/toolchain.md: --enable-unsafe-webgpu gives the adapter;
// the networking flags keep Chromium from flooding the closed network.
function chromiumArgs({ webgpu = true } = {}) {
  const args = [
    '--no-sandbox',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    '--disable-dev-shm-usage',
  ];
  if (webgpu) args.push('--enable-unsafe-webgpu');
  return args;
}

async function launch(options = {}) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mechscope-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: chromiumArgs(options),
    viewport: { width: 1280, height: 1000 },
  });
  const close = async () => {
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  };
  return { context, close };
}

// `urlPath` with `examples=off` in its query (before any fragment): the teaching demo's
// example results would otherwise fill the panels of a plain visit.
function withoutExamples(urlPath) {
  const hash = urlPath.indexOf('#');
  const [head, fragment] = hash < 0 ? [urlPath, ''] : [urlPath.slice(0, hash), urlPath.slice(hash)];
  if (/[?&]examples=/.test(head)) return urlPath;
  return `${head}${head.includes('?') ? '&' : '?'}examples=off${fragment}`;
}

// Opens a page and records every console error and uncaught exception on it. The
// example results are left out unless `examples` is true.
async function openPage(context, urlPath = '/', { examples = false } = {}) {
  if (!examples) urlPath = withoutExamples(urlPath);
  const page = await context.newPage();
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  // A fresh profile compiles the page's wasm (tens of MB) before "load": slow on a busy CPU.
  await page.goto(BASE_URL + urlPath, { timeout: 120_000 });
  return { page, errors };
}

function screenshotPath(name) {
  fs.mkdirSync(ARTEFACTS, { recursive: true });
  return path.join(ARTEFACTS, `${name}.png`);
}

const assert = require('node:assert/strict');
const SLOW = { timeout: 900_000 };

// Clicks "Load the demo model" and waits until it is ready on the backend `shown` names.
async function loadModel(page, shown) {
  await page.locator('#load-model').click();
  await page.locator('#model-state[data-state="ready"], #model-state[data-state="failed"]').waitFor(SLOW);
  assert.match(await page.locator('#model-state').innerText(), shown);
}

// A painted chart: drawn without error, and not blank.
async function assertChartPainted(page, selector) {
  const chart = page.locator(`${selector}[data-drawn="true"]`);
  await chart.waitFor({ timeout: 10_000 });
  const inked = await chart.evaluate((canvas) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let dark = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] + data[i + 1] + data[i + 2] < 600) dark += 1;
    return dark / (data.length / 4);
  });
  assert.ok(inked > 0.005 && inked < 0.6, `${selector}: ${inked} of the pixels are inked`);
}

// The first n non-empty lines of a file, written where the browser can pick them up.
function headLines(file, n, name) {
  fs.mkdirSync(ARTEFACTS, { recursive: true });
  const out = path.join(ARTEFACTS, name);
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).slice(0, n);
  fs.writeFileSync(out, lines.join('\n') + '\n');
  return out;
}

// The URLs the local hub served since the log was last cleared; `clear` empties it.
async function hubLog(clear = false) {
  const response = await fetch(`${BASE_URL}/__hub-log${clear ? '?clear=1' : ''}`);
  assert.equal(response.status, 200);
  return response.json();
}

// Waits for a model load to end; returns its final state's name and text.
async function loaded(page) {
  const state = page.locator('#model-state');
  await page.locator('#model-state[data-state="ready"], #model-state[data-state="failed"]').waitFor(SLOW);
  return { state: await state.getAttribute('data-state'), text: await state.innerText() };
}

// The origin the local hub's `mechscope/tiny-cut` repo redirects its weights to: another
// port of the same server, so another host to the page's Content-Security-Policy.
async function hubCutOrigin() {
  const url = `${BASE_URL}/hub/mechscope/tiny-cut/resolve/main/model.safetensors`;
  const response = await fetch(url, { redirect: 'manual' });
  assert.equal(response.status, 302, 'the hub redirects tiny-cut\'s weights');
  return new URL(response.headers.get('location'), BASE_URL).origin;
}

// Lets the page contact `origins` besides its own and Hugging Face (what "Hosts the page
// may contact" stores), then reloads so the page's policy includes them.
async function allowHosts(page, origins) {
  await page.evaluate((list) => localStorage.setItem('mechscope.hosts', JSON.stringify(list)), origins);
  await page.reload({ timeout: 120_000 });
}

module.exports = {
  BASE_URL,
  ARTEFACTS,
  SLOW,
  launch,
  openPage,
  screenshotPath,
  loadModel,
  assertChartPainted,
  headLines,
  hubCutOrigin,
  allowHosts,
  hubLog,
  loaded,
};
