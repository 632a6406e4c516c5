#!/usr/bin/env node
// The build (`npm run build`, run by `npm ci` through `prepare`, and by `npm run synth` and
// `npm test` first): `tsc --build tsconfig.build.json` into build/, then the non-TypeScript
// files of lib/ (register-entries.sh, read beside its module at run time) copied next to the
// JavaScript, and the starter dist/ of `spire-mesh init` synthesized. When no input is newer than the last build it stops after a stat of the inputs
// (~5 ms): loading the compiler only to find nothing to do costs ~200 ms, a fifth of
// `npm run synth` (see `npm run bench`).
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const config = path.join(root, 'tsconfig.build.json');
const out = path.join(root, 'build');
const buildInfo = path.join(out, 'tsconfig.build.tsbuildinfo');
/** What tsconfig.build.json includes, and what decides how it compiles. */
const INPUTS = ['main.ts', 'lib', 'imports', 'examples', 'bench', 'templates', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];
/** The mesh repository `spire-mesh init` writes, and where its dist/ is synthesized (shipped in the package). */
const TEMPLATE = path.join(root, 'templates', 'mesh-repo');
const STARTER_DIST = path.join(out, 'templates', 'mesh-repo', 'dist');

/** The newest modification time among `file` and, for a folder, everything in it (folders too: a removed file changes its folder). */
function newest(file) {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let max = stat.mtimeMs;
  for (const name of fs.readdirSync(file)) max = Math.max(max, newest(path.join(file, name)));
  return max;
}

function upToDate() {
  const built = fs.statSync(buildInfo, { throwIfNoEntry: false });
  return built !== undefined && INPUTS.every((input) => newest(path.join(root, input)) <= built.mtimeMs);
}

/** Every file under `dir` that tsc does not compile. */
function assets(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return assets(full);
    return e.name.endsWith('.ts') ? [] : [full];
  });
}

function build() {
  const ts = require('typescript');
  const host = ts.createSolutionBuilderHost(ts.sys, undefined, ts.createDiagnosticReporter(ts.sys, process.stdout.isTTY));
  const status = ts.createSolutionBuilder(host, [config], {}).build();
  if (status !== ts.ExitStatus.Success) {
    console.error('build: tsc --build tsconfig.build.json failed, see above');
    process.exit(1);
  }
  for (const asset of assets(path.join(root, 'lib'))) {
    const target = path.join(out, path.relative(root, asset));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(asset, target);
  }
  // Here, not when `init` runs: the CLI builds no mesh, it copies files (and reads dist/ files).
  const { readMeshConfig } = require(path.join(out, 'lib', 'config', 'load.js'));
  const { buildMesh } = require(path.join(out, 'lib', 'composition-root.js'));
  const { publishMesh } = require(path.join(out, 'lib', 'synth.js'));
  const starter = readMeshConfig({ cwd: TEMPLATE, env: {} }).config;
  fs.mkdirSync(path.dirname(STARTER_DIST), { recursive: true });
  publishMesh(STARTER_DIST, (outdir) => buildMesh(starter, { outdir }));
  // The copies are part of this build: inputs older than the build info are up to date.
  const now = new Date();
  fs.utimesSync(buildInfo, now, now);
}

if (!upToDate()) build();
