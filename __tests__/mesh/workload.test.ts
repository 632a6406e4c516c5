import { App, Chart } from 'cdk8s';
import { workloadIdentity } from '../../lib/identity';
import { buildMesh, Mesh } from '../../lib/composition-root';
import { resolveMeshConfig } from '../../lib/config/load';
import { MeshedService } from '../../lib/mesh/meshed-service';
import { collectMeshWorkloads } from '../../lib/mesh/workload';
import { NEVER_WRITTEN } from '../support/test-app';

const IMAGE = 'ghcr.io/example/echo:1.0.0';

type ServiceProps = ConstructorParameters<typeof MeshedService>[2];

/** The props of the test's extra service, from a mesh or (before there is one) from the config alone. */
function extraProps(m: Pick<Mesh, 'trustDomain' | 'injection' | 'authorization'>, props: Partial<ServiceProps>): ServiceProps {
  return {
    name: 'extra',
    namespace: 'team-z',
    port: 8080,
    versions: [{ name: 'v1', image: IMAGE }],
    trustDomain: m.trustDomain,
    injection: m.injection,
    authorization: m.authorization,
    ...props,
  };
}

/** Builds the default mesh into an App, then adds one more service in a chart of the App, and finalizes. */
function withService(props: Partial<ServiceProps> = {}, overrides: unknown = {}) {
  const app = new App({ outdir: NEVER_WRITTEN });
  const mesh = buildMesh(resolveMeshConfig(overrides), { app });
  const added = new MeshedService(new Chart(app, 'extra'), 'extra', extraProps(mesh, props));
  mesh.finalize();
  return { mesh, added };
}
describe('registration follows the app', () => {
  test('every MeshedService in either App is collected, in construct-tree order', () => {
    const { mesh, added } = withService();
    expect(collectMeshWorkloads(mesh.app, mesh.istioctlApp)).toEqual([...mesh.bookinfo[0].services, added]);
    expect(mesh.workloads).toEqual([...mesh.bookinfo[0].services, added]);
  });

  test('a service added in code gets its entry, its namespace and its allow-nothing default', () => {
    const { mesh } = withService();
    expect(mesh.registration.workloadEntries.map((e) => e.spiffeId.text)).toContain('spiffe://example.org/ns/team-z/sa/extra');
    expect([...mesh.namespaces.workloads.keys()]).toEqual(['team-z']);
    // Not in `default`: the mesh did not create it, and other workloads may run there.
    expect(mesh.namespaceDefaults.map((d) => d.namespace)).toEqual(['team-z']);
  });

  test('a caller identity that no workload or gateway owns is refused: nothing would register it', () => {
    const ghost = workloadIdentity('example.org', 'nowhere', 'ghost');
    expect(() => withService({ callers: [ghost] })).toThrow(
      "MeshedService(team-z/extra).callers: 'spiffe://example.org/ns/nowhere/sa/ghost' is the identity of no meshed workload or gateway",
    );
  });

  test("a service with authorization 'off' is refused in a mesh that enforces: its namespace allows nothing", () => {
    expect(() => withService({ authorization: 'off' })).toThrow("MeshedService(team-z/extra).authorization: 'off' must be 'enforce'");
  });

  test('a service declared twice (in code, over a config or bookinfo service) is refused', () => {
    expect(() => withService({ name: 'details', namespace: 'default' })).toThrow("MeshedService(default/details): 'default/details' is declared twice");
  });

  test("a chart of the App must not take the name of one of the mesh's steps", () => {
    const app = new App({ outdir: NEVER_WRITTEN });
    const mesh = buildMesh(resolveMeshConfig({}), { app });
    new Chart(app, 'spire');
    expect(() => mesh.finalize()).toThrow("Chart(spire) id: 'spire' is already the name of a chart");
  });

  test('outdir and app together are refused: the App says where the mesh writes', () => {
    expect(() => buildMesh(resolveMeshConfig({}), { app: new App({ outdir: NEVER_WRITTEN }), outdir: 'dist' })).toThrow(
      "BuildMeshOptions.outdir: 'dist' must not be set with app",
    );
  });

  test('a service in a kube-* namespace is refused: the cluster owns it', () => {
    expect(() => withService({ namespace: 'kube-system' })).toThrow("MeshedService(kube-system/extra).namespace: 'kube-system' must not be a built-in kube-* namespace");
  });

  test("a service in Istio's root namespace is refused: its policy would apply mesh-wide", () => {
    expect(() => withService({ namespace: 'istio-system' })).toThrow("MeshedService(istio-system/extra).namespace: 'istio-system' must not be Istio's root namespace");
  });

  test("with authorization.mode 'off' there are no namespace defaults, and a service may opt out", () => {
    const { mesh } = withService({ authorization: 'off' }, { authorization: { mode: 'off' } });
    expect(mesh.namespaceDefaults).toEqual([]);
  });
});

describe('a MeshedService in any chart of the App joins the mesh, whenever its chart was made', () => {
  const config = resolveMeshConfig({});
  /** What the mesh derives for team-z/extra: its SPIRE entry, namespace, allow-nothing default, graph node and step. */
  function derived(mesh: Mesh) {
    return {
      entry: mesh.registration.workloadEntries.some((e) => e.spiffeId.text === 'spiffe://example.org/ns/team-z/sa/extra'),
      namespaces: [...mesh.namespaces.workloads.keys()],
      defaults: mesh.namespaceDefaults.map((d) => d.namespace),
      edges: mesh.identityGraph.edges.filter((e) => e.to === 'team-z/extra'),
      steps: mesh.steps.slice(-2).map((s) => [s.name, s.wave, s.position]),
    };
  }
  const expected = {
    entry: true,
    namespaces: ['team-z'],
    defaults: ['team-z'],
    edges: [{ from: 'default/productpage', to: 'team-z/extra' }],
    steps: [
      ['bookinfo-default', 7, 4],
      ['extra', 8, 5],
    ],
  };

  test('GIVEN a chart created after buildMesh WHEN the mesh is finalized THEN the service is in the mesh', () => {
    const app = new App({ outdir: NEVER_WRITTEN });
    const mesh = buildMesh(config, { app });
    new MeshedService(new Chart(app, 'extra'), 'extra', extraProps(mesh, { callers: [mesh.service('default/productpage').identity] }));
    expect(derived(mesh)).toEqual(expected);
  });

  test('GIVEN a chart and service created before buildMesh (from the config alone) WHEN the mesh is finalized THEN the service is in the mesh', () => {
    const app = new App({ outdir: NEVER_WRITTEN });
    const chart = new Chart(app, 'extra');
    const injection = { podAnnotations: { 'inject.istio.io/templates': 'sidecar,spire' }, podLabels: { 'sidecar.istio.io/inject': 'true' } };
    const productpage = workloadIdentity(config.trustDomain, 'default', 'bookinfo-productpage');
    new MeshedService(chart, 'extra', extraProps({ trustDomain: config.trustDomain, injection, authorization: config.authorization.mode }, { callers: [productpage] }));
    const mesh = buildMesh(config, { app });
    expect(derived(mesh)).toEqual(expected);
    expect(mesh.steps.map((s) => s.chart).indexOf(chart)).toBe(mesh.steps.length - 1);
  });

  test('GIVEN a service added after the mesh was finalized WHEN finalizing again (as synth does) THEN it is refused by name', () => {
    const app = new App({ outdir: NEVER_WRITTEN });
    const mesh = buildMesh(config, { app });
    mesh.finalize();
    new MeshedService(new Chart(app, 'late'), 'extra', extraProps(mesh, {}));
    expect(() => mesh.finalize()).toThrow("MeshedService(team-z/extra): 'late/extra' joined the App after the mesh was finalized");
  });

  test('a chart synthesized without synthMesh (never finalized) fails its validation, saying so', () => {
    const app = new App({ outdir: NEVER_WRITTEN });
    buildMesh(config, { app });
    const chart = new Chart(app, 'extra');
    expect(() => chart.toJson()).toThrow(/the mesh was not finalized: synthesize it with synthMesh\(mesh\)/);
  });

  test('Mesh.service names what it could not find', () => {
    const mesh = buildMesh(config, { outdir: NEVER_WRITTEN });
    expect(mesh.service('default/details').key).toBe('default/details');
    expect(() => mesh.service('team-z/nope')).toThrow("Mesh.service key: 'team-z/nope' is no MeshedService of the App yet (there are default/details, ");
  });

  test('Mesh.service says bookinfo is disabled when it is, and that there are no services', () => {
    const mesh = buildMesh(resolveMeshConfig({ bookinfo: { enabled: false } }), { outdir: NEVER_WRITTEN });
    expect(() => mesh.service('default/productpage')).toThrow(
      "Mesh.service key: 'default/productpage' is no MeshedService of the App yet (there are none; bookinfo is disabled (bookinfo.enabled: false), so none of its services is there)",
    );
  });
});
