import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-25';
import { Gateway, GatewaySpecServersTlsMode, VirtualService } from '../../imports/networking.istio.io';
import { GatewayServiceType } from '../config/mesh-config';
import { ISpireServerEndpoint } from '../spire/interfaces';
import { checkOneOf } from '../validation';
import { EAST_WEST_PORTS, EastWestGateway } from './east-west-gateway';

/** The Service VMs' SPIRE agents connect to; the in-cluster `spire-server` Service stays ClusterIP. */
export const SPIRE_SERVER_VM_SERVICE = 'spire-server-vms';

export interface SpireServerVmServiceProps {
  /** The server whose agent API the VMs reach. */
  readonly server: ISpireServerEndpoint & { readonly namespace: string; readonly selector: Readonly<Record<string, string>> };
  /** @default 'LoadBalancer' */
  readonly serviceType?: GatewayServiceType;
}

/**
 * The SPIRE server's agent API (8081) for agents outside the cluster: a Service of its own,
 * `LoadBalancer` by default, so the in-cluster Service keeps its type. Its address is the
 * `server_address` of every VM's agent.conf (`npm run mesh -- vm bundle` reads it).
 */
export class SpireServerVmService extends Construct {
  public readonly service: kplus.Service;
  public readonly name = SPIRE_SERVER_VM_SERVICE;
  public readonly namespace: string;
  public readonly port: number;
  public readonly serviceType: GatewayServiceType;

  constructor(scope: Construct, id: string, props: SpireServerVmServiceProps) {
    super(scope, id);
    this.namespace = props.server.namespace;
    this.port = props.server.agentApiPort;
    this.serviceType = checkOneOf('serviceType', props.serviceType ?? 'LoadBalancer', ['LoadBalancer', 'NodePort', 'ClusterIP']);
    const type = { LoadBalancer: kplus.ServiceType.LOAD_BALANCER, NodePort: kplus.ServiceType.NODE_PORT, ClusterIP: kplus.ServiceType.CLUSTER_IP }[this.serviceType];
    this.service = new kplus.Service(this, 'service', {
      metadata: { name: this.name, namespace: this.namespace },
      type,
      ports: [{ name: 'grpc', port: this.port, targetPort: this.port, protocol: kplus.Protocol.TCP }],
    });
    for (const [key, value] of Object.entries(props.server.selector)) this.service.selectLabel(key, value);
  }
}

export interface IstiodExposureProps {
  readonly gateway: EastWestGateway;
  /** `istiod.<namespace>.svc.cluster.local`'s namespace: Istio's. */
  readonly istioNamespace: string;
}

/**
 * istiod reachable from the VMs through the east-west gateway, as Istio's
 * samples/multicluster/expose-istiod.yaml (1.30.3) declares it: a Gateway passing TLS through
 * on 15012 (xDS and CA) and 15017 (webhooks), a VirtualService sending them to istiod's 15012
 * and 443; and, as expose-services.yaml, the cross-network Gateway (15443, AUTO_PASSTHROUGH)
 * through which the VMs' proxies reach the cluster's services with their own mTLS.
 */
export class IstiodExposure extends Construct {
  public readonly istiodGateway: Gateway;
  public readonly istiodVirtualService: VirtualService;
  public readonly crossNetworkGateway: Gateway;
  /** The host name VMs resolve to the gateway's address (their `/etc/hosts`). */
  public readonly istiodHost: string;
  public readonly istiodPort = EAST_WEST_PORTS.istiod;

  constructor(scope: Construct, id: string, props: IstiodExposureProps) {
    super(scope, id);
    const namespace = props.gateway.namespace;
    const selector = { istio: props.gateway.selector.istio };
    const istiod = `istiod.${props.istioNamespace}.svc.cluster.local`;
    this.istiodHost = `istiod.${props.istioNamespace}.svc`;
    const passthrough = (name: string, number: number) => ({ port: { name, number, protocol: 'tls' }, tls: { mode: GatewaySpecServersTlsMode.PASSTHROUGH }, hosts: ['*'] });
    this.istiodGateway = new Gateway(this, 'istiod-gateway', {
      metadata: { name: 'istiod-gateway', namespace },
      spec: { selector, servers: [passthrough('tls-istiod', EAST_WEST_PORTS.istiod), passthrough('tls-istiodwebhook', EAST_WEST_PORTS.webhook)] },
    });
    const route = (port: number, target: number) => ({
      match: [{ port, sniHosts: ['*'] }],
      route: [{ destination: { host: istiod, port: { number: target } } }],
    });
    this.istiodVirtualService = new VirtualService(this, 'istiod-vs', {
      metadata: { name: 'istiod-vs', namespace },
      spec: { hosts: ['*'], gateways: [this.istiodGateway.name], tls: [route(EAST_WEST_PORTS.istiod, 15012), route(EAST_WEST_PORTS.webhook, 443)] },
    });
    this.crossNetworkGateway = new Gateway(this, 'cross-network-gateway', {
      metadata: { name: 'cross-network-gateway', namespace },
      spec: {
        selector,
        servers: [{ port: { number: EAST_WEST_PORTS.crossNetwork, name: 'tls', protocol: 'TLS' }, tls: { mode: GatewaySpecServersTlsMode.AUTO_UNDERSCORE_PASSTHROUGH }, hosts: ['*.local'] }],
      },
    });
  }
}
