import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { readMeshConfig } from '../lib/config/load';
import { buildMesh } from '../lib/composition-root';
import { publishMesh, synthReport } from '../lib/synth';
import { distProblems } from '../lib/testing/dist';
import { tempDir } from './support/temp';

const root = path.join(__dirname, '..');

function listFiles(dir: string, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(full, base) : [path.relative(base, full)];
  });
}

function snapshotDir(dir: string): Record<string, string> {
  return Object.fromEntries(listFiles(dir).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

/** A dist/ with something in it, to prove a failed synth leaves it alone. */
function existingDist(): string {
  const dist = path.join(tempDir('synth'), 'dist');
  fs.mkdirSync(dist);
  fs.writeFileSync(path.join(dist, 'keep.yaml'), 'kept');
  return dist;
}

// The one golden, and the one test that reads the repository's config: the committed dist/ is
// what a reviewer reads and what Argo CD syncs, so a fresh synth must reproduce it byte for byte
// (there is no second copy in jest snapshots). The check a user's repository runs too
// (expectDistFresh of spire-mesh/testing, __tests__/testing/dist.test.ts).
test('the committed dist/ equals a fresh synth of the current code and config, byte for byte', () => {
  const { config } = readMeshConfig({ cwd: root });
  // On failure: read `git diff dist/` after `npm run synth`, and commit dist/ if the change is intended.
  expect(distProblems(path.join(root, 'dist'), (outdir) => buildMesh(config, { outdir }))).toEqual([]);
});

test('`npm run synth` with a bad config prints one line per problem and no stack trace, and leaves dist/ as it was', () => {
  const configFile = path.join(tempDir('synth'), 'config.yaml');
  fs.writeFileSync(configFile, 'trustDomain: a_b.org\nistio:\n  version: 1.30\nnamespaces:\n  spire: kube-system\n');
  const dist = existingDist();
  const before = snapshotDir(dist);
  // What `npm run synth` runs (package.json) after the build (scripts/test.sh builds first), without npm's own start-up.
  const result = spawnSync(process.execPath, [path.join(root, 'build', 'main.js')], {
    cwd: root,
    env: { ...process.env, SPIRE_MESH_CONFIG: configFile, CDK8S_OUTDIR: dist },
    encoding: 'utf8',
  });
  expect(result.status).toBe(1);
  expect(result.stderr.trim().split('\n')).toEqual([
    `spire-mesh: invalid configuration (${configFile}):`,
    '  - istio.version: 1.3 must be a string; put it in quotes, e.g. "1.30.3"',
    "  - trustDomain: 'a_b.org' has the label 'a_b', but Istio requires every dot-separated label of the trust domain to be a DNS-1123 label (1-63 letters, digits and \"-\", starting and ending with a letter or digit; no \"_\", no empty label)",
    "  - namespaces.spire: 'kube-system' must not be a built-in kube-* namespace: the mesh would relabel and manage a namespace the cluster owns",
    `synth failed: nothing was written to ${dist}/`,
  ]);
  expect(snapshotDir(dist)).toEqual(before);
  expect(fs.existsSync(`${dist}.staging`)).toBe(false);
});

test('package.json builds and runs the compiled main.ts for synth, and cdk8s.yaml runs the same command for `cdk8s synth`', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  expect(pkg.scripts.synth).toBe('node scripts/build.js && node build/main.js');
  expect(fs.readFileSync(path.join(root, 'cdk8s.yaml'), 'utf8')).toContain(`\napp: ${pkg.scripts.synth}\n`);
});

describe('publishMesh swaps a finished synth into dist/', () => {
  test('GIVEN a build that throws WHEN publishing THEN dist/ keeps its content and no staging directory is left', () => {
    const dist = existingDist();
    expect(() =>
      publishMesh(dist, () => {
        throw new Error('bad prop');
      }),
    ).toThrow('bad prop');
    expect(snapshotDir(dist)).toEqual({ 'keep.yaml': 'kept' });
    expect(fs.existsSync(`${dist}.staging`)).toBe(false);
  });

  test('GIVEN a good build WHEN publishing THEN dist/ holds exactly the new synth, and the report names the config and each file once', () => {
    const dist = existingDist();
    const cwd = tempDir('synth');
    fs.writeFileSync(path.join(cwd, 'spire-mesh.config.yml'), 'clusterName: report\n');
    const { config, source } = readMeshConfig({ cwd, env: {} });
    const index = publishMesh(dist, (outdir) => buildMesh(config, { outdir }));
    const files = listFiles(dist).filter((f) => f.endsWith('.yaml')).sort();
    expect(files).not.toContain('keep.yaml');
    const [first, ...rest] = synthReport(source, dist, index);
    expect(first).toBe('spire-mesh: config spire-mesh.config.yml');
    expect(rest.map((line) => path.relative(dist, line.trim().split('  ')[0])).sort()).toEqual(files);
  });
});
