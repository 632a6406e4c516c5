import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-25';
import { k8s } from 'cdk8s-plus-25';
import { checkDns1123Subdomain, checkImage } from '../validation';
import { ISpireAgentSocket, IWorkloadApiCsi } from './interfaces';
import { containerSecurityContext, resources } from '../core/pod-defaults';
import { checkTolerations, NODE_CRITICAL_PRIORITY_CLASS, TOLERATE_EVERY_TAINT, Toleration } from '../core/node-placement';

const NAME = 'spiffe-csi-driver';
const KUBELET_DIR = '/var/lib/kubelet';
/** Where the driver sees the agent's socket directory (read-only). */
const AGENT_SOCKET_MOUNT = '/spire-agent-socket';
/** Where both containers see the driver's own CSI socket directory. */
const CSI_SOCKET_MOUNT = '/spiffe-csi';
const CSI_SOCKET_FILE = 'csi.sock';
const REGISTRAR_HEALTH_PORT = 9809;

export interface SpiffeCsiDriverProps {
  /** The agent whose socket directory the driver serves; the driver runs in its namespace. */
  readonly agent: ISpireAgentSocket;
  /** The `spiffe-csi-driver` image, pinned. */
  readonly image: string;
  /** The `csi-node-driver-registrar` image, pinned. */
  readonly registrarImage: string;
  /**
   * The DaemonSet's tolerations.
   * @default [{ operator: 'Exists' }] - every taint, NoExecute included: the driver must run wherever the agent does, or pods there cannot mount the socket
   * @see https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/
   */
  readonly tolerations?: readonly Toleration[];
  /**
   * The pods' priority class, a DNS-1123 subdomain.
   * @default 'system-node-critical' - evicted last under node pressure: without it no pod on the node can mount the Workload API socket
   * @see https://kubernetes.io/docs/tasks/administer-cluster/guaranteed-scheduling-critical-addon-pods/
   */
  readonly priorityClassName?: string;
}

/**
 * The SPIFFE CSI driver: pods mount a `csi.spiffe.io` volume and find the agent's Workload
 * API socket in it, without a hostPath of their own. A `CSIDriver` object plus a DaemonSet of
 * the driver and the node-driver-registrar, which registers the driver with the kubelet.
 * @see https://github.com/spiffe/spiffe-csi
 */
export class SpiffeCsiDriver extends Construct implements IWorkloadApiCsi {
  public readonly driverName = 'csi.spiffe.io';
  public readonly socketFileName: string;
  /** The node directory the driver serves: the agent's, read from the agent. */
  public readonly workloadApiSocketHostDir: string;
  public readonly csiDriver: k8s.KubeCsiDriver;
  public readonly serviceAccount: kplus.ServiceAccount;
  public readonly daemonSet: k8s.KubeDaemonSet;
  /** The DaemonSet's tolerations. */
  public readonly tolerations: readonly Toleration[];
  /** The pods' priority class. */
  public readonly priorityClassName: string;

  constructor(scope: Construct, id: string, props: SpiffeCsiDriverProps) {
    super(scope, id);
    checkImage('image', props.image);
    checkImage('registrarImage', props.registrarImage);
    this.tolerations = checkTolerations('SpiffeCsiDriver.tolerations', props.tolerations ?? TOLERATE_EVERY_TAINT);
    this.priorityClassName = checkDns1123Subdomain('SpiffeCsiDriver.priorityClassName', props.priorityClassName ?? NODE_CRITICAL_PRIORITY_CLASS);
    const { agent } = props;
    this.socketFileName = agent.socketFileName;
    this.workloadApiSocketHostDir = agent.socketHostDir;
    const pluginHostDir = `${KUBELET_DIR}/plugins/${this.driverName}`;

    // L1: cdk8s-plus-25 has no CSIDriver.
    this.csiDriver = new k8s.KubeCsiDriver(this, 'csi-driver', {
      metadata: { name: this.driverName },
      spec: {
        attachRequired: false,
        // The driver reads the pod's identity from the volume context the kubelet passes.
        podInfoOnMount: true,
        // The socket's permissions are the agent's; the kubelet must not chown the mount.
        fsGroupPolicy: 'None',
        volumeLifecycleModes: ['Ephemeral'],
      },
    });

    // Neither container calls the Kubernetes API: no token.
    this.serviceAccount = new kplus.ServiceAccount(this, 'service-account', {
      metadata: { name: NAME, namespace: agent.namespace },
      automountToken: false,
    });

    const labels = { app: NAME };
    const volumes = { agentSockets: 'spire-agent-socket-dir', csiSockets: 'spiffe-csi-socket-dir', pods: 'mountpoint-dir', registration: 'kubelet-plugin-registration-dir' };
    // L1 DaemonSet: cdk8s-plus-25 cannot set Bidirectional mount propagation on a hostPath.
    this.daemonSet = new k8s.KubeDaemonSet(this, 'daemonset', {
      metadata: { name: NAME, namespace: agent.namespace, labels },
      spec: {
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: this.serviceAccount.name,
            priorityClassName: this.priorityClassName,
            tolerations: [...this.tolerations],
            automountServiceAccountToken: false,
            securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: NAME,
                image: props.image,
                args: [
                  '-workload-api-socket-dir', AGENT_SOCKET_MOUNT,
                  '-plugin-name', this.driverName,
                  '-csi-socket-path', `${CSI_SOCKET_MOUNT}/${CSI_SOCKET_FILE}`,
                ],
                env: [{ name: 'MY_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
                securityContext: {
                  ...containerSecurityContext({ uid: 0, gid: 0 }),
                  // Privileged (hence root, and escalation allowed, which Kubernetes requires with it):
                  // the driver bind-mounts the socket directory into pod volumes under the kubelet's pods
                  // directory, which takes mount rights and Bidirectional propagation. The capability drop
                  // is kept for readers; privileged supersedes it.
                  privileged: true,
                  allowPrivilegeEscalation: true,
                },
                resources: resources('10m', '16Mi', '64Mi'),
                volumeMounts: [
                  { name: volumes.agentSockets, mountPath: AGENT_SOCKET_MOUNT, readOnly: true },
                  { name: volumes.csiSockets, mountPath: CSI_SOCKET_MOUNT },
                  // Bidirectional: mounts the driver makes for a pod's volume must reach the host, where the kubelet hands them to the pod.
                  { name: volumes.pods, mountPath: `${KUBELET_DIR}/pods`, mountPropagation: 'Bidirectional' },
                ],
              },
              {
                name: 'node-driver-registrar',
                image: props.registrarImage,
                args: [
                  '-csi-address', `${CSI_SOCKET_MOUNT}/${CSI_SOCKET_FILE}`,
                  '-kubelet-registration-path', `${pluginHostDir}/${CSI_SOCKET_FILE}`,
                  '-http-endpoint', `:${REGISTRAR_HEALTH_PORT}`,
                ],
                ports: [{ name: 'healthz', containerPort: REGISTRAR_HEALTH_PORT, protocol: 'TCP' }],
                // The registrar's /healthz fails when the driver's CSI socket stops answering, so it guards both containers' registration.
                livenessProbe: {
                  httpGet: { path: '/healthz', port: k8s.IntOrString.fromString('healthz') },
                  initialDelaySeconds: 5,
                  periodSeconds: 30,
                  timeoutSeconds: 5,
                },
                // Root with no capabilities: it creates its socket in the kubelet's root-owned plugins_registry.
                securityContext: containerSecurityContext({ uid: 0, gid: 0 }),
                resources: resources('10m', '16Mi', '64Mi'),
                volumeMounts: [
                  { name: volumes.csiSockets, mountPath: CSI_SOCKET_MOUNT },
                  { name: volumes.registration, mountPath: '/registration' },
                ],
              },
            ],
            volumes: [
              { name: volumes.agentSockets, hostPath: { path: this.workloadApiSocketHostDir, type: 'DirectoryOrCreate' } },
              { name: volumes.csiSockets, hostPath: { path: pluginHostDir, type: 'DirectoryOrCreate' } },
              { name: volumes.pods, hostPath: { path: `${KUBELET_DIR}/pods`, type: 'Directory' } },
              { name: volumes.registration, hostPath: { path: `${KUBELET_DIR}/plugins_registry`, type: 'Directory' } },
            ],
          },
        },
      },
    });
  }
}
