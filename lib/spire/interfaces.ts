/**
 * What other parts of the mesh need from SPIRE, as interfaces: Istio mounts the Workload
 * API through the CSI driver, registration talks to the server's admin socket and parents
 * entries to the agents. The SPIRE constructs implement them, so a consumer takes the
 * construct itself and the values cannot drift.
 */

/** The SPIFFE CSI driver as a pod sees it: mount a CSI volume of this driver, find the socket file in it. */
export interface IWorkloadApiCsi {
  /** The CSI driver name a pod's `csi.driver` names, e.g. `csi.spiffe.io`. */
  readonly driverName: string;
  /** The Workload API socket's file name inside the mounted directory (Istio's proxy expects `socket`). */
  readonly socketFileName: string;
}

/** The SPIRE server as the registration Job reaches it: `kubectl exec` into its pod, use the admin socket. */
export interface ISpireServerAdmin {
  readonly namespace: string;
  /** The server pod's name (a StatefulSet pod, so stable: `<statefulset>-0`). */
  readonly podName: string;
  /** The container that runs `spire-server`. */
  readonly containerName: string;
  /** Path of the `spire-server` binary inside that container. */
  readonly binaryPath: string;
  /** The admin API socket inside that container. */
  readonly adminSocketPath: string;
}

/** The SPIRE agents as the server's k8s_psat attestor identifies them. */
export interface ISpireAgentAttestation {
  readonly namespace: string;
  readonly serviceAccountName: string;
  /** The cluster name the agents attest with (`k8s_psat:cluster:<name>`). */
  readonly clusterName: string;
}
