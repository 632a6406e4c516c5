import { workloadIdentity } from '../../lib/identity';
import { buildMesh, MeshContext } from '../../lib/composition-root';
import { resolveMeshConfig } from '../../lib/config/load';
import { MeshedService } from '../../lib/mesh/meshed-service';
import { collectMeshWorkloads } from '../../lib/mesh/workload';

const IMAGE = 'ghcr.io/example/echo:1.0.0';

/** Builds the default mesh with one more service added in code. */
function withService(props: Partial<ConstructorParameters<typeof MeshedService>[2]> = {}, overrides: unknown = {}) {
  let added: MeshedService | undefined;
  const mesh = buildMesh(resolveMeshConfig(overrides), {
    outdir: '/nonexistent/never-written',
    extend: (m: MeshContext) => {
      added = new MeshedService(m.addChart('extra', 'one more service'), 'extra', {
        name: 'extra',
        namespace: 'team-z',
        port: 8080,
        versions: [{ name: 'v1', image: IMAGE }],
        trustDomain: m.trustDomain,
        injection: m.injection,
        authorization: m.authorization,
        ...props,
      });
    },
  });
  return { mesh, added: added! };
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

  test('a chart added in code must not take the name of another', () => {
    expect(() => buildMesh(resolveMeshConfig({}), { extend: (m) => m.addChart('spire', 'again') })).toThrow(
      "MeshContext.addChart name: 'spire' is already the name of a chart",
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
