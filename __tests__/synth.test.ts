import { App } from 'cdk8s';
import { buildMesh } from '../lib/composition-root';
import { resolveMeshConfig } from '../lib/config/load';
import { renderApp } from '../lib/synth';
import { NEVER_WRITTEN } from './support/test-app';

// renderApp resolves and validates the App once through cdk8s's internal App._synthChart; a
// cdk8s without it falls back to Chart.toJson() per chart. Both must give the same manifests.
describe('renderApp', () => {
  test('GIVEN the cdk8s this package is tested with THEN it has the internal entry, so synth takes the fast path', () => {
    expect(typeof (App as unknown as { _synthChart?: unknown })._synthChart).toBe('function');
  });

  test('GIVEN a cdk8s without the internal entry WHEN rendering THEN every chart has the same manifests, in the same order', () => {
    const mesh = buildMesh(resolveMeshConfig({ bookinfo: { namespaces: ['default', 'team-b'] } }), { outdir: NEVER_WRITTEN });
    const charts = mesh.steps.filter((s) => s.tool === 'kubectl').map((s) => s.chart);
    const fast = renderApp(charts);
    const fallback = renderApp(charts, null);
    expect([...fallback.keys()]).toEqual(charts);
    expect(charts.map((c) => JSON.stringify(fallback.get(c)))).toEqual(charts.map((c) => JSON.stringify(fast.get(c))));
    expect(fast.get(charts[charts.length - 1])!.length).toBeGreaterThan(10);
  });
});
