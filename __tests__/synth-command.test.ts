import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.join(__dirname, '..');

function snapshotDir(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else out[path.relative(dir, full)] = fs.readFileSync(full, 'utf8');
    }
  };
  walk(dir);
  return out;
}

describe('npm run synth with a bad configuration', () => {
  test.each([
    ['trustDomain: Example.org\n', "trustDomain: 'Example.org' must be lowercase"],
    ['trustDomain: spiffe://example.org\n', "trustDomain: 'spiffe://example.org' must not include a scheme"],
    ['trustDomian: example.org\n', 'trustDomian: unknown key'],
    ['images:\n  spireServer: ghcr.io/spiffe/spire-server:latest\n', "images.spireServer: 'ghcr.io/spiffe/spire-server:latest' must not use the tag 'latest'"],
  ])('%j fails naming the field and leaves dist/ as it was', (yaml, message) => {
    const configFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'spire-mesh-bad-')), 'config.yaml');
    fs.writeFileSync(configFile, yaml);
    const before = snapshotDir(path.join(root, 'dist'));
    const result = spawnSync('npm', ['run', '--silent', 'synth'], {
      cwd: root,
      env: { ...process.env, SPIRE_MESH_CONFIG: configFile },
      encoding: 'utf8',
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(message);
    expect(snapshotDir(path.join(root, 'dist'))).toEqual(before);
  });
});

test('publish-dist refuses a staging directory without a finished synth', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spire-mesh-publish-'));
  fs.mkdirSync(path.join(tmp, 'staging'));
  fs.mkdirSync(path.join(tmp, 'dist'));
  fs.writeFileSync(path.join(tmp, 'dist', 'keep.yaml'), 'kept');
  const result = spawnSync(process.execPath, [path.join(root, 'scripts', 'publish-dist.js'), path.join(tmp, 'staging'), path.join(tmp, 'dist')], {
    encoding: 'utf8',
  });
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('holds no finished synth');
  expect(fs.readFileSync(path.join(tmp, 'dist', 'keep.yaml'), 'utf8')).toBe('kept');
});
