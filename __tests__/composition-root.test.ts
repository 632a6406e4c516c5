import * as fs from 'fs';
import * as path from 'path';
import { resolveMeshConfig } from '../lib/config/load';
import { SYNC_WAVE_ANNOTATION } from '../lib/core/mesh-chart';
import { buildMesh } from '../lib/composition-root';
import { INDEX_FILE } from '../lib/core/index-contract';
import { meshIndex, synthMesh } from '../lib/synth';
import { schemaProblems } from './support/schema';
import { find, synthesize } from './support/synth';
import { tempDir } from './support/temp';

function listFiles(dir: string, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(full, base) : [path.relative(base, full)];
  });
}

function synthTo(overrides: unknown = {}): string {
  const outdir = tempDir('synth');
  synthMesh(buildMesh(resolveMeshConfig(overrides), { outdir }));
  return outdir;
}

describe('the default mesh', () => {
  const { mesh, all, charts } = synthesize();

  test('every synthesized object passes its schema, unknown fields included', () => {
    expect(schemaProblems(all)).toEqual([]);
  });

  test('every object carries the Argo CD sync wave of its chart, in apply order; Istio takes one wave per Helm chart', () => {
    for (const chart of mesh.charts) {
      for (const obj of charts.get(chart.name)!) {
        expect(obj.metadata.annotations).toHaveProperty([SYNC_WAVE_ANNOTATION], String(chart.wave));
      }
    }
    expect(mesh.charts.map((c) => [c.name, c.wave])).toEqual([
      ['namespaces', 0],
      ['spire', 1],
      ['registration', 2],
      ['istio-operator', 3],
      ['mesh-policy', 6],
      ['bookinfo-default', 7],
    ]);
  });

  test('charts come in apply order and kubectl files are numbered in that order', () => {
    expect(mesh.charts.map((c) => c.name)).toEqual([
      'namespaces',
      'spire',
      'registration',
      'istio-operator',
      'mesh-policy',
      'bookinfo-default',
    ]);
    expect(meshIndex(mesh).steps.map((s) => s.file)).toEqual([
      '0000-namespaces.k8s.yaml',
      '0001-spire.k8s.yaml',
      '0002-registration.k8s.yaml',
      'istioctl/istio-operator.k8s.yaml',
      '0003-mesh-policy.k8s.yaml',
      '0004-bookinfo-default.k8s.yaml',
    ]);
  });

  test('no chart depends on another: cdk8s would cross-link all their objects and walk the graph exponentially', () => {
    for (const chart of mesh.charts) expect(chart.node.dependencies).toEqual([]);
  });

  test('the namespaces chart creates SPIRE and Istio namespaces, and never a built-in one', () => {
    const namespaces = charts.get('namespaces')!;
    expect(find(namespaces, 'Namespace', 'spire')).toBeDefined();
    expect(find(namespaces, 'Namespace', 'istio-system')).toBeDefined();
    expect(namespaces.filter((m) => m.metadata.name === 'default')).toEqual([]);
  });
});

test('workload namespaces other than default are created', () => {
  const { charts } = synthesize({ bookinfo: { namespaces: ['default', 'team-a'] } });
  expect(find(charts.get('namespaces')!, 'Namespace', 'team-a')).toBeDefined();
});

describe('synthesized output', () => {
  test('is byte-identical across two synths of the same config', () => {
    const a = synthTo();
    const b = synthTo();
    const files = listFiles(a).sort();
    expect(listFiles(b).sort()).toEqual(files);
    for (const file of files) {
      expect(fs.readFileSync(path.join(b, file)).equals(fs.readFileSync(path.join(a, file)))).toBe(true);
    }
  });

  test('the index lists every written manifest in apply order, and only those', () => {
    const outdir = synthTo();
    const index = JSON.parse(fs.readFileSync(path.join(outdir, INDEX_FILE), 'utf8'));
    const manifests = listFiles(outdir).filter((f) => f.endsWith('.yaml')).sort();
    expect(index.steps.map((s: { file: string }) => s.file).sort()).toEqual(manifests);
    const waves: number[] = index.steps.map((s: { wave: number }) => s.wave);
    expect(waves.every((w, i) => i === 0 || w > waves[i - 1])).toBe(true);
  });

  test('istioctl charts are written below istioctl/, outside the `kubectl apply -f dist/` set', () => {
    const { mesh } = synthesize();
    for (const step of meshIndex(mesh).steps) {
      expect(path.dirname(step.file) === 'istioctl').toBe(step.tool === 'istioctl');
    }
  });
});
