#!/usr/bin/env node
// Runs this project's TypeScript with plain node. esbuild transpiles the entry, its folder,
// lib/ and imports/ (file by file, same layout, assets such as .sh copied beside) into
// node_modules/.cache/spire-mesh/<hash of the sources>/ once per source change (~50 ms),
// then node loads plain JavaScript. tsx transforms and resolves through its hooks at every
// start instead, which `npm run bench` measured at ~3x the synth's own cost.
// Usage: node scripts/ts-run.js <entry.ts> [args...], or require('./ts-run').load(entry).
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
const SOURCE_DIRS = ['lib', 'imports'];

/** node_modules/.cache (npm's convention), or the temp directory where that is read-only. */
function cacheDir() {
  for (const dir of [path.join(root, 'node_modules', '.cache', 'spire-mesh'), path.join(os.tmpdir(), `spire-mesh-${os.userInfo().uid}`)]) {
    try {
      fs.mkdirSync(dir, { recursive: true });
      fs.accessSync(dir, fs.constants.W_OK);
      return dir;
    } catch {
      continue;
    }
  }
  throw new Error('no writable cache directory for the transpiled sources (node_modules/.cache or the temp directory)');
}

/** How long a transpiled tree is kept after its last use, and a build aside after it started. */
const UNUSED_MS = 60 * 60 * 1000;
const ABANDONED_MS = 60 * 1000;

/** Records that `tree` was just used: its modification time is its last use. */
function markUsed(tree) {
  const now = new Date();
  fs.utimesSync(tree, now, now);
}

function walk(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? walk(full) : [full];
  });
}

/** The transpiled tree for the current sources: built once, reused until a source changes. */
function compiled(entry) {
  // The entry's own folder comes along (an example or the bench imports its neighbours), and
  // package.json: its version is the CLI's, and it keeps the tree CommonJS.
  const entryDir = path.dirname(entry);
  const dirs = [...SOURCE_DIRS.map((d) => path.join(root, d)), ...(entryDir === root ? [] : [entryDir])];
  const files = [...new Set([entry, path.join(root, 'package.json'), ...dirs.flatMap(walk)])].sort();
  const hash = crypto.createHash('sha256');
  for (const file of files) {
    const stat = fs.statSync(file);
    hash.update(`${path.relative(root, file)}\0${stat.size}\0${stat.mtimeMs}\0`);
  }
  const cacheRoot = cacheDir();
  const out = path.join(cacheRoot, hash.digest('hex').slice(0, 16));
  if (!fs.existsSync(out)) build(files, out);
  markUsed(out);
  // Each entry has its own tree (its folder comes along), and a process may still be loading
  // from one another entry built a moment ago: only trees unused for an hour are removed, and
  // builds aside left for a minute (their process died).
  for (const other of fs.readdirSync(cacheRoot)) {
    const dir = path.join(cacheRoot, other);
    const unusedFor = Date.now() - (fs.statSync(dir, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (other !== path.basename(out) && unusedFor > (other.endsWith('.tmp') ? ABANDONED_MS : UNUSED_MS)) {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
}

/** Transpiles `files` into the tree `out`. */
function build(files, out) {
  // Built aside, then renamed: two processes starting at once never see a half-written tree.
  const staging = `${out}.${process.pid}.tmp`;
  const ts = files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
  require('esbuild').buildSync({
    entryPoints: ts,
    outdir: staging,
    outbase: root,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    logLevel: 'error',
  });
  for (const asset of files.filter((f) => !f.endsWith('.ts'))) {
    const target = path.join(staging, path.relative(root, asset));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(asset, target);
  }
  try {
    fs.renameSync(staging, out);
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    if (!fs.existsSync(out)) throw err;
  }
}

/** Requires a TypeScript module of this project, given relative to the project root. */
function load(entry) {
  const file = path.resolve(root, entry);
  return require(path.join(compiled(file), path.relative(root, file).replace(/\.ts$/, '.js')));
}

module.exports = { load, compiled, UNUSED_MS };

if (require.main === module) {
  const [entry, ...args] = process.argv.slice(2);
  if (!entry) {
    console.error('usage: node scripts/ts-run.js <entry.ts> [args...]');
    process.exit(2);
  }
  process.argv = [process.argv[0], path.resolve(root, entry), ...args];
  load(entry);
}
