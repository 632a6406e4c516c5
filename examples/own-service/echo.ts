// Team A's own service, added to the mesh in code. In your project, import from
// 'spire-mesh' instead of '../../lib'.
import { MeshContext, MeshedService } from '../../lib';

/**
 * An echo server in namespace `team-a`, in a chart of its own: bookinfo's productpage and
 * the ingress gateway (at echo.example.com) may call it, nobody else. The mesh gives it its
 * namespace, SPIRE entry and allow-nothing default.
 */
export function addEcho(mesh: MeshContext): MeshedService {
  const gateway = mesh.ingressGateway!;
  const chart = mesh.addChart('team-a-echo', 'team A: the echo service');
  return new MeshedService(chart, 'echo', {
    name: 'echo',
    namespace: 'team-a',
    port: 8080,
    versions: [{ name: 'v1', image: 'docker.io/ealen/echo-server:0.9.2' }],
    callers: [mesh.services.get('default/productpage')!.identity, gateway.identity],
    route: { gateway, hosts: ['echo.example.com'] },
    trustDomain: mesh.trustDomain,
    injection: mesh.injection,
    authorization: mesh.authorization,
  });
}
