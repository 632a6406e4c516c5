import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-25';
import { k8s } from 'cdk8s-plus-25';
import { SpireServerConfig } from '../config/mesh-config';
import { checkDuration, checkImage, checkQuantity, checkTrustDomain } from '../validation';
import { SpireAgentIdentity } from './agent-identity';
import { SpireConfigFile, SPIRE_DATA_DIR } from './config-file';
import { healthContainerFields, SPIRE_HEALTH_CHECKS } from './health';
import { ISpireServerAdmin } from './interfaces';
import { containerSecurityContext, resources, RunAs } from '../core/pod-defaults';
import { ServerConf, serverConfHcl } from './server-conf';

/** The uid:gid the `ghcr.io/spiffe/spire-server` image is built to run as (its Dockerfile's `USER 1000:1000`). */
export const SPIRE_SERVER_RUN_AS: RunAs = { uid: 1000, gid: 1000 };

const NAME = 'spire-server';
const SOCKET_DIR = '/run/spire/sockets';
const AGENT_API_PORT = 8081;

export interface SpireServerProps {
  /** The namespace everything of the server lives in. */
  readonly namespace: kplus.Namespace;
  /** The SPIFFE trust domain the server issues identities in. */
  readonly trustDomain: string;
  /** The agents allowed to attest through k8s_psat; the allow list and audience come from here. */
  readonly agents: SpireAgentIdentity;
  /** The `spire-server` image. */
  readonly image: string;
  /** Storage, CA and logging settings (see {@link SpireServerConfig}). */
  readonly settings: SpireServerConfig;
  /**
   * Name of the ConfigMap the trust bundle is published to.
   * @default 'trust-bundle'
   */
  readonly bundleConfigMapName?: string;
  /**
   * Key of the bundle in that ConfigMap.
   * @default 'root-cert.pem'
   */
  readonly bundleKey?: string;
}

/**
 * The SPIRE server: a one-replica StatefulSet keeping its SQLite datastore and CA keys on a
 * PVC, its `server.conf` generated from a typed model, the agent API behind a Service, the
 * trust bundle published to a ConfigMap the agents mount, and RBAC limited to what the
 * k8s_psat attestor and the bundle notifier call.
 * @see https://spiffe.io/docs/latest/deploying/spire_server/
 */
export class SpireServer extends Construct implements ISpireServerAdmin {
  public readonly namespace: string;
  public readonly trustDomain: string;
  public readonly podName: string;
  public readonly containerName = NAME;
  public readonly binaryPath = '/opt/spire/bin/spire-server';
  /** The admin API socket, on an emptyDir: only `kubectl exec` into this container reaches it. */
  public readonly adminSocketPath = `${SOCKET_DIR}/server.sock`;
  /** The port agents connect to, the same in `server.conf`, the container and the Service. */
  public readonly agentApiPort = AGENT_API_PORT;
  /** The DNS name agents reach the server by: the Service, qualified by namespace. */
  public readonly serviceDnsName: string;
  public readonly serviceAccount: kplus.ServiceAccount;
  public readonly service: kplus.Service;
  /** The trust bundle's ConfigMap; created empty, filled by the server's k8sbundle notifier. */
  public readonly bundleConfigMap: kplus.ConfigMap;
  public readonly bundleKey: string;
  /** The typed model `server.conf` is rendered from. */
  public readonly conf: ServerConf;
  public readonly configMap: kplus.ConfigMap;
  public readonly statefulSet: k8s.KubeStatefulSet;

  constructor(scope: Construct, id: string, props: SpireServerProps) {
    super(scope, id);
    const settings = props.settings;
    this.trustDomain = checkTrustDomain('trustDomain', props.trustDomain);
    checkImage('image', props.image);
    checkQuantity('settings.storageSize', settings.storageSize);
    checkDuration('settings.caTtl', settings.caTtl);
    checkDuration('settings.defaultX509SvidTtl', settings.defaultX509SvidTtl);
    this.namespace = props.namespace.name;
    this.bundleKey = props.bundleKey ?? 'root-cert.pem';
    const metadata = (name: string) => ({ name, namespace: this.namespace });

    // The server calls the API: TokenReview for k8s_psat, the bundle ConfigMap for k8sbundle.
    this.serviceAccount = new kplus.ServiceAccount(this, 'service-account', { metadata: metadata(NAME), automountToken: true });

    // No `data`: `kubectl apply` then never owns (and never resets) the key the notifier writes.
    this.bundleConfigMap = new kplus.ConfigMap(this, 'bundle', { metadata: metadata(props.bundleConfigMapName ?? 'trust-bundle') });

    this.service = new kplus.Service(this, 'service', {
      metadata: metadata(NAME),
      type: kplus.ServiceType.CLUSTER_IP,
      ports: [{ name: 'grpc', port: AGENT_API_PORT, targetPort: AGENT_API_PORT, protocol: kplus.Protocol.TCP }],
    });
    this.service.selectLabel('app', NAME);
    this.serviceDnsName = `${this.service.name}.${this.namespace}.svc`;
    this.podName = `${NAME}-0`;

    this.conf = {
      trustDomain: this.trustDomain,
      bindPort: AGENT_API_PORT,
      socketPath: this.adminSocketPath,
      dataDir: SPIRE_DATA_DIR,
      logLevel: settings.logLevel,
      caKeyType: settings.caKeyType,
      caTtl: settings.caTtl,
      defaultX509SvidTtl: settings.defaultX509SvidTtl,
      caSubject: settings.caSubject,
      sqlitePath: `${SPIRE_DATA_DIR}/datastore.sqlite3`,
      keysPath: `${SPIRE_DATA_DIR}/keys.json`,
      psat: {
        cluster: props.agents.clusterName,
        serviceAccountAllowList: [props.agents.allowListEntry],
        audience: [props.agents.audience],
      },
      bundle: { namespace: this.namespace, configMap: this.bundleConfigMap.name, key: this.bundleKey },
      healthChecks: SPIRE_HEALTH_CHECKS,
    };
    const configFile = new SpireConfigFile(this, 'config', {
      name: NAME,
      namespace: this.namespace,
      fileName: 'server.conf',
      body: serverConfHcl(this.conf),
    });
    this.configMap = configFile.configMap;

    this.createRbac(metadata);
    this.statefulSet = this.createStatefulSet(props.image, settings.storageSize, configFile);
  }

  private createRbac(metadata: (name: string) => { name: string; namespace: string }): void {
    // k8s_psat validates each agent token with a TokenReview, then reads the agent's pod and node for selectors.
    const clusterRole = new kplus.ClusterRole(this, 'cluster-role', { metadata: { name: NAME } });
    clusterRole.allow(['create'], kplus.ApiResource.TOKEN_REVIEWS);
    clusterRole.allow(['get'], kplus.ApiResource.PODS, kplus.ApiResource.NODES);
    new kplus.ClusterRoleBinding(this, 'cluster-role-binding', { metadata: { name: NAME }, role: clusterRole }).addSubjects(
      this.serviceAccount,
    );

    // k8sbundle reads and patches the one bundle ConfigMap, nothing else.
    const bundleRole = new kplus.Role(this, 'bundle-role', { metadata: metadata(`${NAME}-bundle`) });
    bundleRole.allow(['get', 'patch'], this.bundleConfigMap);
    new kplus.RoleBinding(this, 'bundle-role-binding', { metadata: metadata(`${NAME}-bundle`), role: bundleRole }).addSubjects(
      this.serviceAccount,
    );
  }

  private createStatefulSet(image: string, storageSize: string, configFile: SpireConfigFile): k8s.KubeStatefulSet {
    const labels = { app: NAME };
    const volumes = { data: 'spire-data', sockets: 'spire-server-socket' };
    const health = healthContainerFields(this.conf.healthChecks);
    // L1 StatefulSet: cdk8s-plus-25's StatefulSet cannot declare volumeClaimTemplates.
    return new k8s.KubeStatefulSet(this, 'statefulset', {
      metadata: { name: NAME, namespace: this.namespace, labels },
      spec: {
        replicas: 1,
        serviceName: this.service.name,
        selector: { matchLabels: labels },
        template: {
          metadata: {
            labels,
            annotations: configFile.podAnnotations,
          },
          spec: {
            serviceAccountName: this.serviceAccount.name,
            automountServiceAccountToken: true,
            securityContext: {
              runAsUser: SPIRE_SERVER_RUN_AS.uid,
              runAsGroup: SPIRE_SERVER_RUN_AS.gid,
              runAsNonRoot: true,
              // The PVC is created root-owned; fsGroup lets uid 1000 write its datastore and keys.
              fsGroup: SPIRE_SERVER_RUN_AS.gid,
              fsGroupChangePolicy: 'OnRootMismatch',
              seccompProfile: { type: 'RuntimeDefault' },
            },
            containers: [
              {
                name: NAME,
                image,
                args: configFile.args,
                ports: [
                  { name: 'grpc', containerPort: AGENT_API_PORT, protocol: 'TCP' },
                  health.port,
                ],
                livenessProbe: health.livenessProbe,
                readinessProbe: health.readinessProbe,
                securityContext: containerSecurityContext(SPIRE_SERVER_RUN_AS),
                resources: resources('50m', '128Mi', '512Mi'),
                volumeMounts: [
                  configFile.volumeMount,
                  { name: volumes.data, mountPath: SPIRE_DATA_DIR },
                  { name: volumes.sockets, mountPath: SOCKET_DIR },
                ],
              },
            ],
            volumes: [
              configFile.volume,
              { name: volumes.sockets, emptyDir: {} },
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: volumes.data },
            spec: {
              accessModes: ['ReadWriteOnce'],
              resources: { requests: { storage: k8s.Quantity.fromString(storageSize) } },
            },
          },
        ],
      },
    });
  }
}
