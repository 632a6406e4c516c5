import * as fs from 'fs';
import { ApiObject, App, Chart } from 'cdk8s';
import { buildMesh } from '../../lib/composition-root';
import { resolveMeshConfig } from '../../lib/config/load';
import { appliedConfigBytes, checkObjectSizes, measureObjects, OBJECT_SIZE_LIMIT_BYTES, ObjectSizeError } from '../../lib/core/object-size';
import { meshObjectSizes, renderMesh, synthMesh } from '../../lib/synth';
import { tempDir } from '../support/temp';

/** A ConfigMap whose compact JSON is exactly `bytes` long. */
function configMapOfSize(bytes: number, name = 'big', namespace = 'team-a'): Record<string, unknown> {
  const manifest = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: { blob: '' } };
  manifest.data.blob = 'x'.repeat(bytes - appliedConfigBytes(manifest));
  return manifest;
}

describe('the size of an object, as client-side kubectl apply stores it', () => {
  test('GIVEN an object WHEN measured THEN its size is the byte length of its compact JSON', () => {
    const manifest = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { k: 'v' } };
    // {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":{"k":"v"}}
    expect(appliedConfigBytes(manifest)).toBe(79);
  });

  test('GIVEN non-ASCII text and characters Go escapes WHEN measured THEN they count as UTF-8 bytes and \\u003c escapes', () => {
    expect(appliedConfigBytes({ s: 'é' })).toBe('{"s":""}'.length + 2);
    expect(appliedConfigBytes({ s: 'a && b > c' })).toBe('{"s":"a  b  c"}'.length + 3 * 6);
  });
});

describe('checkObjectSizes', () => {
  test('GIVEN an object just under the limit, and one at it WHEN checked THEN both pass and the largest is returned', () => {
    const under = measureObjects('0001-a.k8s.yaml', [configMapOfSize(OBJECT_SIZE_LIMIT_BYTES - 1, 'under')]);
    const at = measureObjects('0001-a.k8s.yaml', [configMapOfSize(OBJECT_SIZE_LIMIT_BYTES, 'at')]);
    expect(checkObjectSizes([...under, ...at])).toEqual(at[0]);
  });

  test('GIVEN an object one byte over the limit WHEN checked THEN the message names the object, its file, size, the limit and the fix', () => {
    const sizes = measureObjects('0005-big.k8s.yaml', [configMapOfSize(OBJECT_SIZE_LIMIT_BYTES + 1), configMapOfSize(1024, 'small')]);
    const check = () => checkObjectSizes(sizes);
    expect(check).toThrow(ObjectSizeError);
    expect(check).toThrow(
      [
        'an object is too large for client-side `kubectl apply` (limit 224.0 KiB (229376 bytes) of compact JSON: kubectl copies the whole object into the kubectl.kubernetes.io/last-applied-configuration annotation, and the API server refuses more than 256 KiB of annotations per object):',
        '  - ConfigMap team-a/big (0005-big.k8s.yaml): 224.0 KiB (229377 bytes)',
        "  fix: split it (fewer entries per ConfigMap, fewer namespaces per chart); server-side apply (`kubectl apply --server-side`) does not store the annotation, but Argo CD's default client-side sync does",
      ].join('\n'),
    );
  });

  test('GIVEN two objects over the limit WHEN checked THEN one message names both, largest first', () => {
    const sizes = [
      ...measureObjects('0001-a.k8s.yaml', [{ kind: 'Namespace', metadata: { name: 'wide' }, spec: { x: 'x'.repeat(OBJECT_SIZE_LIMIT_BYTES) } }]),
      ...measureObjects('0002-b.k8s.yaml', [configMapOfSize(300 * 1024)]),
    ];
    expect(() => checkObjectSizes(sizes)).toThrow(/^2 objects are too large[^\n]*\n {2}- ConfigMap team-a\/big \(0002-b\.k8s\.yaml\): 300\.0 KiB[^\n]*\n {2}- Namespace wide \(0001-a\.k8s\.yaml\)/);
  });
});

describe('synth refuses a mesh with an object over the limit', () => {
  /** The default mesh, plus a chart holding one ConfigMap of `bytes` of data. */
  function meshWithConfigMap(outdir: string, bytes: number) {
    const app = new App({ outdir });
    const mesh = buildMesh(resolveMeshConfig({}), { app });
    new ApiObject(new Chart(app, 'huge'), 'huge', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'huge', namespace: 'team-z' },
      data: { blob: 'x'.repeat(bytes) },
    });
    return mesh;
  }

  test('GIVEN a chart with a 300 KiB ConfigMap WHEN synthesizing THEN it is refused by name and nothing is written', () => {
    const outdir = tempDir('objsize');
    expect(() => synthMesh(meshWithConfigMap(outdir, 300 * 1024))).toThrow(/- ConfigMap team-z\/huge \(\d{4}-huge\.k8s\.yaml\): 300\.\d KiB/);
    expect(fs.readdirSync(outdir)).toEqual([]);
  });

  test('GIVEN the default mesh with Argo CD files WHEN rendered THEN every output file is measured, the istioctl and Argo CD files too', () => {
    const mesh = buildMesh(resolveMeshConfig({ gitops: { repoURL: 'https://example.org/mesh.git' } }), { outdir: tempDir('objsize') });
    const files = new Set(meshObjectSizes(renderMesh(mesh)).map((s) => s.file));
    expect(files).toContain('istioctl/istio-operator.k8s.yaml');
    expect(files).toContain('argocd/root.k8s.yaml');
    expect(files).toContain('argocd/apps/istio.k8s.yaml');
    expect(() => checkObjectSizes(meshObjectSizes(renderMesh(mesh)))).not.toThrow();
  });
});
