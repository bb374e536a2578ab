// Runs the page's traced-forward benchmark (`?bench=forward`) in headless Chromium on
// one device and prints its JSON on stdout, for `cargo xtask bench`.
//
//   node tests/bench/forward.cjs cpu|webgpu [extra query, e.g. tokens=128&repeats=3]
'use strict';
const { runBenchPage, printJson } = require('./page.cjs');

const device = process.argv[2] || 'webgpu';
const extra = process.argv[3] ? `&${process.argv[3]}` : '';
printJson(() => runBenchPage(`bench=forward&device=${device}${extra}`));
