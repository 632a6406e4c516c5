// The way a user reviews the manifests of their own chart: a snapshot of what it writes,
// with assertions on what the mesh must derive from it.
import { buildMesh, resolveMeshConfig } from '../../lib';
import { schemaProblems, Manifest } from '../../__tests__/support/schema';
import { addEcho } from './echo';

const mesh = buildMesh(resolveMeshConfig({}), { outdir: '/nonexistent/never-written', extend: addEcho });
const chart = (name: string) => mesh.charts.find((c) => c.name === name)!.toJson() as (Manifest & Record<string, any>)[];

test("team A's chart matches its snapshot", () => {
  expect(chart('team-a-echo')).toMatchSnapshot();
});

test("team A's objects pass their schemas", () => {
  expect(schemaProblems(chart('team-a-echo'))).toEqual([]);
});

test('echo gets a SPIRE entry, its namespace and an allow-nothing default without touching the composition root', () => {
  const entries = mesh.registration.workloadEntries.map((e) => e.spiffeId.text);
  expect(entries).toContain('spiffe://example.org/ns/team-a/sa/echo');
  expect(chart('namespaces').map((m) => m.metadata.name)).toContain('team-a');
  expect(chart('mesh-policy').filter((m) => m.kind === 'AuthorizationPolicy').map((m) => m.metadata.namespace)).toContain('team-a');
});

test('echo admits productpage and the gateway, and the identity graph shows both edges', () => {
  const policy = chart('team-a-echo').find((m) => m.kind === 'AuthorizationPolicy')!;
  expect(policy.spec.rules[0].from[0].source.principals).toEqual([
    'example.org/ns/default/sa/bookinfo-productpage',
    'example.org/ns/istio-system/sa/istio-ingressgateway-service-account',
  ]);
  expect(mesh.identityGraph.edges.filter((e) => e.to === 'team-a/echo')).toEqual([
    { from: 'default/productpage', to: 'team-a/echo' },
    { from: 'ingress', to: 'team-a/echo' },
  ]);
});

test('its chart is applied after the mesh, with the next sync wave', () => {
  expect(mesh.charts.map((c) => c.name).slice(-2)).toEqual(['bookinfo-default', 'team-a-echo']);
});
