import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-25';
import { containerSecurityContext, resources } from '../core/pod-defaults';
import { WorkloadIdentity } from '../identity';
import { ISpireAgentAttestation, ISpireServerAdmin } from '../spire/interfaces';
import { checkImage, checkTrustDomain, ValidationError } from '../validation';
import { checkNoDuplicateEntries, RegistrationEntry, spireEntriesJson } from './entry';

// L1 objects throughout: the Job needs seccomp and capabilities on every container, and the
// Role needs resourceNames on the pods/exec subresource, which cdk8s-plus-25 does not model.

/** The script the Job runs, kept as a real file so tests can run it against a fake kubectl. */
export const REGISTER_SCRIPT_FILE = path.join(__dirname, 'register-entries.sh');

/** Name of every object of the construct (the Job adds a content hash). */
export const REGISTRATION_NAME = 'spire-registration';
/** Where the ConfigMap (entries JSON and script) is mounted in the Job's containers. */
export const REGISTRATION_MOUNT = '/etc/spire-registration';
/** The ConfigMap key holding SPIRE's `-data` JSON. */
export const ENTRIES_KEY = 'entries.json';
/** The ConfigMap key holding the script. */
export const SCRIPT_KEY = 'register-entries.sh';
/** Where the init containers put the static BusyBox and jq for the main container. */
const TOOLS_DIR = '/tools';
/** uid/gid of every container: the distroless `nonroot` user, which the kubectl image expects. */
const NON_ROOT_ID = 65532;

/** The three images of the Job, each pinned (from `MeshConfig.images`). */
export interface RegistrationImages {
  /** A statically linked BusyBox: the shell and utilities, copied into the kubectl container. */
  readonly shell: string;
  /** The official distroless kubectl image: the Job's main container. */
  readonly kubectl: string;
  /** The official jq image, holding a static `/jq`. */
  readonly jq: string;
}

export interface SpireRegistrationProps {
  /** The SPIRE server, reached through `kubectl exec`; the Job, its RBAC and ConfigMap live in its namespace. */
  readonly server: ISpireServerAdmin;
  /** The agents every workload entry is parented to, through one node alias. */
  readonly agents: ISpireAgentAttestation;
  /** The mesh identities; each becomes one entry. */
  readonly identities: readonly WorkloadIdentity[];
  /** The trust domain of every SPIFFE ID; each identity must belong to it. */
  readonly trustDomain: string;
  readonly images: RegistrationImages;
  /**
   * Seconds between two checks of the server's health while waiting for it.
   * @default 5
   */
  readonly waitIntervalSeconds?: number;
  /**
   * Seconds the Job may run in total, retries included, before Kubernetes stops it.
   * @default 600
   */
  readonly activeDeadlineSeconds?: number;
  /**
   * Retries of a failed pod.
   * @default 2
   */
  readonly backoffLimit?: number;
  /**
   * Seconds a finished Job is kept for its logs before Kubernetes deletes it.
   * @default 86400
   */
  readonly ttlSecondsAfterFinished?: number;
}

function checkPositiveInteger(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new ValidationError(field, value, 'must be a positive whole number');
  return value;
}

/**
 * Gives every mesh identity a SPIRE registration entry, with no hand-copied IDs:
 * a node alias for all agents of the cluster, one entry per identity parented to it, and a
 * Job that creates them through the server's admin socket, safe to re-run.
 * @see https://spiffe.io/docs/latest/deploying/registering/
 */
export class SpireRegistration extends Construct {
  /**
   * One SPIFFE ID for every agent of the cluster (`spiffe://<td>/k8s-cluster/<cluster>`),
   * so workload entries do not name a single agent's ID.
   */
  public readonly nodeAlias: RegistrationEntry;
  /** One entry per identity, in the order given. */
  public readonly workloadEntries: readonly RegistrationEntry[];
  /** The node alias, then the workload entries: the order SPIRE creates them in. */
  public readonly entries: readonly RegistrationEntry[];
  /** SPIRE's `entry create -data` JSON, as stored in the ConfigMap. */
  public readonly entriesJson: string;
  /** `spire-registration-<hash of entries, script and pod template>`: a change re-runs the Job. */
  public readonly jobName: string;
  public readonly configMap: k8s.KubeConfigMap;
  public readonly serviceAccount: k8s.KubeServiceAccount;
  public readonly role: k8s.KubeRole;
  public readonly roleBinding: k8s.KubeRoleBinding;
  public readonly job: k8s.KubeJob;

  constructor(scope: Construct, id: string, props: SpireRegistrationProps) {
    super(scope, id);
    const { server, agents, trustDomain } = props;
    checkTrustDomain('trustDomain', trustDomain);
    checkImage('images.shell', props.images.shell);
    checkImage('images.kubectl', props.images.kubectl);
    checkImage('images.jq', props.images.jq);
    const waitInterval = checkPositiveInteger('waitIntervalSeconds', props.waitIntervalSeconds ?? 5);
    const activeDeadline = checkPositiveInteger('activeDeadlineSeconds', props.activeDeadlineSeconds ?? 600);
    const ttlAfterFinished = checkPositiveInteger('ttlSecondsAfterFinished', props.ttlSecondsAfterFinished ?? 86400);
    const backoffLimit = props.backoffLimit ?? 2;
    if (!Number.isInteger(backoffLimit) || backoffLimit < 0) {
      throw new ValidationError('backoffLimit', backoffLimit, 'must be a whole number, 0 or more');
    }
    if (waitInterval * 2 > activeDeadline) {
      throw new ValidationError('waitIntervalSeconds', waitInterval, `must be at most half of activeDeadlineSeconds (${activeDeadline})`);
    }
    if (props.identities.length === 0) {
      throw new ValidationError('identities', [], 'must list at least one workload identity: there is nothing to register');
    }

    this.nodeAlias = new RegistrationEntry({
      spiffeId: `spiffe://${trustDomain}/k8s-cluster/${agents.clusterName}`,
      // A node entry's parent is the server itself: that is what `entry create -node` sets.
      parentId: `spiffe://${trustDomain}/spire/server`,
      selectors: [
        `k8s_psat:cluster:${agents.clusterName}`,
        `k8s_psat:agent_ns:${agents.namespace}`,
        `k8s_psat:agent_sa:${agents.serviceAccountName}`,
      ],
    });
    this.workloadEntries = props.identities.map((identity, i) => {
      const field = `identities[${i}] (${identity.namespace}/${identity.serviceAccountName})`;
      if (identity.trustDomain !== trustDomain) {
        throw new ValidationError(`${field}.trustDomain`, identity.trustDomain, `must be the mesh's trust domain '${trustDomain}'`);
      }
      const expected = `spiffe://${trustDomain}/ns/${identity.namespace}/sa/${identity.serviceAccountName}`;
      if (identity.spiffeId !== expected) {
        throw new ValidationError(`${field}.spiffeId`, identity.spiffeId, `must be '${expected}', the ID Istio expects for this service account`);
      }
      return new RegistrationEntry({
        spiffeId: identity.spiffeId,
        parentId: this.nodeAlias.spiffeId.text,
        selectors: [`k8s:ns:${identity.namespace}`, `k8s:sa:${identity.serviceAccountName}`, ...(identity.extraSelectors ?? [])],
      });
    });
    this.entries = [this.nodeAlias, ...this.workloadEntries];
    checkNoDuplicateEntries(this.entries);
    this.entriesJson = `${JSON.stringify(spireEntriesJson(this.entries), null, 2)}\n`;
    const script = fs.readFileSync(REGISTER_SCRIPT_FILE, 'utf8');

    const namespace = server.namespace;
    const labels = { 'app.kubernetes.io/name': REGISTRATION_NAME, 'app.kubernetes.io/part-of': 'spire-mesh' };
    const metadata = { name: REGISTRATION_NAME, namespace, labels };

    this.configMap = new k8s.KubeConfigMap(this, 'config', {
      metadata,
      data: { [ENTRIES_KEY]: this.entriesJson, [SCRIPT_KEY]: script },
    });
    this.serviceAccount = new k8s.KubeServiceAccount(this, 'service-account', { metadata });
    this.role = new k8s.KubeRole(this, 'role', {
      metadata,
      // Exactly what `kubectl exec` into the server pod needs: read the pod, open an exec stream.
      rules: [
        { apiGroups: [''], resources: ['pods'], resourceNames: [server.podName], verbs: ['get'] },
        { apiGroups: [''], resources: ['pods/exec'], resourceNames: [server.podName], verbs: ['create'] },
      ],
    });
    this.roleBinding = new k8s.KubeRoleBinding(this, 'role-binding', {
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: this.role.name },
      subjects: [{ kind: 'ServiceAccount', name: this.serviceAccount.name, namespace }],
    });

    const securityContext = containerSecurityContext({ uid: NON_ROOT_ID, gid: NON_ROOT_ID });
    const toolsMount: k8s.VolumeMount = { name: 'tools', mountPath: TOOLS_DIR };
    const smallResources = resources('10m', '16Mi', '32Mi');
    const podSpec: k8s.PodSpec = {
      serviceAccountName: this.serviceAccount.name,
      // kubectl authenticates with this service account's token.
      automountServiceAccountToken: true,
      enableServiceLinks: false,
      restartPolicy: 'Never',
      securityContext: {
        runAsNonRoot: true,
        runAsUser: NON_ROOT_ID,
        runAsGroup: NON_ROOT_ID,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      initContainers: [
        {
          // The kubectl image is distroless: give it a static shell and utilities (busybox --install -s
          // links every applet to /tools/busybox, which resolves in any container mounting /tools).
          name: 'shell',
          image: props.images.shell,
          command: ['/bin/busybox', 'sh', '-c', `cp /bin/busybox ${TOOLS_DIR}/busybox && ${TOOLS_DIR}/busybox --install -s ${TOOLS_DIR}`],
          securityContext,
          resources: smallResources,
          volumeMounts: [toolsMount],
        },
        {
          // The jq image is a static /jq on scratch, with no cp of its own: use BusyBox's.
          name: 'jq',
          image: props.images.jq,
          command: [`${TOOLS_DIR}/cp`, '/jq', `${TOOLS_DIR}/jq`],
          securityContext,
          resources: smallResources,
          volumeMounts: [toolsMount],
        },
      ],
      containers: [
        {
          name: 'register',
          image: props.images.kubectl,
          command: [`${TOOLS_DIR}/sh`, `${REGISTRATION_MOUNT}/${SCRIPT_KEY}`],
          env: [
            { name: 'PATH', value: `${TOOLS_DIR}:/bin` },
            // kubectl caches API discovery under $HOME; the root filesystem is read-only.
            { name: 'HOME', value: '/tmp' },
            { name: 'SERVER_NAMESPACE', value: server.namespace },
            { name: 'SERVER_POD', value: server.podName },
            { name: 'SERVER_CONTAINER', value: server.containerName },
            { name: 'SERVER_BINARY', value: server.binaryPath },
            { name: 'SERVER_SOCKET', value: server.adminSocketPath },
            { name: 'ENTRIES_FILE', value: `${REGISTRATION_MOUNT}/${ENTRIES_KEY}` },
            { name: 'WAIT_INTERVAL_SECONDS', value: String(waitInterval) },
            // Waiting may use half the deadline, leaving the rest for creating entries and a retry.
            { name: 'WAIT_ATTEMPTS', value: String(Math.floor(activeDeadline / 2 / waitInterval)) },
          ],
          securityContext,
          resources: resources('50m', '64Mi', '128Mi'),
          volumeMounts: [
            toolsMount,
            { name: 'registration', mountPath: REGISTRATION_MOUNT, readOnly: true },
            { name: 'tmp', mountPath: '/tmp' },
          ],
        },
      ],
      volumes: [
        { name: 'tools', emptyDir: { sizeLimit: k8s.Quantity.fromString('16Mi') } },
        { name: 'registration', configMap: { name: this.configMap.name } },
        { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('32Mi') } },
      ],
    };

    // A Job's pod template is immutable: a new name for new content makes `kubectl apply`
    // and Argo CD create (and so run) a new Job instead of failing to update the old one.
    const hash = createHash('sha256').update(this.entriesJson).update(script).update(JSON.stringify(podSpec)).digest('hex');
    this.jobName = `${REGISTRATION_NAME}-${hash.slice(0, 10)}`;
    this.job = new k8s.KubeJob(this, 'job', {
      metadata: { name: this.jobName, namespace, labels },
      spec: {
        backoffLimit,
        activeDeadlineSeconds: activeDeadline,
        ttlSecondsAfterFinished: ttlAfterFinished,
        template: { metadata: { labels }, spec: podSpec },
      },
    });
  }
}
