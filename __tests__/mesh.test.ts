import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { resolveMeshConfig } from '../lib/config/load';
import { SYNC_WAVE_ANNOTATION } from '../lib/core/mesh-chart';
import { buildMesh } from '../lib/mesh';
import { INDEX_FILE, meshIndex, synthMesh } from '../lib/synth';
import { schemaProblems } from './support/schema';
import { find, synthesize } from './support/synth';

function listFiles(dir: string, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(full, base) : [path.relative(base, full)];
  });
}

function synthTo(overrides: unknown = {}): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'spire-mesh-synth-'));
  synthMesh(buildMesh(resolveMeshConfig(overrides), { outdir }));
  return outdir;
}

describe('the default mesh', () => {
  const { mesh, all, charts } = synthesize();

  test('every synthesized object passes its schema, unknown fields included', () => {
    expect(schemaProblems(all)).toEqual([]);
  });

  test.each([...charts.keys()])('chart %s matches its snapshot', (id) => {
    expect(charts.get(id)).toMatchSnapshot();
  });

  test('every object carries the Argo CD sync wave of its chart, in apply order', () => {
    mesh.charts.forEach((chart, wave) => {
      for (const obj of charts.get(chart.node.id)!) {
        expect(obj.metadata.annotations).toHaveProperty([SYNC_WAVE_ANNOTATION], String(wave));
      }
    });
  });

  test('each kubectl chart depends on the one before it, so files are numbered in apply order', () => {
    const kubectlCharts = mesh.charts.filter((c) => c.tool === 'kubectl');
    kubectlCharts.slice(1).forEach((chart, i) => {
      expect(chart.node.dependencies).toContain(kubectlCharts[i]);
    });
    expect(mesh.charts[0].node.id).toBe('namespaces');
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
    expect(index.steps.map((s: { wave: number }) => s.wave)).toEqual(index.steps.map((_: unknown, i: number) => i));
  });

  test('istioctl charts are written below istioctl/, outside the `kubectl apply -f dist/` set', () => {
    const { mesh } = synthesize();
    for (const step of meshIndex(mesh).steps) {
      expect(path.dirname(step.file) === 'istioctl').toBe(step.tool === 'istioctl');
    }
  });
});
