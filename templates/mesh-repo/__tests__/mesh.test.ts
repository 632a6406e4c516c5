import * as path from 'path';
import { Chart } from 'cdk8s';
import { chartSnapshot, expectDistFresh, meshManifests, schemaProblems, wiringProblems } from 'spire-mesh/testing';
import { build } from '../mesh';

// The mesh of this repository's config, built in memory: nothing is written to that directory.
const mesh = build('/nonexistent/never-written');

test('dist/ is a fresh synth of spire-mesh.config.yaml and mesh.ts, byte for byte', () => {
  // On failure: run `npm run synth`, review `git diff dist/`, commit it.
  expectDistFresh(path.join(__dirname, '..', 'dist'), build);
});

test('every object synth writes is valid against its schema (Kubernetes, Istio, Argo CD), unknown fields refused', () => {
  expect(schemaProblems(meshManifests(mesh))).toEqual([]);
});

test('the parts are wired to each other: socket path, trust domain, entries and selectors, gateway, registration', () => {
  expect(wiringProblems(mesh)).toEqual([]);
});

// A snapshot of each chart of your own (every chart of the App that is not the mesh's), without
// the annotations the platform sets, so it changes when your chart does and not when the
// platform's do. A new chart writes its snapshot on its first run (not under CI: commit the
// snapshot with the chart); `npx jest -u` accepts an intended change.
const platform = new Set<Chart>(mesh.charts);
for (const step of mesh.steps.filter((s) => !platform.has(s.chart))) {
  test(`chart ${step.name} matches its snapshot`, () => {
    expect(chartSnapshot(mesh, step.chart)).toMatchSnapshot();
  });
}
