import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-25';
import { k8s } from 'cdk8s-plus-25';
import { checkDns1123Subdomain, checkImage, checkPort, ValidationError } from '../validation';
import { AgentConf, agentConfHcl } from './agent-conf';
import { SpireAgentIdentity } from './agent-identity';
import { SpireConfigFile, SPIRE_DATA_DIR } from './config-file';
import { SpireLogLevel } from './settings';
import { healthContainerFields, SPIRE_HEALTH_CHECKS } from './health';
import { ISpireAgentAttestation, ISpireAgentSocket, ISpireServerEndpoint } from './interfaces';
import { containerSecurityContext, resources } from '../core/pod-defaults';
import { checkTolerations, NODE_CRITICAL_PRIORITY_CLASS, TOLERATE_EVERY_TAINT, Toleration } from '../core/node-placement';

const NAME = 'spire-agent';
const BUNDLE_DIR = '/run/spire/bundle';
const TOKEN_DIR = '/var/run/secrets/tokens';
const TOKEN_FILE = 'spire-agent';

export interface SpireAgentProps {
  /** The agents' ServiceAccount, cluster name and token audience (the server's allow list is built from the same object). */
  readonly identity: SpireAgentIdentity;
  /** The server the agents attest to and fetch SVIDs from; address, port, trust domain and bundle come from it. */
  readonly server: ISpireServerEndpoint;
  /** The `spire-agent` image, pinned. */
  readonly image: string;
  /** @default 'INFO' */
  readonly logLevel?: SpireLogLevel;
  /**
   * Skip verification of the kubelet's serving certificate in the k8s workload attestor.
   * kind and many local clusters serve the kubelet with a self-signed certificate.
   * @default true
   */
  readonly skipKubeletVerification?: boolean;
  /**
   * The health listener's port. The agent runs on the host network, so this is a node port:
   * not 8080, where node services often listen; 9980 as SPIRE's hardened Helm chart uses.
   * @default 9980
   */
  readonly healthPort?: number;
  /**
   * The node directory holding the Workload API socket, shared with the SPIFFE CSI driver.
   * @default '/run/spire/agent-sockets'
   */
  readonly socketHostDir?: string;
  /**
   * The DaemonSet's tolerations.
   * @default [{ operator: 'Exists' }] - every taint, NoExecute included: pods on a node without an agent get no Workload API socket
   * @see https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/
   */
  readonly tolerations?: readonly Toleration[];
  /**
   * The pods' priority class, a DNS-1123 subdomain.
   * @default 'system-node-critical' - evicted last under node pressure: every meshed pod on the node depends on the agent
   * @see https://kubernetes.io/docs/tasks/administer-cluster/guaranteed-scheduling-critical-addon-pods/
   */
  readonly priorityClassName?: string;
}

/**
 * The SPIRE agent on every node: attests its node to the server with a projected
 * service-account token (k8s_psat), attests workloads through the kubelet (k8s) and the
 * kernel (unix), and serves the Workload API on a socket in a node directory that the SPIFFE
 * CSI driver hands to pods.
 *
 * Start-up while the server is not ready yet: the trust bundle volume names its key
 * explicitly, so the kubelet does not start the container until the server's k8sbundle
 * notifier has written the bundle (the pod waits in ContainerCreating, it does not crash);
 * after that, SPIRE's own bootstrap retry with backoff (the default since SPIRE 1.14 removed
 * `retry_bootstrap`) covers a server that restarts. No init container or extra image.
 * @see https://spiffe.io/docs/latest/deploying/spire_agent/
 */
export class SpireAgent extends Construct implements ISpireAgentAttestation, ISpireAgentSocket {
  public readonly namespace: string;
  public readonly serviceAccountName: string;
  public readonly clusterName: string;
  /** The node directory of the Workload API socket. */
  public readonly socketHostDir: string;
  /** The socket's file name in that directory: Istio's proxy looks for `socket`. */
  public readonly socketFileName = 'socket';
  /** The typed model `agent.conf` is rendered from. */
  public readonly conf: AgentConf;
  public readonly configMap: kplus.ConfigMap;
  public readonly daemonSet: k8s.KubeDaemonSet;
  /** The DaemonSet's tolerations. */
  public readonly tolerations: readonly Toleration[];
  /** The pods' priority class. */
  public readonly priorityClassName: string;

  constructor(scope: Construct, id: string, props: SpireAgentProps) {
    super(scope, id);
    const { identity, server } = props;
    checkImage('image', props.image);
    this.namespace = identity.namespace;
    this.serviceAccountName = identity.serviceAccountName;
    this.clusterName = identity.clusterName;
    this.socketHostDir = props.socketHostDir ?? '/run/spire/agent-sockets';
    if (!this.socketHostDir.startsWith('/') || this.socketHostDir.endsWith('/')) {
      throw new ValidationError('SpireAgent.socketHostDir', this.socketHostDir, 'must be an absolute path without a trailing "/"');
    }
    this.tolerations = checkTolerations('SpireAgent.tolerations', props.tolerations ?? TOLERATE_EVERY_TAINT);
    this.priorityClassName = checkDns1123Subdomain('SpireAgent.priorityClassName', props.priorityClassName ?? NODE_CRITICAL_PRIORITY_CLASS);

    this.conf = {
      trustDomain: server.trustDomain,
      serverAddress: server.serviceDnsName,
      serverPort: server.agentApiPort,
      // The agent mounts the host directory at the same path, so the path reads the same everywhere.
      socketPath: `${this.socketHostDir}/${this.socketFileName}`,
      trustBundlePath: `${BUNDLE_DIR}/${server.bundleKey}`,
      dataDir: SPIRE_DATA_DIR,
      logLevel: props.logLevel ?? 'INFO',
      psat: { cluster: identity.clusterName, tokenPath: `${TOKEN_DIR}/${TOKEN_FILE}` },
      skipKubeletVerification: props.skipKubeletVerification ?? true,
      healthChecks: { ...SPIRE_HEALTH_CHECKS, bindPort: checkPort('healthPort', props.healthPort ?? 9980) },
    };
    const configFile = new SpireConfigFile(this, 'config', {
      name: NAME,
      namespace: this.namespace,
      fileName: 'agent.conf',
      body: agentConfHcl(this.conf),
    });
    this.configMap = configFile.configMap;

    // nodes/proxy: the k8s workload attestor lists its node's pods through the kubelet API. get on pods
    // and nodes: the read-only lookups SPIRE's Kubernetes deployment grants the agent; no list, no watch.
    const clusterRole = new kplus.ClusterRole(this, 'cluster-role', { metadata: { name: NAME } });
    clusterRole.allow(['get'], kplus.ApiResource.PODS, kplus.ApiResource.NODES, kplus.ApiResource.custom({ apiGroup: '', resourceType: 'nodes/proxy' }));
    new kplus.ClusterRoleBinding(this, 'cluster-role-binding', { metadata: { name: NAME }, role: clusterRole }).addSubjects(
      identity.serviceAccount,
    );

    this.daemonSet = this.createDaemonSet(props, configFile);
  }

  private createDaemonSet(props: SpireAgentProps, configFile: SpireConfigFile): k8s.KubeDaemonSet {
    const { identity, server } = props;
    const labels = { app: NAME };
    const volumes = { bundle: 'spire-bundle', data: 'spire-agent-data', sockets: 'spire-agent-socket-dir', token: 'spire-token' };
    const health = healthContainerFields(this.conf.healthChecks);
    // L1 DaemonSet: cdk8s-plus-25 cannot set hostPID.
    return new k8s.KubeDaemonSet(this, 'daemonset', {
      metadata: { name: NAME, namespace: this.namespace, labels },
      spec: {
        selector: { matchLabels: labels },
        template: {
          metadata: {
            labels,
            annotations: configFile.podAnnotations,
          },
          spec: {
            serviceAccountName: identity.serviceAccount.name,
            priorityClassName: this.priorityClassName,
            tolerations: [...this.tolerations],
            // The k8s workload attestor authenticates to the kubelet with this token.
            automountServiceAccountToken: true,
            // hostPID: the k8s workload attestor maps a caller's pid to its pod through /proc/<pid>/cgroup.
            hostPid: true,
            // hostNetwork: the k8s workload attestor reaches the kubelet at 127.0.0.1:10250; node names do not resolve in every cluster.
            hostNetwork: true,
            dnsPolicy: 'ClusterFirstWithHostNet',
            securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: NAME,
                image: props.image,
                args: configFile.args,
                ports: [health.port],
                livenessProbe: health.livenessProbe,
                readinessProbe: health.readinessProbe,
                // Root (the image's default user), with every capability dropped: the socket directory
                // is a root-owned hostPath the kubelet creates, and this scratch image has no shell to chown it.
                securityContext: containerSecurityContext({ uid: 0, gid: 0 }),
                resources: resources('50m', '64Mi', '256Mi'),
                volumeMounts: [
                  configFile.volumeMount,
                  { name: volumes.bundle, mountPath: BUNDLE_DIR, readOnly: true },
                  { name: volumes.data, mountPath: SPIRE_DATA_DIR },
                  { name: volumes.sockets, mountPath: this.socketHostDir },
                  { name: volumes.token, mountPath: TOKEN_DIR, readOnly: true },
                ],
              },
            ],
            volumes: [
              configFile.volume,
              {
                name: volumes.bundle,
                // `items` makes the key required: the kubelet holds the pod until the server published the bundle.
                configMap: { name: server.bundleConfigMapName, items: [{ key: server.bundleKey, path: server.bundleKey }] },
              },
              { name: volumes.data, emptyDir: {} },
              { name: volumes.sockets, hostPath: { path: this.socketHostDir, type: 'DirectoryOrCreate' } },
              {
                name: volumes.token,
                projected: {
                  sources: [{ serviceAccountToken: { path: TOKEN_FILE, audience: identity.audience, expirationSeconds: 7200 } }],
                },
              },
            ],
          },
        },
      },
    });
  }
}
