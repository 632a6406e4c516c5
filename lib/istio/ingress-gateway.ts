import * as kplus from 'cdk8s-plus-25';
import { workloadIdentity, WorkloadIdentity } from '../identity';
import { IWorkloadApiCsi } from '../spire/interfaces';
import { checkPort, ValidationError } from '../validation';
import { IIngressGateway } from './interfaces';
import { GatewayComponentSpec } from './operator-api';
import { PROXY_CONTAINER, WorkloadSocket, WORKLOAD_SOCKET_VOLUME } from './workload-socket';

/** The gateway istioctl's default profile installs; its Deployment and Service carry this name. */
export const INGRESS_GATEWAY_NAME = 'istio-ingressgateway';

export interface IngressGatewayProps {
  /** The SPIFFE CSI driver that serves the SPIRE agent's Workload API socket. */
  readonly csi: IWorkloadApiCsi;
  /** The trust domain of the gateway's identity (SPIRE's). */
  readonly trustDomain: string;
  /** The namespace Istio is installed into; istioctl puts the gateway there. */
  readonly namespace: kplus.Namespace;
  /**
   * Port the gateway proxy serves plain HTTP on (inside the pod).
   * @default 8080
   */
  readonly httpPort?: number;
  /**
   * Port the gateway proxy serves ISTIO_MUTUAL TLS on (inside the pod).
   * @default 7080
   */
  readonly mtlsPort?: number;
}

/**
 * The `istio-ingressgateway` of the IstioOperator, with SPIRE's Workload API socket mounted
 * into its `istio-proxy` container. Not a construct: istioctl renders the Deployment; this
 * class gives the operator its component spec and gives bookinfo and registration the
 * gateway's selector, ports and identity.
 *
 * The mount is added with `k8s.overlays` (patches to the rendered Deployment), the way
 * Istio's SPIRE guide does it: a patch names the `istio-proxy` container explicitly, while
 * `k8s.volumeMounts` does not say which container it lands in.
 * @see https://istio.io/latest/docs/ops/integrations/spire/#install-istio
 */
export class IngressGateway implements IIngressGateway {
  public readonly name = INGRESS_GATEWAY_NAME;
  public readonly namespace: string;
  /** istioctl's gateway chart names the service account `<gateway>-service-account`. */
  public readonly serviceAccountName = `${INGRESS_GATEWAY_NAME}-service-account`;
  public readonly selector: Readonly<Record<string, string>> = { istio: 'ingressgateway' };
  public readonly httpPort: number;
  public readonly mtlsPort: number;
  public readonly identity: WorkloadIdentity;
  public readonly socket: WorkloadSocket;

  constructor(props: IngressGatewayProps) {
    this.namespace = props.namespace.name;
    this.httpPort = checkPort('httpPort', props.httpPort ?? 8080);
    this.mtlsPort = checkPort('mtlsPort', props.mtlsPort ?? 7080);
    if (this.httpPort === this.mtlsPort) {
      throw new ValidationError('mtlsPort', this.mtlsPort, `must differ from httpPort (${this.httpPort})`);
    }
    this.socket = new WorkloadSocket(props.csi);
    this.identity = workloadIdentity(props.trustDomain, this.namespace, this.serviceAccountName);
  }

  /** The gateway's entry in `components.ingressGateways`. */
  public componentSpec(): GatewayComponentSpec {
    const podSpec = 'spec.template.spec';
    return {
      name: this.name,
      enabled: true,
      label: this.selector,
      k8s: {
        overlays: [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name: this.name,
            patches: [
              { path: `${podSpec}.volumes.[name:${WORKLOAD_SOCKET_VOLUME}]`, value: this.socket.volumeJson() },
              {
                path: `${podSpec}.containers.[name:${PROXY_CONTAINER}].volumeMounts.[name:${WORKLOAD_SOCKET_VOLUME}]`,
                value: this.socket.mountJson(),
              },
            ],
          },
        ],
      },
    };
  }
}
