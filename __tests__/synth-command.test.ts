import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { readMeshConfig, resolveMeshConfig } from '../lib/config/load';
import { buildMesh } from '../lib/composition-root';
import { publishMesh, synthMesh, synthReport } from '../lib/synth';
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

describe('synthMesh writing in place removes what it owns and no longer writes, and nothing else', () => {
  const withTeamB = { services: [{ name: 'web', namespace: 'team-b', port: 8080, versions: [{ name: 'v1', image: 'ghcr.io/example/web:1.0.0' }] }] };
  const gitops = { gitops: { repoURL: 'https://example.org/mesh.git' } };

  test('GIVEN a synth with a service, Argo CD files and a user chart WHEN synthesizing again without them THEN their files are gone and the files synth does not own stay', () => {
    const outdir = tempDir('synth');
    const app = new App({ outdir });
    const first = buildMesh(resolveMeshConfig({ ...withTeamB, ...gitops }), { app });
    new Chart(app, 'team-c');
    synthMesh(first);
    const before = listFiles(outdir);
    expect(before).toEqual(expect.arrayContaining(['0005-services-team-b.k8s.yaml', '0006-team-c.k8s.yaml', path.join('argocd', 'root.k8s.yaml')]));
    const kept = ['README.md', '.gitkeep', 'notes.yaml', path.join('mine', 'keep.k8s.yaml')];
    for (const file of kept) {
      fs.mkdirSync(path.dirname(path.join(outdir, file)), { recursive: true });
      fs.writeFileSync(path.join(outdir, file), 'the user keeps this');
    }
    fs.writeFileSync(path.join(outdir, 'meta', 'old-format.json'), '{}');

    const index = synthMesh(buildMesh(resolveMeshConfig({}), { outdir }));

    const written = [...index.steps.map((s) => s.file), path.join('meta', 'index.json'), path.join('meta', 'identity-graph.md')];
    expect(listFiles(outdir).sort()).toEqual([...written, ...kept].sort());
    expect(fs.existsSync(path.join(outdir, 'argocd'))).toBe(false);
    for (const file of kept) expect(fs.readFileSync(path.join(outdir, file), 'utf8')).toBe('the user keeps this');
  });

  test('GIVEN a synth that fails WHEN writing in place THEN nothing is removed', () => {
    const outdir = tempDir('synth');
    synthMesh(buildMesh(resolveMeshConfig(withTeamB), { outdir }));
    const before = snapshotDir(outdir);
    const app = new App({ outdir });
    const mesh = buildMesh(resolveMeshConfig({}), { app });
    new Chart(app, 'spire');
    expect(() => synthMesh(mesh)).toThrow("'spire' is already the name of a chart");
    expect(snapshotDir(outdir)).toEqual(before);
  });
});
