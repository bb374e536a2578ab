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

// Opens a page and records every console error and uncaught exception on it.
async function openPage(context, urlPath = '/') {
  const page = await context.newPage();
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  await page.goto(BASE_URL + urlPath);
  return { page, errors };
}

function screenshotPath(name) {
  fs.mkdirSync(ARTEFACTS, { recursive: true });
  return path.join(ARTEFACTS, `${name}.png`);
}

module.exports = { BASE_URL, ARTEFACTS, launch, openPage, screenshotPath };
