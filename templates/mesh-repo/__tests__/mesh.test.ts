import * as path from 'path';
import { Testing } from 'cdk8s';
import { expectDistFresh, schemaProblems, wiringProblems } from 'spire-mesh/testing';
import { build } from '../mesh';

// The mesh of this repository's config, built in memory (nothing is written).
const mesh = build(Testing.app().outdir);

test('dist/ is a fresh synth of spire-mesh.config.yaml, byte for byte', () => {
  // On failure: run `npm run synth`, review `git diff dist/`, commit it.
  expectDistFresh(path.join(__dirname, '..', 'dist'), build);
});

test('every object is valid against its schema (Kubernetes, Istio, Argo CD), unknown fields refused', () => {
  expect(schemaProblems(mesh.charts.flatMap((chart) => chart.toJson()))).toEqual([]);
});

test('the parts are wired to each other: socket path, trust domain, entries and selectors, gateway, registration', () => {
  expect(wiringProblems(mesh)).toEqual([]);
});
