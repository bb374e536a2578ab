// Runs the page's LPP benchmark (`?bench=lpp`) in headless Chromium on one device and
// prints its JSON on stdout, for `cargo xtask bench`. A JSON file of token-id arrays
// (e.g. ../shared/fixtures/lpp_smollm2_wikitext.ids.json) is read here and handed to
// the page as `window.mechscopeBenchIds` before it starts; without one the page uses
// the bundled probe text.
//
//   node tests/bench/lpp.cjs cpu|webgpu [IDS.json|-] [extra query, e.g. lens=0&seqs=2]
'use strict';
const fs = require('node:fs');
const { runBenchPage, printJson } = require('./page.cjs');

const device = process.argv[2] || 'webgpu';
const idsPath = process.argv[3] && process.argv[3] !== '-' ? process.argv[3] : null;
const extra = process.argv[4] ? `&${process.argv[4]}` : '';

printJson(() => {
  const options = {};
  if (idsPath) {
    options.init = (ids) => {
      window.mechscopeBenchIds = ids;
    };
    options.initArg = fs.readFileSync(idsPath, 'utf8');
  }
  return runBenchPage(`bench=lpp&device=${device}${extra}`, options);
});
