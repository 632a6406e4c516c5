import * as kplus from 'cdk8s-plus-25';
import { k8s } from 'cdk8s-plus-25';
import { GatewayServiceType } from '../config/mesh-config';
import { workloadIdentity, WorkloadIdentity } from '../identity';
import { GatewayServicePort, GatewayValues } from '../istio/helm-values-api';
import { socketChartValues, socketOverlay, socketWaitContainer } from '../istio/ingress-gateway';
import { GatewayComponentSpec } from '../istio/operator-api';
import { WorkloadSocket } from '../istio/workload-socket';
import { IWorkloadApiCsi } from '../spire/interfaces';
import { checkDns1123Label, checkImage, checkOneOf } from '../validation';

/** The gateway Istio's multicluster samples install for traffic between networks, and for VMs to reach istiod. */
export const EAST_WEST_GATEWAY_NAME = 'istio-eastwestgateway';
/** The label a network gateway carries (samples/multicluster/gen-eastwest-gateway.sh:119 in Istio 1.30.3). */
export const NETWORK_LABEL = 'topology.istio.io/network';

/** The ports of gen-eastwest-gateway.sh (Istio 1.30.3, lines 146-158): status, cross-network mTLS, istiod's xDS/CA and webhook. */
export const EAST_WEST_PORTS = { status: 15021, crossNetwork: 15443, istiod: 15012, webhook: 15017 } as const;

export interface EastWestGatewayProps {
  readonly csi: IWorkloadApiCsi;
  readonly trustDomain: string;
  /** Istio's namespace: the gateway runs there. */
  readonly namespace: kplus.Namespace;
  /** The cluster's network (`global.network`): its label and `ISTIO_META_REQUESTED_NETWORK_VIEW`. */
  readonly network: string;
  /** Any image with a POSIX sh: the proxy image, as for the ingress gateway. */
  readonly socketWaitImage: string;
  /** @default 'LoadBalancer' */
  readonly serviceType?: GatewayServiceType;
}

/**
 * `istio-eastwestgateway`: the network gateway VMs reach istiod (15012, 15017) and the mesh's
 * services (15443, AUTO_PASSTHROUGH) through, as Istio's gen-eastwest-gateway.sh declares it,
 * with SPIRE's socket mounted into its `istio-proxy` exactly as the ingress gateway's (same
 * overlays for istioctl, same chart values for Helm). Not a construct: both renderings read it.
 * @see https://istio.io/latest/docs/setup/install/virtual-machine/
 */
export class EastWestGateway {
  public readonly name = EAST_WEST_GATEWAY_NAME;
  public readonly namespace: string;
  public readonly serviceAccountName = `${EAST_WEST_GATEWAY_NAME}-service-account`;
  public readonly network: string;
  public readonly selector: Readonly<Record<string, string>>;
  /** The labels of its pods: the selector and the network label. */
  public readonly labels: Readonly<Record<string, string>>;
  /** The proxy's environment: traffic through it stays in its network. */
  public readonly env: Readonly<Record<string, string>>;
  public readonly serviceType: GatewayServiceType;
  public readonly servicePorts: readonly GatewayServicePort[];
  public readonly identity: WorkloadIdentity;
  public readonly socket: WorkloadSocket;
  public readonly socketWait: k8s.Container;

  constructor(props: EastWestGatewayProps) {
    this.namespace = props.namespace.name;
    this.network = checkDns1123Label('network', props.network);
    this.selector = { istio: 'eastwestgateway', app: EAST_WEST_GATEWAY_NAME };
    this.labels = { ...this.selector, [NETWORK_LABEL]: this.network };
    this.env = { ISTIO_META_REQUESTED_NETWORK_VIEW: this.network };
    this.serviceType = checkOneOf('serviceType', props.serviceType ?? 'LoadBalancer', ['LoadBalancer', 'NodePort', 'ClusterIP']);
    const port = (name: string, n: number): GatewayServicePort => ({ name, port: n, targetPort: n, protocol: 'TCP' });
    this.servicePorts = [
      port('status-port', EAST_WEST_PORTS.status),
      port('tls', EAST_WEST_PORTS.crossNetwork),
      port('tls-istiod', EAST_WEST_PORTS.istiod),
      port('tls-webhook', EAST_WEST_PORTS.webhook),
    ];
    this.socket = new WorkloadSocket(props.csi);
    this.identity = workloadIdentity(props.trustDomain, this.namespace, this.serviceAccountName);
    this.socketWait = socketWaitContainer(this.socket, checkImage('socketWaitImage', props.socketWaitImage));
  }

  /** Its entry in `components.ingressGateways` of the IstioOperator. */
  public componentSpec(): GatewayComponentSpec {
    return {
      name: this.name,
      enabled: true,
      label: { ...this.labels },
      k8s: {
        env: Object.entries(this.env).map(([name, value]) => ({ name, value })),
        service: { type: this.serviceType, ports: this.servicePorts.map((p) => ({ ...p })) },
        overlays: [socketOverlay(this.name, this.socket, this.socketWait)],
      },
    };
  }

  /** Values of Istio's `gateway` chart for this gateway (the ingress gateway's shape, plus `env`). */
  public helmValues(): GatewayValues {
    return {
      name: this.name,
      labels: { ...this.labels },
      serviceAccount: { create: true, name: this.serviceAccountName },
      autoscaling: { enabled: false },
      replicaCount: 1,
      env: { ...this.env },
      service: { type: this.serviceType, ports: this.servicePorts.map((p) => ({ ...p })) },
      ...socketChartValues(this.socket, this.socketWait),
    };
  }
}
