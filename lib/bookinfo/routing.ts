import { Construct } from 'constructs';
import {
  DestinationRule,
  DestinationRuleSpecTrafficPolicyPortLevelSettingsTlsMode,
  Gateway,
  GatewaySpecServersTlsMode,
  VirtualService,
  VirtualServiceSpecHttpMatch,
} from '../../imports/networking.istio.io';
import { IIngressGateway } from '../istio/interfaces';
import { MeshedService } from '../mesh/meshed-service';
import { BOOKINFO_ROUTING } from './declarations';
import { checkPort, checkUnique, ValidationError } from '../validation';

/** The product page paths the demo exposes through the gateway, in the order they are matched. */
const PRODUCTPAGE_MATCHES: readonly VirtualServiceSpecHttpMatch[] = [
  { uri: { exact: '/productpage' } },
  { uri: { prefix: '/static' } },
  { uri: { exact: '/login' } },
  { uri: { exact: '/logout' } },
  { uri: { prefix: '/api/v1/products' } },
];

export interface BookinfoRoutingProps {
  /** The service the gateway routes to: its namespace, Service name and port are used. */
  readonly productpage: MeshedService;
  /**
   * The ingress gateway whose pods serve bookinfo's Gateways.
   * @default - no Gateway or VirtualService: bookinfo is reachable only from inside the mesh
   */
  readonly gateway?: IIngressGateway;
  /**
   * The hosts the Gateways and the VirtualService answer. Two copies of bookinfo on one
   * gateway must not share a host: the TLS server's hosts and the HTTP routes would clash.
   * @default ['*']
   */
  readonly hosts?: readonly string[];
}

/**
 * bookinfo's routing, as in the demo: Gateways `bookinfo-gateway` (plain HTTP) and
 * `bookinfo-gateway-mtls` (ISTIO_MUTUAL) on the ingress gateway's ports, VirtualService
 * `bookinfo-service` sending the product page paths to productpage's Service, and
 * DestinationRule `enable-mtls` making this namespace's clients originate Istio mTLS to the
 * gateway's ISTIO_MUTUAL port, and to nothing else.
 * @see https://istio.io/latest/docs/reference/config/networking/gateway/
 */
export class BookinfoRouting extends Construct {
  public readonly httpGateway?: Gateway;
  public readonly mtlsGateway?: Gateway;
  public readonly virtualService?: VirtualService;
  public readonly destinationRule?: DestinationRule;

  constructor(scope: Construct, id: string, props: BookinfoRoutingProps) {
    super(scope, id);
    const namespace = props.productpage.namespace;
    const hosts = [...(props.hosts ?? ['*'])];
    if (hosts.length === 0) throw new ValidationError('BookinfoRouting.hosts', hosts, 'must list at least one host');
    hosts.forEach((h, i) => {
      if (h !== '*' && !/^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(h)) {
        throw new ValidationError(`BookinfoRouting.hosts[${i}]`, h, 'must be "*" or a DNS name, optionally starting with "*."');
      }
    });
    checkUnique('BookinfoRouting.hosts', hosts);

    const gateway = props.gateway;
    if (!gateway) return;
    checkPort('BookinfoRouting.gateway.httpPort', gateway.httpPort);
    checkPort('BookinfoRouting.gateway.mtlsPort', gateway.mtlsPort);
    if (gateway.httpPort === gateway.mtlsPort) {
      throw new ValidationError('BookinfoRouting.gateway.mtlsPort', gateway.mtlsPort, 'must differ from httpPort');
    }

    // The demo's `*.svc.cluster.local` forced ISTIO_MUTUAL on every call this namespace's
    // clients made (the Kubernetes API, services outside the mesh, the gateway's port 80):
    // Istio takes a client's own namespace's DestinationRule first. Meshed services get mTLS
    // from auto mTLS; the gateway, which has no sidecar, needs it asked for, on its mTLS port only.
    this.destinationRule = new DestinationRule(this, 'enable-mtls', {
      metadata: { name: BOOKINFO_ROUTING.destinationRule, namespace },
      spec: {
        host: gateway.serviceHost,
        exportTo: ['.'],
        trafficPolicy: {
          portLevelSettings: [{ port: { number: gateway.mtlsPort }, tls: { mode: DestinationRuleSpecTrafficPolicyPortLevelSettingsTlsMode.ISTIO_UNDERSCORE_MUTUAL } }],
        },
      },
    });

    this.httpGateway = new Gateway(this, 'bookinfo-gateway', {
      metadata: { name: BOOKINFO_ROUTING.httpGateway, namespace },
      spec: {
        selector: { ...gateway.selector },
        servers: [{ port: { number: gateway.httpPort, name: 'http', protocol: 'HTTP' }, hosts }],
      },
    });
    this.mtlsGateway = new Gateway(this, 'bookinfo-gateway-mtls', {
      metadata: { name: BOOKINFO_ROUTING.mtlsGateway, namespace },
      spec: {
        selector: { ...gateway.selector },
        servers: [
          {
            port: { number: gateway.mtlsPort, name: 'https', protocol: 'HTTPS' },
            hosts,
            tls: { mode: GatewaySpecServersTlsMode.ISTIO_UNDERSCORE_MUTUAL },
          },
        ],
      },
    });
    this.virtualService = new VirtualService(this, 'bookinfo-service', {
      metadata: { name: BOOKINFO_ROUTING.virtualService, namespace },
      spec: {
        hosts,
        // Short names: a VirtualService resolves Gateway and Service names in its own namespace.
        gateways: [this.httpGateway.name, this.mtlsGateway.name],
        http: [
          {
            match: [...PRODUCTPAGE_MATCHES],
            route: [{ destination: { host: props.productpage.service.name, port: { number: props.productpage.port } } }],
          },
        ],
      },
    });
  }
}
