// Runs the page's MUI benchmark (`?bench=mui`) in headless Chromium on one device and
// prints its JSON on stdout, for `cargo xtask bench`. The recorded responses (JSONL)
// are read here and handed to the page as `window.mechscopeBenchResponses` before it
// starts, so the page needs no extra route on the server.
//
//   node tests/bench/mui.cjs cpu|webgpu [RESPONSES.jsonl|-] [extra query]
'use strict';
const fs = require('node:fs');
const { runBenchPage, printJson } = require('./page.cjs');

const device = process.argv[2] || 'webgpu';
const responsesPath = process.argv[3] && process.argv[3] !== '-' ? process.argv[3] : null;
const extra = process.argv[4] ? `&${process.argv[4]}` : '';

printJson(() => {
  const options = {};
  if (responsesPath) {
    options.init = (text) => {
      window.mechscopeBenchResponses = text;
    };
    options.initArg = fs.readFileSync(responsesPath, 'utf8');
  }
  return runBenchPage(`bench=mui&device=${device}${extra}`, options);
});
