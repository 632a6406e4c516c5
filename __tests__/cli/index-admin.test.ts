import { workloadIdentity } from '../../lib/identity';
import { meshIndex } from '../../lib/synth';
import { synthesize } from '../support/synth';

describe('the admin section of the index', () => {
  test('GIVEN a mesh without SPIRE and Istio parts WHEN indexing THEN there is no admin section', () => {
    expect(meshIndex(synthesize().mesh)).not.toHaveProperty('admin');
  });

  test('GIVEN a mesh with a SPIRE server and an ingress gateway WHEN indexing THEN the CLI gets their wiring values unchanged', () => {
    // GIVEN
    const { mesh, config } = synthesize({ namespaces: { istio: 'mesh-system' } });
    const server = { namespace: 'spire', podName: 'spire-server-0', containerName: 'spire-server', binaryPath: '/opt/spire/bin/spire-server', adminSocketPath: '/tmp/spire-server/private/api.sock' };
    const ingressGateway = {
      selector: { istio: 'ingressgateway' },
      httpPort: 8080,
      mtlsPort: 7080,
      identity: workloadIdentity(config.trustDomain, 'mesh-system', 'istio-ingressgateway-service-account'),
    };
    // WHEN
    const index = meshIndex({ ...mesh, spire: { server }, istio: { ingressGateway } });
    // THEN
    expect(index.admin).toEqual({
      spireServer: server,
      ingressGateway: { namespace: 'mesh-system', selector: { istio: 'ingressgateway' }, httpPort: 8080 },
    });
  });
});
