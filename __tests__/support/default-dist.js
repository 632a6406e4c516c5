'use strict';
/**
 * jest's globalSetup and globalTeardown: the default mesh (no config file, every default)
 * synthesized once per run into a temporary dist/, for the tests that read synth's files as the
 * CLI does (through the index) or as a cluster would (the YAML). Not the committed dist/: that is
 * the repository's own config, which an adopter changes (synth-command.test.ts checks it is
 * fresh). A child process, so the jest parent whose workers fork tools never loads the
 * constructs; it runs the compiled build/ (scripts/test.sh builds first), as `npm run synth` does.
 * Plain JavaScript: jest loads it before any transform is set up for the tests.
 */
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

/** The environment variable naming the directory that holds the default mesh's dist/. */
const DEFAULT_DIST_ENV = 'SPIRE_MESH_TEST_DEFAULT_DIST';
const root = path.join(__dirname, '..', '..');

const SYNTH = `
  const { buildMesh, publishMesh, resolveMeshConfig } = require(${JSON.stringify(path.join(root, 'build', 'lib'))});
  publishMesh(process.argv[1], (outdir) => buildMesh(resolveMeshConfig({}), { outdir }));
`;

async function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spire-mesh-default-dist-'));
  const result = spawnSync(process.execPath, ['-e', SYNTH, path.join(dir, 'dist')], { encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`synth of the default mesh failed (${result.error?.message ?? `exit ${result.status}`}); is build/ built (node scripts/build.js)?\n${result.stderr}`);
  }
  // Workers start after this and inherit the environment.
  process.env[DEFAULT_DIST_ENV] = dir;
}

async function teardown() {
  const dir = process.env[DEFAULT_DIST_ENV];
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

module.exports = { setup, teardown, DEFAULT_DIST_ENV };
