#!/usr/bin/env node
// Replaces dist/ with a finished synth from the staging directory. `cdk8s synth` deletes
// its output directory before it runs the app, so synthesizing straight into dist/ would
// leave it empty when the config is invalid; staging keeps dist/ as it was until the
// whole synth succeeded.
// Usage: node scripts/publish-dist.js <staging-dir> <dist-dir>
'use strict';
const fs = require('fs');
const path = require('path');

const [staging, dist] = process.argv.slice(2);
if (!staging || !dist) {
  console.error('usage: node scripts/publish-dist.js <staging-dir> <dist-dir>');
  process.exit(2);
}
if (!fs.existsSync(path.join(staging, 'meta', 'index.json'))) {
  console.error(`${staging} holds no finished synth (meta/index.json is missing); ${dist}/ left as it was`);
  process.exit(1);
}
const old = `${dist}.old`;
fs.rmSync(old, { recursive: true, force: true });
if (fs.existsSync(dist)) fs.renameSync(dist, old);
fs.renameSync(staging, dist);
fs.rmSync(old, { recursive: true, force: true });
const { steps } = JSON.parse(fs.readFileSync(path.join(dist, 'meta', 'index.json'), 'utf8'));
for (const step of steps) console.log(`  ${path.join(dist, step.file)}  (${step.tool}: ${step.description})`);
