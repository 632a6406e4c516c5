import { Bookinfo } from '../../lib/bookinfo/bookinfo';
import { BookinfoRouting } from '../../lib/bookinfo/routing';
import { DEFAULT_CONFIG } from '../../lib/config/mesh-config';
import { workloadIdentity } from '../../lib/identity';
import { IIngressGateway } from '../../lib/istio/interfaces';
import { Manifest, schemaProblems } from '../support/schema';
import { find, synthesize } from '../support/synth';
import { testChart } from '../support/test-app';

type Obj = Manifest & Record<string, any>;

// Deliberately not the demo's values, so a test sees whether they come from the object passed in.
const GATEWAY: IIngressGateway = {
  selector: { app: 'edge-proxy' },
  httpPort: 18080,
  mtlsPort: 17080,
  serviceHost: 'edge-proxy.edge.svc.cluster.local',
  identity: workloadIdentity('example.org', 'edge', 'edge-proxy'),
};

function route(props: { gateway?: IIngressGateway; hosts?: string[] } = {}): Obj[] {
  const chart = testChart();
  const bookinfo = new Bookinfo(chart, 'bookinfo', {
    namespace: 'shop',
    trustDomain: 'example.org',
    images: DEFAULT_CONFIG.bookinfo.images,
    injection: { podAnnotations: {}, podLabels: {} },
  });
  new BookinfoRouting(chart, 'routing', { productpage: bookinfo.productpage, gateway: GATEWAY, ...props });
  return chart.toJson() as Obj[];
}

/** Every route destination of every VirtualService, and whether a Service beside it has that name and port. */
function dangling(objs: readonly Obj[]): string[] {
  return objs
    .filter((m) => m.kind === 'VirtualService')
    .flatMap((vs) => vs.spec.http.flatMap((h: any) => h.route.map((r: any) => ({ vs, d: r.destination }))))
    .filter(({ vs, d }) => {
      const svc = objs.find((m) => m.kind === 'Service' && m.metadata.name === d.host && m.metadata.namespace === vs.metadata.namespace);
      return !svc || !svc.spec.ports.some((p: any) => p.port === d.port.number);
    })
    .map(({ d }) => `${d.host}:${d.port.number}`);
}

describe('routing through a given ingress gateway', () => {
  const objs = route();

  test('is schema-valid', () => {
    expect(schemaProblems(objs)).toEqual([]);
  });

  test('bookinfo-gateway serves HTTP on the gateway\'s httpPort, selecting its pods', () => {
    const gw = find(objs, 'Gateway', 'bookinfo-gateway', 'shop');
    expect(gw.spec).toEqual({
      selector: { app: 'edge-proxy' },
      servers: [{ port: { number: 18080, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }],
    });
  });

  test('bookinfo-gateway-mtls serves ISTIO_MUTUAL on the gateway\'s mtlsPort', () => {
    const gw = find(objs, 'Gateway', 'bookinfo-gateway-mtls', 'shop');
    expect(gw.spec).toEqual({
      selector: { app: 'edge-proxy' },
      servers: [{ port: { number: 17080, name: 'https', protocol: 'HTTPS' }, hosts: ['*'], tls: { mode: 'ISTIO_MUTUAL' } }],
    });
  });

  test('bookinfo-service binds both Gateways and routes the product page paths', () => {
    const vs = find(objs, 'VirtualService', 'bookinfo-service', 'shop');
    expect(vs.spec.gateways).toEqual(['bookinfo-gateway', 'bookinfo-gateway-mtls']);
    for (const name of vs.spec.gateways) expect(find(objs, 'Gateway', name, 'shop')).toBeDefined();
    expect(vs.spec.http).toHaveLength(1);
    expect(vs.spec.http[0].match).toEqual([
      { uri: { exact: '/productpage' } },
      { uri: { prefix: '/static' } },
      { uri: { exact: '/login' } },
      { uri: { exact: '/logout' } },
      { uri: { prefix: '/api/v1/products' } },
    ]);
    expect(vs.spec.http[0].route).toEqual([{ destination: { host: 'productpage', port: { number: 9080 } } }]);
  });

  test('the VirtualService routes only to existing Services and ports', () => {
    expect(dangling(objs)).toEqual([]);
  });

  test("enable-mtls makes this namespace's clients use Istio mTLS to the gateway's mTLS port, and changes no other call", () => {
    expect(find(objs, 'DestinationRule', 'enable-mtls', 'shop').spec).toEqual({
      host: 'edge-proxy.edge.svc.cluster.local',
      exportTo: ['.'],
      trafficPolicy: { portLevelSettings: [{ port: { number: 17080 }, tls: { mode: 'ISTIO_MUTUAL' } }] },
    });
  });

  test('hosts, when given, are what Gateways and VirtualService answer', () => {
    const hosted = route({ hosts: ['shop.example.com'] });
    expect(find(hosted, 'Gateway', 'bookinfo-gateway').spec.servers[0].hosts).toEqual(['shop.example.com']);
    expect(find(hosted, 'Gateway', 'bookinfo-gateway-mtls').spec.servers[0].hosts).toEqual(['shop.example.com']);
    expect(find(hosted, 'VirtualService', 'bookinfo-service').spec.hosts).toEqual(['shop.example.com']);
  });
});

test('without an ingress gateway no routing object is created: meshed services need no DestinationRule, auto mTLS covers them', () => {
  const objs = route({ gateway: undefined });
  expect(objs.filter((m) => m.apiVersion.startsWith('networking.istio.io/'))).toEqual([]);
});

describe('bad input throws naming the prop', () => {
  test.each<[string, Parameters<typeof route>[0], RegExp]>([
    ['an empty host list', { hosts: [] }, /BookinfoRouting\.hosts: \[\] must list at least one host/],
    ['a host with a path', { hosts: ['shop.example.com/x'] }, /BookinfoRouting\.hosts\[0\]: 'shop\.example\.com\/x' must be "\*" or a DNS name/],
    ['a duplicate host', { hosts: ['a.example', 'a.example'] }, /BookinfoRouting\.hosts: 'a\.example' is listed twice/],
    ['a gateway port out of range', { gateway: { ...GATEWAY, mtlsPort: 0 } }, /BookinfoRouting\.gateway\.mtlsPort: 0 must be an integer port/],
    ['one port for both servers', { gateway: { ...GATEWAY, mtlsPort: 18080 } }, /BookinfoRouting\.gateway\.mtlsPort: 18080 must differ from httpPort/],
  ])('%s', (_, props, message) => {
    expect(() => route(props)).toThrow(message);
  });
});

describe('routing in the mesh', () => {
  test('the default mesh serves bookinfo on the demo\'s gateway ports 8080 and 7080', () => {
    const objs = synthesize().charts.get('bookinfo-default')! as Obj[];
    expect(find(objs, 'Gateway', 'bookinfo-gateway', 'default').spec.servers[0].port.number).toBe(8080);
    expect(find(objs, 'Gateway', 'bookinfo-gateway-mtls', 'default').spec.servers[0].port.number).toBe(7080);
    expect(find(objs, 'Gateway', 'bookinfo-gateway', 'default').spec.selector).toEqual({ istio: 'ingressgateway' });
    expect(dangling(objs)).toEqual([]);
  });

  test('copies in several namespaces answer distinct hosts, so they do not clash on the shared gateway', () => {
    const { charts } = synthesize({ bookinfo: { namespaces: ['default', 'team-a', 'team-b'] } });
    const hosts = ['default', 'team-a', 'team-b'].map((ns) => {
      const objs = charts.get(`bookinfo-${ns}`)! as Obj[];
      expect(dangling(objs)).toEqual([]);
      return find(objs, 'Gateway', 'bookinfo-gateway-mtls', ns).spec.servers[0].hosts;
    });
    expect(hosts).toEqual([['*'], ['team-a.bookinfo.local'], ['team-b.bookinfo.local']]);
  });

  test('with the ingress gateway disabled, bookinfo has no Gateway or VirtualService', () => {
    const objs = synthesize({ istio: { ingressGateway: { enabled: false } } }).charts.get('bookinfo-default')!;
    expect(objs.filter((m) => m.kind === 'Gateway' || m.kind === 'VirtualService')).toEqual([]);
  });
});
