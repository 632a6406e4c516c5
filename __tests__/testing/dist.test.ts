import * as fs from 'fs';
import * as path from 'path';
import { buildMesh } from '../../lib/composition-root';
import { resolveMeshConfig } from '../../lib/config/load';
import { publishMesh } from '../../lib/synth';
import { distProblems, expectDistFresh } from '../../lib/testing/dist';
import { tempDir } from '../support/temp';

const build = (outdir: string) => buildMesh(resolveMeshConfig({}), { outdir });

/** A dist/ as `npm run synth` of the default config writes it. */
function synthesized(): string {
  const dist = path.join(tempDir('fresh'), 'dist');
  publishMesh(dist, build);
  return dist;
}

test('GIVEN a dist/ just synthesized WHEN checking THEN it is fresh', () => {
  const dist = synthesized();
  expect(distProblems(dist, build)).toEqual([]);
  expect(() => expectDistFresh(dist, build)).not.toThrow();
});

test('GIVEN an edited, a removed and a leftover file WHEN checking THEN each is named, and dist/ is left as it was', () => {
  const dist = synthesized();
  fs.appendFileSync(path.join(dist, '0001-spire.k8s.yaml'), '# edited\n');
  fs.rmSync(path.join(dist, 'meta', 'index.json'));
  fs.writeFileSync(path.join(dist, '0009-old.k8s.yaml'), 'kind: ConfigMap\n');
  const before = fs.readdirSync(dist).sort();
  expect(distProblems(dist, build)).toEqual([
    'dist/0001-spire.k8s.yaml differs from a fresh synth',
    'dist/0009-old.k8s.yaml is stale: a fresh synth no longer writes it',
    'dist/meta/index.json is missing: a fresh synth writes it',
  ]);
  expect(fs.readdirSync(dist).sort()).toEqual(before);
});

test('GIVEN a config change not synthesized WHEN expecting dist/ fresh THEN it throws naming the files and what to run', () => {
  const dist = synthesized();
  expect(() => expectDistFresh(dist, (outdir) => buildMesh(resolveMeshConfig({ trustDomain: 'corp.example' }), { outdir }))).toThrow(
    /^dist\/0001-spire\.k8s\.yaml differs from a fresh synth\n(.*\n)*run `npm run synth`, review `git diff dist\/` and commit it if the change is intended$/,
  );
});

test('GIVEN no dist/ WHEN checking THEN every file is missing', () => {
  const problems = distProblems(path.join(tempDir('fresh'), 'dist'), build);
  expect(problems.length).toBeGreaterThan(5);
  expect(problems.every((p) => p.endsWith('is missing: a fresh synth writes it'))).toBe(true);
});
