import { meshIndex } from '../../lib/synth';
import { synthesize } from '../support/synth';

describe('the admin section of the index', () => {
  test('GIVEN the default mesh WHEN indexing THEN the CLI gets the server and gateway wiring values the manifests use', () => {
    // GIVEN
    const { mesh } = synthesize({ namespaces: { istio: 'mesh-system' } });
    const server = mesh.spire.server;
    const gateway = mesh.istio.ingressGateway!;
    // WHEN
    const index = meshIndex(mesh);
    expect(index.admin).toBeDefined();
    // THEN
    expect(index.admin).toEqual({
      spireServer: {
        namespace: server.namespace,
        podName: server.podNames[0],
        containerName: server.containerName,
        binaryPath: server.binaryPath,
        adminSocketPath: server.adminSocketPath,
      },
      ingressGateway: { namespace: 'mesh-system', selector: gateway.selector, httpPort: gateway.httpPort },
    });
  });

  test('GIVEN the ingress gateway switched off WHEN indexing THEN there is nothing to port-forward to', () => {
    const { mesh } = synthesize({ istio: { ingressGateway: { enabled: false } } });
    expect(meshIndex(mesh).admin?.ingressGateway).toBeUndefined();
  });
});
