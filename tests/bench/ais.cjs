// Runs the page's AIS benchmark (`?bench=ais`) in headless Chromium on one device and
// prints its JSON on stdout, for `cargo xtask bench`. A benchmark file (e.g. ARC-Easy's
// JSONL) is read here and handed to the page as `window.mechscopeBenchItems = {name,
// text}` before it starts, so the page needs no extra route on the server; without
// one the page scores built-in long_term_knowledge items.
//
//   node tests/bench/ais.cjs cpu|webgpu [BENCHMARK.jsonl|-] [extra query, e.g. items=2]
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { runBenchPage, printJson } = require('./page.cjs');

const device = process.argv[2] || 'webgpu';
const benchmarkPath = process.argv[3] && process.argv[3] !== '-' ? process.argv[3] : null;
const extra = process.argv[4] ? `&${process.argv[4]}` : '';

printJson(() => {
  const options = {};
  if (benchmarkPath) {
    options.init = (items) => {
      window.mechscopeBenchItems = items;
    };
    options.initArg = {
      name: path.basename(benchmarkPath),
      text: fs.readFileSync(benchmarkPath, 'utf8'),
    };
  }
  return runBenchPage(`bench=ais&device=${device}${extra}`, options);
});
