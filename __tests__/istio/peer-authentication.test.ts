import { schemaProblems } from '../support/schema';
import { find, synthesize } from '../support/synth';

describe('mesh-wide mTLS', () => {
  test('PeerAuthentication default in the root namespace is STRICT, has no selector and is schema-valid', () => {
    // GIVEN a mesh whose Istio lives in a non-default namespace
    const { charts, mesh } = synthesize({ namespaces: { istio: 'mesh-system' } });
    // WHEN the mesh-policy chart is synthesized
    const policy = find(charts.get('mesh-policy')!, 'PeerAuthentication', 'default', 'mesh-system');
    // THEN it applies to every workload, in the operator's root namespace
    expect(policy.spec).toEqual({ mtls: { mode: 'STRICT' } });
    expect(policy.metadata.namespace).toBe(mesh.istio.operator.rootNamespace);
    expect(schemaProblems([policy])).toEqual([]);
  });

  test('is a kubectl step applied after the istioctl install', () => {
    const { mesh } = synthesize();
    const chart = mesh.charts.find((c) => c.name === 'mesh-policy')!;
    expect(chart.tool).toBe('kubectl');
    expect(mesh.charts.indexOf(chart)).toBeGreaterThan(mesh.charts.findIndex((c) => c.name === 'istio-operator'));
  });
});
