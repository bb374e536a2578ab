// Runs the page's formats benchmark (`?bench=formats`) in headless Chromium and prints
// its JSON on stdout, for `cargo xtask bench`.
'use strict';
const { runBenchPage, printJson } = require('./page.cjs');

printJson(() => runBenchPage('bench=formats', { timeoutMs: 600_000 }));
