/**
 * What other parts of the mesh need from SPIRE, as interfaces: Istio mounts the Workload
 * API through the CSI driver, registration talks to the server's admin socket and parents
 * entries to the agents, the agent reaches the server and the CSI driver serves the agent's
 * socket. The SPIRE constructs implement them, so a consumer takes the construct itself (or a
 * part built elsewhere) and the values cannot drift.
 */
import * as kplus from 'cdk8s-plus-25';
import { k8s } from 'cdk8s-plus-25';

/** The SPIFFE CSI driver as a pod sees it: mount a CSI volume of this driver, find the socket file in it. */
export interface IWorkloadApiCsi {
  /** The CSI driver name a pod's `csi.driver` names, e.g. `csi.spiffe.io`. */
  readonly driverName: string;
  /** The Workload API socket's file name inside the mounted directory (Istio's proxy expects `socket`). */
  readonly socketFileName: string;
}

/**
 * The SPIRE server as an admin reaches it: `kubectl exec` into any Ready pod matching
 * `selector`, run `binaryPath` against the admin socket. The server grants that access.
 */
export interface ISpireServerAdmin {
  readonly namespace: string;
  /** Labels every server pod carries and no other pod does: an admin picks any Ready one. */
  readonly selector: Readonly<Record<string, string>>;
  /** The container that runs `spire-server`. */
  readonly containerName: string;
  /** Path of the `spire-server` binary inside that container. */
  readonly binaryPath: string;
  /** The admin API socket inside that container. */
  readonly adminSocketPath: string;
  /**
   * Lets `serviceAccount` find the server pods and `kubectl exec` into them, nothing else:
   * a Role and RoleBinding in the server's namespace, named after the service account and
   * created beside it (so they come and go with the grantee).
   */
  grantAdminExec(serviceAccount: kplus.ISubject): k8s.KubeRole;
}

/** The SPIRE server as its agents reach it: the Service, the trust domain and the published bundle. */
export interface ISpireServerEndpoint {
  readonly trustDomain: string;
  /** The DNS name of the Service in front of every server replica. */
  readonly serviceDnsName: string;
  /** The agent API port of that Service. */
  readonly agentApiPort: number;
  /** The ConfigMap the server publishes the trust bundle to, in the agents' namespace. */
  readonly bundleConfigMapName: string;
  /** The bundle's key in that ConfigMap. */
  readonly bundleKey: string;
}

/** The SPIRE agents as the server's k8s_psat attestor identifies them. */
export interface ISpireAgentAttestation {
  readonly namespace: string;
  readonly serviceAccountName: string;
  /** The cluster name the agents attest with (`k8s_psat:cluster:<name>`). */
  readonly clusterName: string;
}

/** The agents as the server's k8s_psat attestor admits them: who they are, and their token's audience. */
export interface ISpireAgentPsat extends ISpireAgentAttestation {
  readonly audience: string;
}

/** The SPIRE agent as the SPIFFE CSI driver sees it: the node directory of its Workload API socket. */
export interface ISpireAgentSocket {
  /** The namespace the agent (and so the driver) runs in. */
  readonly namespace: string;
  /** The node directory holding the socket. */
  readonly socketHostDir: string;
  /** The socket's file name in that directory. */
  readonly socketFileName: string;
}
