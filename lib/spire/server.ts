import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-25';
import { k8s } from 'cdk8s-plus-25';
import { containerSecurityContext, resources, RunAs } from '../core/pod-defaults';
import { checkImage, checkQuantity, checkTrustDomain, STORAGE_SIZE } from '../validation';
import { ISpireAgentPsat, ISpireServerAdmin, ISpireServerEndpoint } from './interfaces';
import { SpireConfigFile, SPIRE_DATA_DIR } from './config-file';
import { healthContainerFields, SPIRE_HEALTH_CHECKS } from './health';
import { KeyManagerConf, ServerConf, serverConfHcl, UpstreamAuthorityConf } from './server-conf';
import {
  checkSpireServerSettings,
  defaultAgentTtl,
  SecretKeySelector,
  SpireCaKeyType,
  SpireDatastoreType,
  SpireKeyManager,
  SpireLogLevel,
  SpireUpstreamAuthority,
} from './settings';
import { VmNodeAttestation } from './vm-node-attestation';

/** The uid:gid the `ghcr.io/spiffe/spire-server` image is built to run as (its Dockerfile's `USER 1000:1000`). */
export const SPIRE_SERVER_RUN_AS: RunAs = { uid: 1000, gid: 1000 };

const NAME = 'spire-server';
const SOCKET_DIR = '/run/spire/sockets';
const AGENT_API_PORT = 8081;
/** The variable `server.conf` names the connection string by; SPIRE's `-expandEnv` substitutes it at start. */
export const DATASTORE_CONNECTION_ENV = 'SPIRE_DATASTORE_CONNECTION_STRING';
/**
 * The datastore CA file, from `datastoreCaSecret`: mysql's `root_ca_path` points here, and a
 * postgres connection string names it as `sslrootcert=`.
 */
export const DATASTORE_CA_PATH = '/run/spire/datastore-ca/ca.crt';
/** The files of `UpstreamAuthority "disk"`, from its Secret. */
export const UPSTREAM_CA_DIR = '/run/spire/upstream-ca';
const UPSTREAM_KUBECONFIG_PATH = '/run/spire/upstream-kubeconfig/kubeconfig';
const KMS_KEY_POLICY_PATH = '/run/spire/kms-key-policy/policy.json';
/** Owner and group read only: with `fsGroup`, the kubelet gives the server's group these files. */
const SECRET_FILE_MODE = 0o440;

/** A file from a Secret or ConfigMap key, mounted read-only by itself at `path`. */
interface MountedFile {
  readonly volume: k8s.Volume;
  readonly mount: k8s.VolumeMount;
}

function mountedFile(volumeName: string, source: { readonly secret: string } | { readonly configMap: string }, keys: Record<string, string>, path: string): MountedFile {
  const dir = path.slice(0, path.lastIndexOf('/'));
  const items = Object.entries(keys).map(([key, file]) => ({ key, path: file }));
  const volume: k8s.Volume =
    'secret' in source
      ? { name: volumeName, secret: { secretName: source.secret, items, defaultMode: SECRET_FILE_MODE } }
      : { name: volumeName, configMap: { name: source.configMap, items } };
  return { volume, mount: { name: volumeName, mountPath: dir, readOnly: true } };
}

export interface SpireServerProps {
  /** The namespace everything of the server lives in. */
  readonly namespace: kplus.Namespace;
  /** The SPIFFE trust domain the server issues identities in. */
  readonly trustDomain: string;
  /** The agents allowed to attest through k8s_psat; the allow list and audience come from here. */
  readonly agents: ISpireAgentPsat;
  /** The `spire-server` image, pinned. */
  readonly image: string;
  /**
   * Server pods. Two or more need an external `datastore`; each keeps its own CA key.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Where registration entries, attested nodes and the bundle live. `sqlite` is a file on
   * the pod's volume; `postgres` and `mysql` are shared by every replica.
   * @default 'sqlite'
   */
  readonly datastore?: SpireDatastoreType;
  /**
   * The Secret key holding the postgres/mysql connection string (the `connection_string`
   * SPIRE documents for that database). It reaches the container as an environment variable
   * and `server.conf` through `-expandEnv`, never a ConfigMap. Required for postgres and mysql.
   * @default - none (sqlite)
   */
  readonly connectionStringSecret?: SecretKeySelector;
  /**
   * Size of each pod's PVC: its CA key, and with SQLite the datastore.
   * @default '1Gi'
   */
  readonly storageSize?: string;
  /** @default 'rsa-2048' */
  readonly caKeyType?: SpireCaKeyType;
  /**
   * Lifetime of the server's signing CA.
   * @default '1h'
   */
  readonly caTtl?: string;
  /**
   * Default lifetime of X.509-SVIDs; must be shorter than `caTtl`.
   * @default '10m'
   */
  readonly defaultX509SvidTtl?: string;
  /**
   * Lifetime of agent SVIDs (`agent_ttl`): agents renew at half-life, so with every server down
   * an agent keeps a valid SVID for about half of this. At most `min(caTtl / 6, 7d)`, the longest
   * SPIRE guarantees without cutting it short.
   * @default - 24h, shortened to `caTtl / 6` (10m with the default `caTtl`); see `defaultAgentTtl` in lib/spire/settings.ts
   */
  readonly agentTtl?: string;
  /**
   * The CA that signs every server's CA, so the bundle holds its root instead of one
   * self-signed root per server and rotation.
   * @default - none: each server's CA is self-signed
   */
  readonly upstreamAuthority?: SpireUpstreamAuthority;
  /**
   * Where the CA keys live.
   * @default { type: 'disk' } (a keys file on each pod's own PVC)
   */
  readonly keyManager?: SpireKeyManager;
  /**
   * The CA certificate of the postgres/mysql server, mounted read-only at `DATASTORE_CA_PATH`
   * in lib/spire/server.ts: mysql's `root_ca_path` is set to it; a postgres connection string
   * names it as `sslrootcert=/run/spire/datastore-ca/ca.crt` (with `sslmode=verify-full`).
   * @default - none: the system roots of the image
   */
  readonly datastoreCaSecret?: SecretKeySelector;
  /** @default 'INFO' */
  readonly logLevel?: SpireLogLevel;
  /**
   * Subject of the CA certificate.
   * @default { country: 'US', organization: 'SPIFFE' }
   */
  readonly caSubject?: { readonly country: string; readonly organization: string };
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
  /**
   * Node attestors for agents on VMs (join_token, x509pop, aws_iid), beside k8s_psat, with
   * the x509pop CA bundles mounted.
   * @default - only k8s_psat: no agent outside the cluster can attest
   */
  readonly vmNodeAttestation?: VmNodeAttestation;
}

/**
 * The SPIRE server: a StatefulSet whose pods each keep their own CA key on a PVC (with SQLite,
 * the datastore too; with PostgreSQL or MySQL, a database every replica shares), its
 * `server.conf` generated from a typed model, the agent API behind one Service for all
 * replicas, the trust bundle published to a ConfigMap the agents mount, and RBAC limited to
 * what the k8s_psat attestor and the bundle notifier call. With two or more replicas, a
 * PodDisruptionBudget and a spread over nodes and zones.
 * @see https://spiffe.io/docs/latest/deploying/spire_server/
 * @see https://spiffe.io/docs/latest/planning/scaling_spire/
 */
export class SpireServer extends Construct implements ISpireServerAdmin, ISpireServerEndpoint {
  public readonly namespace: string;
  public readonly trustDomain: string;
  public readonly replicas: number;
  /** The labels of every server pod (and of no other pod): the Service, the PDB and admins select by them. */
  public readonly selector: Readonly<Record<string, string>> = { app: NAME };
  /** The pods' names, `spire-server-<ordinal>`: the StatefulSet's, so they are known before apply. */
  public readonly podNames: readonly string[];
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
  public readonly bundleConfigMapName: string;
  public readonly bundleKey: string;
  /** The typed model `server.conf` is rendered from. */
  public readonly conf: ServerConf;
  public readonly configMap: kplus.ConfigMap;
  public readonly statefulSet: k8s.KubeStatefulSet;
  /** Present with two or more replicas: voluntary disruptions take one server at a time. */
  public readonly podDisruptionBudget?: k8s.KubePodDisruptionBudget;
  private readonly connectionStringSecret?: SecretKeySelector;

  constructor(scope: Construct, id: string, props: SpireServerProps) {
    super(scope, id);
    this.trustDomain = checkTrustDomain('trustDomain', props.trustDomain);
    checkImage('image', props.image);
    this.replicas = props.replicas ?? 1;
    const datastore = props.datastore ?? 'sqlite';
    const caTtl = props.caTtl ?? '1h';
    const defaultX509SvidTtl = props.defaultX509SvidTtl ?? '10m';
    const caSubject = props.caSubject ?? { country: 'US', organization: 'SPIFFE' };
    this.connectionStringSecret = props.connectionStringSecret;
    const keyManager = props.keyManager ?? { type: 'disk' };
    const upstreamAuthority = props.upstreamAuthority;
    const datastoreCaSecret = props.datastoreCaSecret;
    checkSpireServerSettings({
      replicas: this.replicas,
      datastore,
      connectionStringSecret: this.connectionStringSecret,
      datastoreCaSecret,
      caTtl,
      defaultX509SvidTtl,
      agentTtl: props.agentTtl,
      caSubject,
      upstreamAuthority,
      keyManager,
    });
    const agentTtl = props.agentTtl ?? defaultAgentTtl(caTtl);
    const storageSize = checkQuantity('storageSize', props.storageSize ?? '1Gi', STORAGE_SIZE);
    this.namespace = props.namespace.name;
    this.bundleConfigMapName = props.bundleConfigMapName ?? 'trust-bundle';
    this.bundleKey = props.bundleKey ?? 'root-cert.pem';
    this.podNames = Array.from({ length: this.replicas }, (_, i) => `${NAME}-${i}`);
    const metadata = (name: string) => ({ name, namespace: this.namespace });

    // The server calls the API: TokenReview for k8s_psat, the bundle ConfigMap for k8sbundle.
    // IRSA: EKS's pod identity webhook gives pods of an annotated ServiceAccount that role's credentials.
    const roleArn = keyManager.type === 'aws_kms' ? keyManager.roleArn : undefined;
    this.serviceAccount = new kplus.ServiceAccount(this, 'service-account', {
      metadata: { ...metadata(NAME), ...(roleArn ? { annotations: { 'eks.amazonaws.com/role-arn': roleArn } } : {}) },
      automountToken: true,
    });

    // No `data`: `kubectl apply` then never owns (and never resets) the key the notifier writes.
    this.bundleConfigMap = new kplus.ConfigMap(this, 'bundle', { metadata: metadata(this.bundleConfigMapName) });

    // One ClusterIP Service for every replica: agents connect to whichever answers, each replica serves any agent.
    this.service = new kplus.Service(this, 'service', {
      metadata: metadata(NAME),
      type: kplus.ServiceType.CLUSTER_IP,
      ports: [{ name: 'grpc', port: AGENT_API_PORT, targetPort: AGENT_API_PORT, protocol: kplus.Protocol.TCP }],
    });
    for (const [key, value] of Object.entries(this.selector)) this.service.selectLabel(key, value);
    this.serviceDnsName = `${this.service.name}.${this.namespace}.svc`;

    const files: MountedFile[] = [];
    if (datastoreCaSecret) {
      files.push(mountedFile('datastore-ca', { secret: datastoreCaSecret.name }, { [datastoreCaSecret.key]: 'ca.crt' }, DATASTORE_CA_PATH));
    }
    const upstream = upstreamAuthority ? this.upstreamAuthorityConf(upstreamAuthority, files) : undefined;
    const keyManagerConf = this.keyManagerConf(keyManager, files);
    const env: k8s.EnvVar[] = [];
    if (this.connectionStringSecret) {
      const { name, key } = this.connectionStringSecret;
      env.push({ name: DATASTORE_CONNECTION_ENV, valueFrom: { secretKeyRef: { name, key } } });
    }
    if (keyManager.type === 'aws_kms' && keyManager.credentialsSecret) {
      // The AWS SDK's own variables: the keys never reach server.conf.
      for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
        env.push({ name, valueFrom: { secretKeyRef: { name: keyManager.credentialsSecret, key: name } } });
      }
    }

    this.conf = {
      trustDomain: this.trustDomain,
      bindPort: AGENT_API_PORT,
      socketPath: this.adminSocketPath,
      dataDir: SPIRE_DATA_DIR,
      logLevel: props.logLevel ?? 'INFO',
      caKeyType: props.caKeyType ?? 'rsa-2048',
      caTtl,
      defaultX509SvidTtl,
      agentTtl,
      caSubject,
      datastore:
        datastore === 'sqlite'
          ? { databaseType: 'sqlite3', connectionString: `${SPIRE_DATA_DIR}/datastore.sqlite3` }
          : {
              databaseType: datastore,
              connectionString: `$${DATASTORE_CONNECTION_ENV}`,
              // mysql alone reads root_ca_path (sqlstore/mysql.go:128); postgres takes sslrootcert= in its connection string.
              ...(datastore === 'mysql' && datastoreCaSecret ? { rootCaPath: DATASTORE_CA_PATH } : {}),
            },
      keyManager: keyManagerConf,
      ...(upstream ? { upstreamAuthority: upstream } : {}),
      psat: {
        cluster: props.agents.clusterName,
        serviceAccountAllowList: [`${props.agents.namespace}:${props.agents.serviceAccountName}`],
        audience: [props.agents.audience],
      },
      bundle: { namespace: this.namespace, configMap: this.bundleConfigMap.name, key: this.bundleKey },
      healthChecks: SPIRE_HEALTH_CHECKS,
      ...(props.vmNodeAttestation ? { vmNodeAttestors: props.vmNodeAttestation.plugins } : {}),
    };
    const configFile = new SpireConfigFile(this, 'config', {
      name: NAME,
      namespace: this.namespace,
      fileName: 'server.conf',
      body: serverConfHcl(this.conf),
    });
    this.configMap = configFile.configMap;

    this.createRbac(metadata);
    if (upstream?.type === 'cert-manager' && upstream.kubeConfigFile === undefined) this.grantCertificateRequests(upstream.namespace);
    this.statefulSet = this.createStatefulSet(props.image, storageSize, configFile, files, env, props.vmNodeAttestation);
    if (this.replicas > 1) {
      // L1: cdk8s-plus-25 has no PodDisruptionBudget. Not with one replica: it would block every node drain.
      this.podDisruptionBudget = new k8s.KubePodDisruptionBudget(this, 'pdb', {
        metadata: metadata(NAME),
        spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: { ...this.selector } } },
      });
    }
  }

  /**
   * Lets `serviceAccount` list the server's namespace's pods (to find a Ready server; `list`
   * cannot be narrowed by name) and get and exec into the server pods by name. Exec is
   * `create` (SPDY) and `get` (WebSocket, tried first by kubectl ≥ 1.31, KEP-4006).
   */
  public grantAdminExec(serviceAccount: kplus.ISubject): k8s.KubeRole {
    const subject = serviceAccount.toSubjectConfiguration();
    const metadata = { name: `${subject.name}-${NAME}-exec`, namespace: this.namespace };
    // L1: cdk8s-plus-25 cannot put resourceNames on the pods/exec subresource.
    const role = new k8s.KubeRole(serviceAccount, `${NAME}-exec-role`, {
      metadata,
      rules: [
        { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
        { apiGroups: [''], resources: ['pods'], resourceNames: [...this.podNames], verbs: ['get'] },
        { apiGroups: [''], resources: ['pods/exec'], resourceNames: [...this.podNames], verbs: ['get', 'create'] },
      ],
    });
    new k8s.KubeRoleBinding(serviceAccount, `${NAME}-exec-role-binding`, {
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.name },
      subjects: [{ kind: subject.kind, name: subject.name, namespace: subject.namespace }],
    });
    return role;
  }

  private upstreamAuthorityConf(upstream: SpireUpstreamAuthority, files: MountedFile[]): UpstreamAuthorityConf {
    if (upstream.type === 'disk') {
      const keys: Record<string, string> = { [upstream.certKey ?? 'tls.crt']: 'cert.pem', [upstream.keyKey ?? 'tls.key']: 'key.pem' };
      if (upstream.bundleKey !== undefined) keys[upstream.bundleKey] = 'bundle.pem';
      files.push(mountedFile('upstream-ca', { secret: upstream.secretName }, keys, `${UPSTREAM_CA_DIR}/cert.pem`));
      return {
        type: 'disk',
        certFilePath: `${UPSTREAM_CA_DIR}/cert.pem`,
        keyFilePath: `${UPSTREAM_CA_DIR}/key.pem`,
        ...(upstream.bundleKey !== undefined ? { bundleFilePath: `${UPSTREAM_CA_DIR}/bundle.pem` } : {}),
      };
    }
    const kubeConfig = upstream.kubeConfigSecret;
    if (kubeConfig) files.push(mountedFile('upstream-kubeconfig', { secret: kubeConfig.name }, { [kubeConfig.key]: 'kubeconfig' }, UPSTREAM_KUBECONFIG_PATH));
    return {
      type: 'cert-manager',
      issuerName: upstream.issuerName,
      issuerKind: upstream.issuerKind ?? 'Issuer',
      issuerGroup: upstream.issuerGroup ?? 'cert-manager.io',
      namespace: upstream.namespace ?? this.namespace,
      ...(kubeConfig ? { kubeConfigFile: UPSTREAM_KUBECONFIG_PATH } : {}),
    };
  }

  private keyManagerConf(keyManager: SpireKeyManager, files: MountedFile[]): KeyManagerConf {
    switch (keyManager.type) {
      case 'disk':
        // Per pod, on its own PVC: replicas never share CA key material.
        return { type: 'disk', keysPath: `${SPIRE_DATA_DIR}/keys.json` };
      case 'memory':
        return { type: 'memory' };
      case 'aws_kms': {
        const policy = keyManager.keyPolicyConfigMap;
        if (policy) files.push(mountedFile('kms-key-policy', { configMap: policy.name }, { [policy.key]: 'policy.json' }, KMS_KEY_POLICY_PATH));
        return {
          type: 'aws_kms',
          region: keyManager.region,
          // On the pod's own PVC: the server finds its KMS keys again after a restart, and each replica has its own.
          keyIdentifierFile: `${SPIRE_DATA_DIR}/aws-kms-key-id`,
          ...(policy ? { keyPolicyFile: KMS_KEY_POLICY_PATH } : {}),
        };
      }
    }
  }

  /**
   * The cert-manager plugin creates a CertificateRequest, polls it with `get`, and `list`s and
   * `delete`s its stale ones (upstreamauthority/certmanager/certmanager.go:181, 201 and api.go:76,
   * 103 at v1.15.3): those four verbs, in that one namespace.
   */
  private grantCertificateRequests(namespace: string): void {
    const metadata = { name: `${NAME}-cert-manager`, namespace };
    // L1: cdk8s-plus-25 has no ApiResource for cert-manager's CRDs.
    const role = new k8s.KubeRole(this, 'cert-manager-role', {
      metadata,
      rules: [{ apiGroups: ['cert-manager.io'], resources: ['certificaterequests'], verbs: ['create', 'get', 'list', 'delete'] }],
    });
    new k8s.KubeRoleBinding(this, 'cert-manager-role-binding', {
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.name },
      subjects: [{ kind: 'ServiceAccount', name: this.serviceAccount.name, namespace: this.namespace }],
    });
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

  private createStatefulSet(
    image: string,
    storageSize: string,
    configFile: SpireConfigFile,
    files: readonly MountedFile[],
    env: k8s.EnvVar[],
    vm?: VmNodeAttestation,
  ): k8s.KubeStatefulSet {
    const labels = { ...this.selector };
    const volumes = { data: 'spire-data', sockets: 'spire-server-socket', tmp: 'tmp' };
    const health = healthContainerFields(this.conf.healthChecks);
    const secret = this.connectionStringSecret;
    // Soft spread: a small cluster still schedules every replica, a large one gets one per node and zone.
    const spread = (topologyKey: string): k8s.TopologySpreadConstraint => ({
      maxSkew: 1,
      topologyKey,
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels: labels },
    });
    // L1 StatefulSet: cdk8s-plus-25's StatefulSet cannot declare volumeClaimTemplates.
    return new k8s.KubeStatefulSet(this, 'statefulset', {
      metadata: { name: NAME, namespace: this.namespace, labels },
      spec: {
        replicas: this.replicas,
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
            ...(this.replicas > 1 ? { topologySpreadConstraints: [spread('kubernetes.io/hostname'), spread('topology.kubernetes.io/zone')] } : {}),
            containers: [
              {
                name: NAME,
                image,
                // -expandEnv: the connection string reaches server.conf from the Secret-backed env, not from the ConfigMap.
                args: secret ? [...configFile.args, '-expandEnv'] : configFile.args,
                ...(env.length > 0 ? { env } : {}),
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
                  // The root filesystem is read-only; SQLite (mattn/go-sqlite3) and Go's os.TempDir write temp files here.
                  { name: volumes.tmp, mountPath: '/tmp' },
                  ...files.map((f) => f.mount),
                  ...(vm?.mounts ?? []),
                ],
              },
            ],
            volumes: [
              configFile.volume,
              { name: volumes.sockets, emptyDir: {} },
              { name: volumes.tmp, emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
              ...files.map((f) => f.volume),
              ...(vm?.volumes ?? []),
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
