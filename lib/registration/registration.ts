import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-25';
import { k8s } from 'cdk8s-plus-25';
import { labelSelectorArg } from '../core/index-contract';
import { containerSecurityContext, resources } from '../core/pod-defaults';
import { WorkloadIdentity, workloadIdentity } from '../identity';
import { ISpireAgentAttestation, ISpireServerAdmin } from '../spire/interfaces';
import { checkImage, checkTrustDomain, checkWholeNumber, ValidationError } from '../validation';
import { checkNoDuplicateEntries, ENTRY_ID_PREFIX, RegistrationEntry, spireEntriesJson } from './entry';

// L1 ConfigMap and Job: the Job needs seccomp and capabilities on its container, which cdk8s-plus-25 does not model.

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
/**
 * uid/gid of the Job's container. The kubectl image declares no USER (it would run as root);
 * the script needs no privilege, so it runs as the conventional unprivileged 65532.
 */
const NON_ROOT_ID = 65532;

export interface SpireRegistrationProps {
  /** The SPIRE server, reached through `kubectl exec` into any Ready pod; it grants the Job that access. The Job and its ConfigMap live in its namespace. */
  readonly server: ISpireServerAdmin;
  /** The agents every workload entry is parented to, through one node alias. */
  readonly agents: ISpireAgentAttestation;
  /** The mesh identities; each becomes one entry. */
  readonly identities: readonly WorkloadIdentity[];
  /** The trust domain of every SPIFFE ID; each identity must belong to it. */
  readonly trustDomain: string;
  /**
   * The official `registry.k8s.io/kubectl` image, pinned: debian-base with bash, jq and
   * coreutils (its Dockerfile, `build/server-image/kubectl/Dockerfile`), all the script needs.
   */
  readonly image: string;
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
   * Seconds each `kubectl` call of the Job may take before it is stopped and reported.
   * @default 30
   */
  readonly kubectlTimeoutSeconds?: number;
  /**
   * Retries of a failed pod.
   * @default 2
   */
  readonly backoffLimit?: number;
}

/**
 * Gives every mesh identity a SPIRE registration entry, with no hand-copied IDs:
 * a node alias for all agents of the cluster, one entry per identity parented to it, and a
 * Job that, through the admin socket of any Ready server, makes the entries this mesh owns
 * (by ID prefix) exactly these: it creates the missing, deletes the undeclared, never touches
 * another's, and is safe to re-run.
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
  public readonly serviceAccount: kplus.ServiceAccount;
  /** The exec grant the server gave the Job's ServiceAccount. */
  public readonly role: k8s.KubeRole;
  public readonly job: k8s.KubeJob;

  constructor(scope: Construct, id: string, props: SpireRegistrationProps) {
    super(scope, id);
    const { server, agents, trustDomain } = props;
    checkTrustDomain('trustDomain', trustDomain);
    checkImage('image', props.image);
    const waitInterval = checkWholeNumber('waitIntervalSeconds', props.waitIntervalSeconds ?? 5, 1);
    const activeDeadline = checkWholeNumber('activeDeadlineSeconds', props.activeDeadlineSeconds ?? 600, 1);
    const backoffLimit = checkWholeNumber('backoffLimit', props.backoffLimit ?? 2, 0);
    const kubectlTimeout = checkWholeNumber('kubectlTimeoutSeconds', props.kubectlTimeoutSeconds ?? 30, 1);
    if (kubectlTimeout * 2 > activeDeadline) {
      throw new ValidationError('kubectlTimeoutSeconds', kubectlTimeout, `must be at most half of activeDeadlineSeconds (${activeDeadline})`);
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
      const expected = workloadIdentity(trustDomain, identity.namespace, identity.serviceAccountName).spiffeId;
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
    this.serviceAccount = new kplus.ServiceAccount(this, 'service-account', { metadata, automountToken: true });
    this.role = server.grantAdminExec(this.serviceAccount);

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
      containers: [
        {
          name: 'register',
          image: props.image,
          command: ['/bin/bash', `${REGISTRATION_MOUNT}/${SCRIPT_KEY}`],
          env: [
            // kubectl caches API discovery under $HOME; the root filesystem is read-only.
            { name: 'HOME', value: '/tmp' },
            { name: 'SERVER_NAMESPACE', value: server.namespace },
            { name: 'SERVER_SELECTOR', value: labelSelectorArg(server.selector) },
            { name: 'SERVER_CONTAINER', value: server.containerName },
            { name: 'SERVER_BINARY', value: server.binaryPath },
            { name: 'SERVER_SOCKET', value: server.adminSocketPath },
            { name: 'ENTRIES_FILE', value: `${REGISTRATION_MOUNT}/${ENTRIES_KEY}` },
            { name: 'ENTRY_ID_PREFIX', value: ENTRY_ID_PREFIX },
            { name: 'WAIT_INTERVAL_SECONDS', value: String(waitInterval) },
            // Waiting may use half the deadline, leaving the rest for the entries and a retry.
            { name: 'WAIT_ATTEMPTS', value: String(Math.floor(activeDeadline / 2 / waitInterval)) },
            { name: 'KUBECTL_TIMEOUT_SECONDS', value: String(kubectlTimeout) },
          ],
          securityContext: containerSecurityContext({ uid: NON_ROOT_ID, gid: NON_ROOT_ID }),
          resources: resources('50m', '64Mi', '128Mi'),
          volumeMounts: [
            { name: 'registration', mountPath: REGISTRATION_MOUNT, readOnly: true },
            { name: 'tmp', mountPath: '/tmp' },
          ],
        },
      ],
      volumes: [
        { name: 'registration', configMap: { name: this.configMap.name } },
        { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('32Mi') } },
      ],
    };

    // A Job's pod template is immutable: a new name for new content makes `kubectl apply`
    // and Argo CD create (and so run) a new Job instead of failing to update the old one.
    // No ttlSecondsAfterFinished: a Job Kubernetes deletes leaves Argo CD OutOfSync, and its
    // next sync would run it again; the finished Job stays, holding its logs.
    const hash = createHash('sha256').update(this.entriesJson).update(script).update(JSON.stringify(podSpec)).digest('hex');
    this.jobName = `${REGISTRATION_NAME}-${hash.slice(0, 10)}`;
    this.job = new k8s.KubeJob(this, 'job', {
      metadata: { name: this.jobName, namespace, labels },
      spec: {
        backoffLimit,
        activeDeadlineSeconds: activeDeadline,
        template: { metadata: { labels }, spec: podSpec },
      },
    });
  }
}
