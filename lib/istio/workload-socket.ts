import { k8s } from 'cdk8s-plus-25';
import { IWorkloadApiCsi } from '../spire/interfaces';
import { checkDns1123Subdomain, ValidationError } from '../validation';

/**
 * The directory where Istio's proxy looks for the Workload API socket: when a socket named
 * {@link ISTIO_SOCKET_FILE} exists there, pilot-agent fetches certificates from it instead of istiod.
 * @see https://istio.io/latest/docs/ops/integrations/spire/
 */
export const WORKLOAD_SOCKET_DIR = '/var/run/secrets/workload-spiffe-uds';
/** The socket file name Istio's proxy expects inside {@link WORKLOAD_SOCKET_DIR}; it is not configurable in Istio. */
export const ISTIO_SOCKET_FILE = 'socket';
/** The pod volume that carries the SPIFFE CSI mount. */
export const WORKLOAD_SOCKET_VOLUME = 'workload-socket';
/** The proxy container of injected pods and of the gateway Deployment. */
export const PROXY_CONTAINER = 'istio-proxy';

/**
 * The SPIRE Workload API socket as Istio's proxy mounts it: a read-only CSI volume of the
 * SPIFFE CSI driver, mounted at `WORKLOAD_SOCKET_DIR` (lib/istio/workload-socket.ts). The
 * sidecar template and the ingress gateway both use this one definition, so they cannot disagree.
 */
export class WorkloadSocket {
  /** The CSI driver the volume names, taken from the driver construct. */
  public readonly driverName: string;
  /** Full path of the socket inside the proxy container. */
  public readonly socketPath: string;
  /** The pod volume. */
  public readonly volume: k8s.Volume;
  /** The proxy container's mount of {@link volume}. */
  public readonly mount: k8s.VolumeMount;

  constructor(csi: IWorkloadApiCsi) {
    this.driverName = checkDns1123Subdomain('csi.driverName', csi.driverName);
    if (csi.socketFileName !== ISTIO_SOCKET_FILE) {
      throw new ValidationError(
        'csi.socketFileName',
        csi.socketFileName,
        `must be '${ISTIO_SOCKET_FILE}': Istio's proxy only looks for ${WORKLOAD_SOCKET_DIR}/${ISTIO_SOCKET_FILE}`,
      );
    }
    this.socketPath = `${WORKLOAD_SOCKET_DIR}/${csi.socketFileName}`;
    // Read-only: the proxy only connects to the socket, and the SPIFFE CSI driver refuses writable ephemeral volumes.
    this.volume = { name: WORKLOAD_SOCKET_VOLUME, csi: { driver: this.driverName, readOnly: true } };
    this.mount = { name: WORKLOAD_SOCKET_VOLUME, mountPath: WORKLOAD_SOCKET_DIR, readOnly: true };
  }

  /** The volume as Kubernetes JSON. */
  public volumeJson(): Record<string, unknown> {
    return k8s.toJson_Volume(this.volume)!;
  }

  /** The mount as Kubernetes JSON. */
  public mountJson(): Record<string, unknown> {
    return k8s.toJson_VolumeMount(this.mount)!;
  }
}
