import { meshIndex } from '../../lib/synth';
import { find, synthesize } from '../support/synth';

describe('the admin section of the index', () => {
  test('GIVEN the default mesh WHEN indexing THEN the CLI gets the server and gateway wiring values the manifests use', () => {
    // GIVEN
    const { mesh, charts } = synthesize({ namespaces: { istio: 'mesh-system' } });
    const server = mesh.spire.server;
    const gateway = mesh.istio.ingressGateway!;
    const statefulSet = find(charts.get('spire')!, 'StatefulSet', 'spire-server');
    // WHEN
    const index = meshIndex(mesh);
    // THEN
    expect(index.admin).toEqual({
      spireServer: {
        namespace: server.namespace,
        selector: statefulSet.spec.selector.matchLabels,
        containerName: server.containerName,
        binaryPath: server.binaryPath,
        adminSocketPath: server.adminSocketPath,
      },
      ingressGateway: { namespace: 'mesh-system', selector: gateway.selector, httpPort: gateway.httpPort },
    });
  });

  test('GIVEN the server selector WHEN matching the pod template THEN it selects the server pods, which run the admin container', () => {
    const { mesh, charts } = synthesize();
    const template = find(charts.get('spire')!, 'StatefulSet', 'spire-server').spec.template;
    for (const [key, value] of Object.entries(meshIndex(mesh).admin.spireServer.selector)) expect(template.metadata.labels[key]).toBe(value);
    expect(template.spec.containers.map((c: { name: string }) => c.name)).toContain(mesh.spire.server.containerName);
  });

  test('GIVEN the ingress gateway switched off WHEN indexing THEN there is nothing to port-forward to', () => {
    const { mesh } = synthesize({ istio: { ingressGateway: { enabled: false } } });
    expect(meshIndex(mesh).admin.ingressGateway).toBeUndefined();
  });

  test('GIVEN the default mesh WHEN indexing THEN the index carries its version and the Istio release istioctl must match', () => {
    const { mesh, config } = synthesize({ istio: { version: '1.30.1' } });
    const index = meshIndex(mesh);
    expect(index.version).toBe(1);
    expect(index.istioVersion).toBe(config.istio.version);
  });
});
