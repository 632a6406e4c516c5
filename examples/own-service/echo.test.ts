// The way a user reviews the manifests of their own chart: a snapshot of what it writes,
// without what the platform derives, with assertions on what the mesh must derive from it.
import { App } from 'cdk8s';
import { buildMesh, MeshConfig, resolveMeshConfig } from '../../lib';
import { chartSnapshot, schemaProblems, Manifest } from '../../lib/testing';
import { EchoChart } from './echo';

/** The app as main.ts builds it (never written). */
function build(config: MeshConfig = resolveMeshConfig({})) {
  const app = new App({ outdir: '/nonexistent/never-written' });
  const mesh = buildMesh(config, { app });
  const team = new EchoChart(app, 'team-a-echo', { mesh });
  return { mesh, team };
}

const { mesh, team } = build();
const chart = (name: string) => mesh.charts.find((c) => c.name === name)!.toJson() as (Manifest & Record<string, any>)[];
const teamObjects = () => team.toJson() as (Manifest & Record<string, any>)[];

test("team A's chart matches its snapshot", () => {
  expect(chartSnapshot(mesh, team)).toMatchSnapshot();
});

test("team A's snapshot does not change when the platform does: another bookinfo namespace before it moves its sync wave only", () => {
  const { mesh: bigger, team: moved } = build(resolveMeshConfig({ bookinfo: { namespaces: ['default', 'team-b'] } }));
  expect(JSON.stringify(chartSnapshot(bigger, moved))).toBe(JSON.stringify(chartSnapshot(mesh, team)));
  // The written manifests do move: the snapshot leaves out what the platform derives, not what changed in the team's chart.
  const waves = (m: typeof mesh) => m.steps.filter((s) => s.name === 'team-a-echo').map((s) => s.wave);
  expect([waves(mesh), waves(bigger)]).toEqual([[8], [9]]);
});

test("team A's objects pass their schemas", () => {
  expect(schemaProblems(teamObjects())).toEqual([]);
});

test('echo gets a SPIRE entry, its namespace and an allow-nothing default without touching the composition root', () => {
  const entries = mesh.registration.workloadEntries.map((e) => e.spiffeId.text);
  expect(entries).toContain('spiffe://example.org/ns/team-a/sa/echo');
  expect(chart('namespaces').map((m) => m.metadata.name)).toContain('team-a');
  expect(chart('mesh-policy').filter((m) => m.kind === 'AuthorizationPolicy').map((m) => m.metadata.namespace)).toContain('team-a');
});

test('echo admits productpage and the gateway, and the identity graph shows both edges', () => {
  const policy = teamObjects().find((m) => m.kind === 'AuthorizationPolicy')!;
  expect(policy.spec.rules[0].from[0].source.principals).toEqual([
    'example.org/ns/default/sa/bookinfo-productpage',
    'example.org/ns/istio-system/sa/istio-ingressgateway-service-account',
  ]);
  expect(mesh.identityGraph.edges.filter((e) => e.to === 'team-a/echo')).toEqual([
    { from: 'default/productpage', to: 'team-a/echo' },
    { from: 'ingress', to: 'team-a/echo' },
  ]);
});

test('its chart is applied after the mesh, with the next position (0005-team-a-echo.k8s.yaml) and sync wave', () => {
  expect(mesh.steps.map((s) => [s.name, s.position, s.wave]).slice(-2)).toEqual([
    ['bookinfo-default', 4, 7],
    ['team-a-echo', 5, 8],
  ]);
  expect(new Set(teamObjects().map((m) => (m.metadata.annotations as Record<string, string>)['argocd.argoproj.io/sync-wave']))).toEqual(new Set(['8']));
});
