#!/usr/bin/env node
// Fails when the committed dist/ differs from a fresh synth of the current code and
// config, so a GitOps repository never receives manifests that the code does not produce.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

function listFiles(dir, base = dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? listFiles(full, base) : [path.relative(base, full)];
  });
}

const root = path.resolve(__dirname, '..');
const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'spire-mesh-dist-'));
try {
  execFileSync(process.execPath, ['--import', 'tsx', 'main.ts'], {
    cwd: root,
    env: { ...process.env, CDK8S_OUTDIR: fresh },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const committed = path.join(root, 'dist');
  const names = [...new Set([...listFiles(committed), ...listFiles(fresh)])].sort();
  const differing = names.filter((name) => {
    const a = path.join(committed, name);
    const b = path.join(fresh, name);
    return !fs.existsSync(a) || !fs.existsSync(b) || !fs.readFileSync(a).equals(fs.readFileSync(b));
  });
  if (differing.length > 0) {
    console.error(`dist/ is stale: ${differing.length} file(s) differ from a fresh synth:`);
    for (const name of differing) console.error(`  dist/${name}`);
    console.error('Run `npm run synth` and commit dist/.');
    process.exit(1);
  }
  console.log(`dist/ matches a fresh synth (${names.length} files)`);
} finally {
  fs.rmSync(fresh, { recursive: true, force: true });
}
