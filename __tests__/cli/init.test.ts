import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { main } from '../../lib/cli/main';
import { STARTER_DIST, TEMPLATE_DIR } from '../../lib/cli/init';
import { buildMesh } from '../../lib/composition-root';
import { readMeshConfig } from '../../lib/config/load';
import * as testing from '../../lib/testing';
import { distProblems } from '../../lib/testing/dist';
import { tempDir } from '../support/temp';

const root = path.join(__dirname, '..', '..');
const own = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

async function init(cwd: string, dir: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['init', dir], { env: {}, cwd, io: { out: (s) => out.push(s), err: (s) => err.push(s) } });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('GIVEN a new directory WHEN running init', () => {
  const cwd = tempDir('init');
  const dir = path.join(cwd, 'my-mesh');
  let result: Awaited<ReturnType<typeof init>>;
  beforeAll(async () => {
    result = await init(cwd, 'my-mesh');
  });

  test('THEN it writes the cdk8s typescript-app layout, the config, main.ts, mesh.ts and the tests, and lists them', () => {
    expect(result).toMatchObject({ code: 0, err: '' });
    const expected = ['.gitignore', 'README.md', '__tests__/mesh.test.ts', 'cdk8s.yaml', 'jest.config.js', 'main.ts', 'mesh.ts', 'package.json', 'spire-mesh.config.yaml', 'tsconfig.json'];
    for (const file of expected) expect(fs.existsSync(path.join(dir, file))).toBe(true);
    expect(result.out.split('\n')).toEqual(['spire-mesh init: my-mesh', ...expected.map((f) => `  ${f}`), '  dist/ (a synth of spire-mesh.config.yaml)', expect.stringMatching(/^next: cd my-mesh && npm install && npm test/)]);
  });

  test("THEN package.json depends on this version of spire-mesh and on its peers at the ranges it accepts, the optional ones for the tests", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    expect(pkg.name).toBe('my-mesh');
    expect(pkg.dependencies).toEqual({
      'spire-mesh': `^${own.version}`,
      cdk8s: own.peerDependencies.cdk8s,
      'cdk8s-plus-25': own.peerDependencies['cdk8s-plus-25'],
      constructs: own.peerDependencies.constructs,
    });
    for (const optional of Object.keys(own.peerDependenciesMeta)) expect(pkg.devDependencies[optional]).toBe(own.peerDependencies[optional]);
    // cdk8s synth would empty dist/ before main.ts runs: a failed synth must leave it as it was.
    expect(pkg.scripts).toMatchObject({ synth: 'ts-node main.ts', test: 'jest' });
    expect(pkg.allowScripts).toEqual({ 'spire-mesh': false, backport: false });
  });

  test('THEN dist/ is a fresh synth of the starter config, so the first npm test passes', () => {
    const { config } = readMeshConfig({ cwd: dir, env: {} });
    expect(distProblems(path.join(dir, 'dist'), (outdir) => buildMesh(config, { outdir }))).toEqual([]);
  });

  test('THEN the starter config is all comments but keys whose values are the defaults', () => {
    const { config } = readMeshConfig({ cwd: dir, env: {} });
    expect(readMeshConfig({ cwd: tempDir('init'), env: {} }).config).toEqual(config);
  });

  test('THEN its tests import only what spire-mesh/testing exports, and main.ts only wires', () => {
    const text = fs.readFileSync(path.join(dir, '__tests__', 'mesh.test.ts'), 'utf8');
    const names = /import \{ ([^}]+) \} from 'spire-mesh\/testing'/.exec(text)![1].split(',').map((n) => n.trim());
    for (const n of names) expect(testing).toHaveProperty(n);
    expect(fs.readFileSync(path.join(dir, 'main.ts'), 'utf8')).toMatch(/publishMesh\(dist, build\)/);
    expect(fs.readFileSync(path.join(dir, 'mesh.ts'), 'utf8')).toMatch(/buildMesh\(loadMeshConfig\(\{ cwd: __dirname \}\), \{ app \}\)/);
  });
});

test.each([
  ['a directory with a file', (d: string) => fs.writeFileSync(path.join(d, 'README.md'), 'mine'), /^spire-mesh: init: .* is not empty \(README.md\): name a new or empty directory$/],
  ['a file', (d: string) => {
    fs.rmSync(d, { recursive: true });
    fs.writeFileSync(d, '');
  }, /^spire-mesh: init: .* exists and is not a directory$/],
])('GIVEN %s WHEN running init there THEN it refuses and writes nothing', async (_name, make, message) => {
  const cwd = tempDir('init');
  const dir = path.join(cwd, 'taken');
  fs.mkdirSync(dir);
  make(dir);
  const before = fs.statSync(dir).isDirectory() ? fs.readdirSync(dir) : 'file';
  const result = await init(cwd, 'taken');
  expect(result.code).toBe(1);
  expect(result.err).toMatch(message);
  expect(fs.statSync(dir).isDirectory() ? fs.readdirSync(dir) : 'file').toEqual(before);
});

test('GIVEN a path it cannot write WHEN running init THEN one line names it and the reason, no stack trace', async () => {
  const cwd = tempDir('init');
  fs.writeFileSync(path.join(cwd, 'a-file'), '');
  const result = await init(cwd, 'a-file/mesh');
  expect(result.code).toBe(1);
  expect(result.err).toMatch(/^spire-mesh: init: cannot write .*a-file\/mesh: ENOTDIR: not a directory, mkdir '.*a-file\/mesh'$/);
});

test('GIVEN a freshly cloned empty repository (only .git) WHEN running init there THEN it scaffolds beside .git', async () => {
  const cwd = tempDir('init');
  fs.mkdirSync(path.join(cwd, 'clone', '.git'), { recursive: true });
  fs.writeFileSync(path.join(cwd, 'clone', '.git', 'HEAD'), 'ref: refs/heads/main\n');
  const result = await init(cwd, 'clone');
  expect(result).toMatchObject({ code: 0, err: '' });
  expect(fs.readFileSync(path.join(cwd, 'clone', '.git', 'HEAD'), 'utf8')).toBe('ref: refs/heads/main\n');
  expect(fs.existsSync(path.join(cwd, 'clone', 'spire-mesh.config.yaml'))).toBe(true);
});

test('the template holds no dist/ nor package.json of its own: init writes them', () => {
  expect(fs.readdirSync(TEMPLATE_DIR).sort()).toEqual(['README.md', '__tests__', 'cdk8s.yaml', 'gitignore', 'jest.config.js', 'main.ts', 'mesh.ts', 'spire-mesh.config.yaml', 'tsconfig.json']);
});

test('GIVEN the compiled CLI (bin/spire-mesh, as installed) WHEN running init THEN it finds the template and the starter dist/ the build made', () => {
  const cwd = tempDir('init');
  const result = spawnSync(process.execPath, [path.join(root, 'bin', 'spire-mesh'), 'init', 'repo'], { cwd, encoding: 'utf8' });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  expect(fs.readFileSync(path.join(cwd, 'repo', 'dist', 'meta', 'index.json'), 'utf8')).toBe(fs.readFileSync(path.join(STARTER_DIST, 'meta', 'index.json'), 'utf8'));
  expect(fs.existsSync(path.join(cwd, 'repo', 'mesh.ts'))).toBe(true);
});
