import * as kplus from 'cdk8s-plus-25';
import { k8s } from 'cdk8s-plus-25';
import { GatewayServiceType } from '../config/mesh-config';
import { containerSecurityContext, resources } from '../core/pod-defaults';
import { workloadIdentity, WorkloadIdentity } from '../identity';
import { IWorkloadApiCsi } from '../spire/interfaces';
import { checkImage, checkOneOf, checkPort, ValidationError } from '../validation';
import { GatewayValues, GatewayServicePort } from './helm-values-api';
import { IIngressGateway } from './interfaces';
import { GatewayComponentSpec, KubernetesOverlay } from './operator-api';
import { PROXY_CONTAINER, WorkloadSocket, WORKLOAD_SOCKET_VOLUME } from './workload-socket';

/** The gateway istioctl's default profile installs; its Deployment and Service carry this name. */
export const INGRESS_GATEWAY_NAME = 'istio-ingressgateway';
/** The init container that holds the gateway back until the SPIRE socket exists (Istio's SPIRE sample's name). */
export const SOCKET_WAIT_CONTAINER = 'wait-for-spire-socket';
/** The uid and gid Istio's proxy runs as; the wait container runs as the same user. */
const PROXY_UID = 1337;
const SERVICE_TYPES: readonly GatewayServiceType[] = ['LoadBalancer', 'NodePort', 'ClusterIP'];

export interface IngressGatewayProps {
  /** The SPIFFE CSI driver that serves the SPIRE agent's Workload API socket. */
  readonly csi: IWorkloadApiCsi;
  /** The trust domain of the gateway's identity (SPIRE's). */
  readonly trustDomain: string;
  /** The namespace Istio is installed into; istioctl puts the gateway there. */
  readonly namespace: kplus.Namespace;
  /**
   * Image of the init container that waits for the SPIRE socket: any image with a POSIX
   * `sh`. The Istio proxy image (`<hub>/proxyv2:<version>`, Ubuntu-based) is the natural
   * choice: every node running the gateway pulls it anyway, so nothing new is pinned.
   */
  readonly socketWaitImage: string;
  /**
   * Port the gateway proxy serves plain HTTP on (inside the pod).
   * @default 8080
   */
  readonly httpPort?: number;
  /**
   * Port the gateway proxy serves ISTIO_MUTUAL TLS on (inside the pod, and on the Service).
   * @default 7080
   */
  readonly mtlsPort?: number;
  /**
   * Type of the gateway's Service.
   * @default 'LoadBalancer'
   */
  readonly serviceType?: GatewayServiceType;
}

/**
 * The `istio-ingressgateway`, with SPIRE's Workload API socket mounted into its
 * `istio-proxy` container and an init container that waits for that socket. Not a
 * construct: istioctl or the `gateway` Helm chart renders the Deployment; this class gives
 * both renderings their gateway settings from one set of values, and gives bookinfo and
 * registration the gateway's selector, ports and identity.
 *
 * istioctl: `k8s.overlays` patches on the rendered Deployment (Istio's SPIRE guide's form: a
 * patch names the `istio-proxy` container explicitly). Helm: the chart's own `volumes`,
 * `volumeMounts` and `initContainers` values, with the chart's default `gateway` injection
 * template only (see docs/istio.md for why not `gateway,spire`).
 * @see https://istio.io/latest/docs/ops/integrations/spire/#install-istio
 */
export class IngressGateway implements IIngressGateway {
  public readonly name = INGRESS_GATEWAY_NAME;
  public readonly namespace: string;
  /** istioctl's gateway chart names the service account `<gateway>-service-account`; the Helm rendering keeps that name. */
  public readonly serviceAccountName = `${INGRESS_GATEWAY_NAME}-service-account`;
  public readonly selector: Readonly<Record<string, string>> = { istio: 'ingressgateway' };
  public readonly httpPort: number;
  public readonly mtlsPort: number;
  public readonly serviceType: GatewayServiceType;
  /**
   * The Service's ports: istioctl's default-profile list (status, HTTP, HTTPS), plus the
   * ISTIO_MUTUAL port, so that meshed clients can reach the `bookinfo-gateway-mtls` server.
   */
  public readonly servicePorts: readonly GatewayServicePort[];
  public readonly identity: WorkloadIdentity;
  public readonly serviceHost: string;
  public readonly socket: WorkloadSocket;
  /** Holds the pod back until the SPIRE agent serves the socket (see `socketWaitScript` in lib/istio/ingress-gateway.ts). */
  public readonly socketWait: k8s.Container;

  constructor(props: IngressGatewayProps) {
    this.namespace = props.namespace.name;
    this.httpPort = checkPort('httpPort', props.httpPort ?? 8080);
    this.mtlsPort = checkPort('mtlsPort', props.mtlsPort ?? 7080);
    if (this.httpPort === this.mtlsPort) {
      throw new ValidationError('mtlsPort', this.mtlsPort, `must differ from httpPort (${this.httpPort})`);
    }
    this.serviceType = checkOneOf('serviceType', props.serviceType ?? 'LoadBalancer', SERVICE_TYPES);
    this.socket = new WorkloadSocket(props.csi);
    this.identity = workloadIdentity(props.trustDomain, this.namespace, this.serviceAccountName);
    // istioctl and the gateway chart both name the Service after the gateway.
    this.serviceHost = `${this.name}.${this.namespace}.svc.cluster.local`;
    this.servicePorts = [
      { name: 'status-port', port: 15021, targetPort: 15021, protocol: 'TCP' },
      { name: 'http2', port: 80, targetPort: this.httpPort, protocol: 'TCP' },
      { name: 'https', port: 443, targetPort: 8443, protocol: 'TCP' },
      // `http-`: a meshed client's sidecar sees plain HTTP from its app and originates the ISTIO_MUTUAL TLS itself.
      { name: 'http-mtls', port: this.mtlsPort, targetPort: this.mtlsPort, protocol: 'TCP' },
    ];
    const otherPorts = this.servicePorts.filter((p) => p.targetPort !== this.mtlsPort).map((p) => p.port);
    if (otherPorts.includes(this.mtlsPort)) {
      throw new ValidationError('mtlsPort', this.mtlsPort, `must not be one of the gateway Service's other ports (${otherPorts.join(', ')})`);
    }
    this.socketWait = socketWaitContainer(this.socket, checkImage('socketWaitImage', props.socketWaitImage));
  }

  /** The gateway's entry in `components.ingressGateways` of the IstioOperator. */
  public componentSpec(): GatewayComponentSpec {
    return {
      name: this.name,
      enabled: true,
      label: this.selector,
      k8s: {
        // istioctl turns `service.ports` into its gateway chart's port values (operator/pkg/render/postprocess.go), replacing the default list.
        service: { type: this.serviceType, ports: this.servicePorts.map((p) => ({ ...p })) },
        overlays: [socketOverlay(this.name, this.socket, this.socketWait)],
      },
    };
  }

  /**
   * Values of Istio's `gateway` Helm chart. The chart injects the pod with istiod's `gateway`
   * template alone, which keeps `istio-proxy` in `containers` (inject.go moves it to
   * `initContainers` only when an applied template, such as `spire` under native sidecars,
   * names it there) and declares `workload-socket` with a null `emptyDir`, so the chart's
   * CSI volume of that name stands (istio/istio#56217; #46988, #53252 for the collision).
   */
  public helmValues(): GatewayValues {
    return {
      name: this.name,
      labels: { ...this.selector },
      serviceAccount: { create: true, name: this.serviceAccountName },
      // Argo CD reports an HPA without metrics as Degraded, which would stop every later wave; one replica, as istioctl's default.
      autoscaling: { enabled: false },
      replicaCount: 1,
      service: { type: this.serviceType, ports: this.servicePorts.map((p) => ({ ...p })) },
      ...socketChartValues(this.socket, this.socketWait),
    };
  }
}

/**
 * The istioctl overlay that gives gateway Deployment `deployment` the SPIRE socket volume, its
 * mount in `istio-proxy` and the wait container (Istio's SPIRE guide's form: a patch names the
 * proxy container explicitly).
 */
export function socketOverlay(deployment: string, socket: WorkloadSocket, wait: k8s.Container): KubernetesOverlay {
  const podSpec = 'spec.template.spec';
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: deployment,
    patches: [
      { path: `${podSpec}.volumes.[name:${WORKLOAD_SOCKET_VOLUME}]`, value: socket.volumeJson() },
      { path: `${podSpec}.containers.[name:${PROXY_CONTAINER}].volumeMounts.[name:${WORKLOAD_SOCKET_VOLUME}]`, value: socket.mountJson() },
      // The rendered Deployment has no init containers: the list is set whole, as Istio's SPIRE sample does.
      { path: `${podSpec}.initContainers`, value: [k8s.toJson_Container(wait)] },
    ],
  };
}

/** The same socket volume, mount and wait container as values of Istio's `gateway` chart. */
export function socketChartValues(socket: WorkloadSocket, wait: k8s.Container): Pick<GatewayValues, 'volumes' | 'volumeMounts' | 'initContainers'> {
  return { volumes: [socket.volumeJson()], volumeMounts: [socket.mountJson()], initContainers: [k8s.toJson_Container(wait)!] };
}

/**
 * A gateway pod's init container that holds it back until the SPIRE agent serves `socket`
 * (see {@link socketWaitScript}), as the proxy's user with the restricted securityContext.
 * @param image any image with a POSIX `sh` and `sleep`: the gateway's own proxy image
 */
export function socketWaitContainer(socket: WorkloadSocket, image: string): k8s.Container {
  return {
    name: SOCKET_WAIT_CONTAINER,
    image,
    command: ['sh', '-c', socketWaitScript()],
    env: [{ name: 'SOCKET', value: socket.socketPath }],
    volumeMounts: [socket.mount],
    securityContext: containerSecurityContext({ uid: PROXY_UID, gid: PROXY_UID }),
    resources: resources('10m', '16Mi', '32Mi'),
  };
}

/**
 * Waits until the SPIRE socket exists: belt and braces. Without it, a proxy that starts first
 * has no certificates until the socket appears (Envoy's `sds-grpc` cluster is the socket path,
 * so it reaches SPIRE then), and pilot-agent logs errors trying to serve its own SDS on the
 * read-only CSI mount meanwhile (istio/istio#41308; `pkg/istio-agent/agent.go:382-404` at
 * 1.30.3). Reads the path from `$SOCKET`, and looks every `$WAIT_INTERVAL_SECONDS` (2 unless set).
 */
export function socketWaitScript(): string {
  return 'until [ -S "$SOCKET" ]; do echo "waiting for the SPIRE agent socket $SOCKET"; sleep "${WAIT_INTERVAL_SECONDS:-2}"; done; echo "found $SOCKET"';
}
