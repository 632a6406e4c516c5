import { schemaProblems } from '../support/schema';
import { find, synthesize } from '../support/synth';
import { serviceWiringProblems } from '../support/workloads';

const IMAGE = 'ghcr.io/example/api:1.0.0';

describe('services from the config', () => {
  const { charts, mesh, all } = synthesize({
    bookinfo: { enabled: false },
    services: [
      { name: 'api', namespace: 'team-a', port: 8080, servicePort: 80, image: IMAGE, replicas: 2, env: { MODE: 'prod' }, callers: ['ingress', 'worker'], route: { hosts: ['api.example.com'], pathPrefixes: ['/v1'] } },
      { name: 'worker', namespace: 'team-a', port: 9000, protocol: 'grpc', versions: [{ name: 'blue', image: IMAGE }, { name: 'green', image: IMAGE }], callers: ['team-b/client'] },
      { name: 'client', namespace: 'team-b', port: 8080, image: IMAGE, resources: { memoryLimit: '128Mi' } },
    ],
  });

  test('get one chart per namespace, after the mesh policy, and no bookinfo when it is disabled', () => {
    expect(mesh.charts.map((c) => c.name)).toEqual(['namespaces', 'spire', 'registration', 'istio-operator', 'mesh-policy', 'services-team-a', 'services-team-b']);
    expect(mesh.bookinfo).toEqual([]);
    expect(schemaProblems(all)).toEqual([]);
  });

  test('get their namespaces created and an allow-nothing default in each', () => {
    expect(charts.get('namespaces')!.map((m) => m.metadata.name)).toEqual(['spire', 'istio-system', 'team-a', 'team-b']);
    expect(charts.get('mesh-policy')!.filter((m) => m.kind === 'AuthorizationPolicy').map((m) => `${m.metadata.namespace}/${m.metadata.name}`)).toEqual([
      'team-a/allow-nothing',
      'team-b/allow-nothing',
    ]);
  });

  test('each field reaches its object: ports, protocol, versions, replicas, env, resources', () => {
    const a = charts.get('services-team-a')!;
    expect(serviceWiringProblems([...a, ...charts.get('services-team-b')!])).toEqual([]);
    expect(find(a, 'Service', 'api').spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }]);
    const api = find(a, 'Deployment', 'api-v1');
    expect(api.spec.replicas).toBe(2);
    expect(api.spec.template.spec.containers[0]).toMatchObject({ image: IMAGE, env: [{ name: 'MODE', value: 'prod' }] });
    expect(find(a, 'Service', 'worker').spec.ports[0].name).toBe('grpc');
    expect(a.filter((m) => m.kind === 'Deployment').map((m) => m.metadata.name)).toEqual(['api-v1', 'worker-blue', 'worker-green']);
    const client = find(charts.get('services-team-b')!, 'Deployment', 'client-v1');
    expect(client.spec.template.spec.containers[0].resources.limits).toEqual({ memory: '128Mi' });
  });

  test('a route becomes a Gateway and a VirtualService to the Service port', () => {
    const a = charts.get('services-team-a')!;
    expect(find(a, 'VirtualService', 'api').spec.http[0]).toEqual({
      match: [{ uri: { prefix: '/v1' } }],
      route: [{ destination: { host: 'api', port: { number: 80 } } }],
    });
    expect(find(a, 'Gateway', 'api-gateway').spec.servers[0].hosts).toEqual(['api.example.com']);
  });

  test('every service is registered, and the gateway too', () => {
    expect(mesh.registration.workloadEntries.map((e) => e.spiffeId.text)).toEqual([
      'spiffe://example.org/ns/team-a/sa/api',
      'spiffe://example.org/ns/team-a/sa/worker',
      'spiffe://example.org/ns/team-b/sa/client',
      'spiffe://example.org/ns/istio-system/sa/istio-ingressgateway-service-account',
    ]);
  });

  test('the identity graph has one node per service and the gateway, and one edge per declared caller', () => {
    expect(mesh.identityGraph).toEqual({
      nodes: [
        { id: 'ingress', namespace: 'istio-system', serviceAccount: 'istio-ingressgateway-service-account', spiffeId: 'spiffe://example.org/ns/istio-system/sa/istio-ingressgateway-service-account' },
        { id: 'team-a/api', namespace: 'team-a', serviceAccount: 'api', spiffeId: 'spiffe://example.org/ns/team-a/sa/api' },
        { id: 'team-a/worker', namespace: 'team-a', serviceAccount: 'worker', spiffeId: 'spiffe://example.org/ns/team-a/sa/worker' },
        { id: 'team-b/client', namespace: 'team-b', serviceAccount: 'client', spiffeId: 'spiffe://example.org/ns/team-b/sa/client' },
      ],
      edges: [
        { from: 'ingress', to: 'team-a/api' },
        { from: 'team-a/worker', to: 'team-a/api' },
        { from: 'team-b/client', to: 'team-a/worker' },
      ],
    });
  });
});
