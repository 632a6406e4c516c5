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
import { checkStaticBusyboxImage, REGISTRATION_TOOLS } from './job-tools';
import { checkNoDuplicateEntries, ENTRY_ID_PREFIX, RegistrationEntry, spireEntriesJson } from './entry';

// L1 ConfigMaps and Job: the Job needs seccomp, capabilities and a projected volume, which cdk8s-plus-25 does not model.

/** The script the Job runs, kept as a real file so tests can run it against a fake kubectl. */
export const REGISTER_SCRIPT_FILE = path.join(__dirname, 'register-entries.sh');

/** Name of every object of the construct (the Job adds a content hash, the entry ConfigMaps a number). */
export const REGISTRATION_NAME = 'spire-registration';
/** Where the ConfigMaps (the script and the entries) are mounted in the Job's main container. */
export const REGISTRATION_MOUNT = '/etc/spire-registration';
/** The ConfigMap key holding the script. */
export const SCRIPT_KEY = 'register-entries.sh';
/** The emptyDir the init containers fill with BusyBox, its applet links and jq. */
export const TOOLS_DIR = '/tools';
/**
 * The data one entries ConfigMap holds at most. Well under synth's per-object limit, so the
 * JSON escaping of the object (and kubectl's annotation) still fits, at any number of entries.
 */
export const ENTRIES_CONFIGMAP_BYTES = 128 * 1024;
/** The key of entries ConfigMap `index` (all land in one directory, so they must differ). */
export const entriesKey = (index: number): string => `entries-${String(index).padStart(3, '0')}.json`;
/**
 * uid/gid of the Job's containers. The images declare no USER (they would run as root); the
 * script needs no privilege, so they run as distroless' unprivileged 65532.
 */
const NON_ROOT_ID = 65532;
/** The time the Job leaves for waiting on a server when none is set: 5 minutes. */
const DEFAULT_WAIT_SECONDS = 300;
/** `entry show` gets one kubectl deadline per this many declared entries (rounded up). */
const LIST_ENTRIES_PER_TIMEOUT = 1000;

export interface SpireRegistrationProps {
  /** The SPIRE server, reached through `kubectl exec` into any Ready pod; it grants the Job that access. The Job and its ConfigMaps live in its namespace. */
  readonly server: ISpireServerAdmin;
  /** The agents every workload entry is parented to, through one node alias. */
  readonly agents: ISpireAgentAttestation;
  /** The mesh identities; each becomes one entry. */
  readonly identities: readonly WorkloadIdentity[];
  /**
   * Entries made elsewhere (the VM workloads' node aliases and workload entries), created and
   * owned by the same Job, after the identities' entries.
   * @default []
   */
  readonly additionalEntries?: readonly RegistrationEntry[];
  /** The trust domain of every SPIFFE ID; each identity must belong to it. */
  readonly trustDomain: string;
  /**
   * The official kubectl image, pinned: distroless static with `/bin/kubectl` and nothing else
   * (no shell, no jq). The Job's main container runs the script in it with the tools the init
   * containers copy in.
   */
  readonly kubectlImage: string;
  /**
   * A static BusyBox, pinned: the official image's `-musl` or `-uclibc` variant. Its binary and
   * applet links give the script its shell and utilities.
   */
  readonly busyboxImage: string;
  /** The official jq image, pinned: a static `/jq` on scratch. */
  readonly jqImage: string;
  /**
   * Seconds between two checks of the server's health while waiting for it.
   * @default 5
   */
  readonly waitIntervalSeconds?: number;
  /**
   * Seconds the Job may run in total, retries included, before Kubernetes stops it. What the
   * work does not need (two listings and, twice over, every batch at its full kubectl
   * deadline) is the time it may wait for a server.
   * @default - 5 minutes of waiting plus that work, at least 600
   */
  readonly activeDeadlineSeconds?: number;
  /**
   * Seconds each `kubectl` call of the Job may take before it is stopped and reported; each
   * listing of the server's entries gets this once per 1000 declared entries.
   * @default 30
   */
  readonly kubectlTimeoutSeconds?: number;
  /**
   * Entries per `spire-server entry create` or `entry delete` call, each call with its own
   * kubectl deadline.
   * @default 100
   */
  readonly batchSize?: number;
  /**
   * Retries of a failed pod.
   * @default 2
   */
  readonly backoffLimit?: number;
}

/**
 * Gives every mesh identity a SPIRE registration entry, with no hand-copied IDs:
 * a node alias for all agents of the cluster, one entry per identity parented to it, and a
 * Job that, through the admin socket of any healthy Ready server, makes the entries this mesh
 * owns (by ID prefix) exactly these: it creates the missing, deletes the undeclared, never
 * touches another's, and is safe to re-run.
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
  /** SPIRE's `entry create -data` JSON of all entries (the ConfigMaps hold it in parts). */
  public readonly entriesJson: string;
  /** `spire-registration-<hash of entries, script and pod template>`: a change re-runs the Job. */
  public readonly jobName: string;
  /** Holds the script. */
  public readonly configMap: k8s.KubeConfigMap;
  /**
   * `spire-registration-entries-NNN`, each at most `ENTRIES_CONFIGMAP_BYTES`
   * (lib/registration/registration.ts) of entries (`entries-NNN.json`, one entry a line), so any
   * number of entries fits client-side apply.
   */
  public readonly entriesConfigMaps: readonly k8s.KubeConfigMap[];
  public readonly serviceAccount: kplus.ServiceAccount;
  /** The exec grant the server gave the Job's ServiceAccount. */
  public readonly role: k8s.KubeRole;
  public readonly job: k8s.KubeJob;

  constructor(scope: Construct, id: string, props: SpireRegistrationProps) {
    super(scope, id);
    const { server, agents, trustDomain } = props;
    checkTrustDomain('trustDomain', trustDomain);
    checkImage('kubectlImage', props.kubectlImage);
    checkStaticBusyboxImage('busyboxImage', props.busyboxImage);
    checkImage('jqImage', props.jqImage);
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
    this.entries = [this.nodeAlias, ...this.workloadEntries, ...(props.additionalEntries ?? [])];
    checkNoDuplicateEntries(this.entries);
    this.entriesJson = `${JSON.stringify(spireEntriesJson(this.entries), null, 2)}\n`;
    const timing = jobTiming(props, this.entries.length);
    const script = fs.readFileSync(REGISTER_SCRIPT_FILE, 'utf8');

    const namespace = server.namespace;
    const labels = { 'app.kubernetes.io/name': REGISTRATION_NAME, 'app.kubernetes.io/part-of': 'spire-mesh' };
    const metadata = { name: REGISTRATION_NAME, namespace, labels };

    this.configMap = new k8s.KubeConfigMap(this, 'config', { metadata, data: { [SCRIPT_KEY]: script } });
    this.entriesConfigMaps = entryParts(this.entries).map(
      (part, i) =>
        new k8s.KubeConfigMap(this, `entries-${i}`, {
          metadata: { ...metadata, name: `${REGISTRATION_NAME}-entries-${String(i).padStart(3, '0')}` },
          data: { [entriesKey(i)]: part },
        }),
    );
    this.serviceAccount = new kplus.ServiceAccount(this, 'service-account', { metadata, automountToken: true });
    this.role = server.grantAdminExec(this.serviceAccount);

    const tools = { name: 'tools', mountPath: TOOLS_DIR };
    const runAs = { uid: NON_ROOT_ID, gid: NON_ROOT_ID };
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
      // The kubectl image is distroless: /bin/kubectl and nothing else. Static BusyBox and jq
      // binaries, copied into an emptyDir, give the script a shell and its utilities.
      initContainers: [
        {
          name: 'busybox',
          image: props.busyboxImage,
          // Relative links: they resolve wherever the directory is mounted.
          command: ['/bin/sh', '-c', INSTALL_TOOLS, 'install-tools', '/bin/busybox', TOOLS_DIR, ...REGISTRATION_TOOLS],
          securityContext: containerSecurityContext(runAs),
          resources: resources('10m', '16Mi', '32Mi'),
          volumeMounts: [tools],
        },
        {
          name: 'jq',
          image: props.jqImage,
          // The jq image has no cp of its own: the static BusyBox just installed has one.
          command: [`${TOOLS_DIR}/cp`, '/jq', `${TOOLS_DIR}/jq`],
          securityContext: containerSecurityContext(runAs),
          resources: resources('10m', '16Mi', '32Mi'),
          volumeMounts: [tools],
        },
      ],
      containers: [
        {
          name: 'register',
          image: props.kubectlImage,
          command: [`${TOOLS_DIR}/sh`, `${REGISTRATION_MOUNT}/${SCRIPT_KEY}`],
          env: [
            { name: 'PATH', value: `${TOOLS_DIR}:/bin` },
            // kubectl caches API discovery under $HOME, and the script's files go to $TMPDIR
            // (mktemp's default /tmp): the root filesystem is read-only.
            { name: 'HOME', value: '/tmp' },
            { name: 'SERVER_NAMESPACE', value: server.namespace },
            { name: 'SERVER_SELECTOR', value: labelSelectorArg(server.selector) },
            { name: 'SERVER_CONTAINER', value: server.containerName },
            { name: 'SERVER_BINARY', value: server.binaryPath },
            { name: 'SERVER_SOCKET', value: server.adminSocketPath },
            { name: 'ENTRIES_DIR', value: REGISTRATION_MOUNT },
            { name: 'ENTRY_ID_PREFIX', value: ENTRY_ID_PREFIX },
            { name: 'WAIT_INTERVAL_SECONDS', value: String(timing.waitInterval) },
            { name: 'WAIT_ATTEMPTS', value: String(timing.waitAttempts) },
            { name: 'KUBECTL_TIMEOUT_SECONDS', value: String(timing.kubectlTimeout) },
            { name: 'LIST_TIMEOUT_SECONDS', value: String(timing.listTimeout) },
            { name: 'BATCH_SIZE', value: String(timing.batchSize) },
          ],
          securityContext: containerSecurityContext(runAs),
          resources: resources('50m', '64Mi', '256Mi'),
          volumeMounts: [
            { name: 'registration', mountPath: REGISTRATION_MOUNT, readOnly: true },
            { ...tools, readOnly: true },
            { name: 'tmp', mountPath: '/tmp' },
          ],
        },
      ],
      volumes: [
        {
          // One directory for the script and every entries part, whatever their number.
          name: 'registration',
          projected: { sources: [this.configMap, ...this.entriesConfigMaps].map((c) => ({ configMap: { name: c.name } })) },
        },
        { name: 'tools', emptyDir: { sizeLimit: k8s.Quantity.fromString('16Mi') } },
        { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
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
        backoffLimit: timing.backoffLimit,
        activeDeadlineSeconds: timing.activeDeadline,
        template: { metadata: { labels }, spec: podSpec },
      },
    });
  }
}

/**
 * The BusyBox init container's shell text: copy the binary given as $1 into directory $2 and
 * link each applet named after them to it. Arguments, not paths in the text, so a test runs
 * this very command with its own paths.
 */
export const INSTALL_TOOLS = 'src=$1 dir=$2 && shift 2 && cp "$src" "$dir/busybox" && for tool in "$@"; do ln -s busybox "$dir/$tool"; done';

/** The Job's deadlines and counts, each checked, from the props and the number of entries. */
function jobTiming(props: SpireRegistrationProps, entries: number) {
  const waitInterval = checkWholeNumber('waitIntervalSeconds', props.waitIntervalSeconds ?? 5, 1);
  const backoffLimit = checkWholeNumber('backoffLimit', props.backoffLimit ?? 2, 0);
  const kubectlTimeout = checkWholeNumber('kubectlTimeoutSeconds', props.kubectlTimeoutSeconds ?? 30, 1);
  const batchSize = checkWholeNumber('batchSize', props.batchSize ?? 100, 1);
  const listTimeout = kubectlTimeout * Math.ceil(entries / LIST_ENTRIES_PER_TIMEOUT);
  // Two listings, then every batch created and, at worst, as many deleted or replaced.
  const work = 2 * listTimeout + 2 * Math.ceil(entries / batchSize) * kubectlTimeout;
  const activeDeadline = checkWholeNumber('activeDeadlineSeconds', props.activeDeadlineSeconds ?? Math.max(600, DEFAULT_WAIT_SECONDS + work), 1);
  if (activeDeadline - work < 2 * waitInterval) {
    throw new ValidationError(
      'activeDeadlineSeconds',
      activeDeadline,
      `must be at least ${work + 2 * waitInterval}: the work on ${entries} entries may take ${work}s ` +
        `(2 listings of ${listTimeout}s and, twice, ${Math.ceil(entries / batchSize)} batches of ${kubectlTimeout}s), ` +
        `plus two waits of waitIntervalSeconds (${waitInterval}s) for the server`,
    );
  }
  const waitAttempts = Math.floor((activeDeadline - work) / waitInterval);
  return { waitInterval, waitAttempts, backoffLimit, kubectlTimeout, listTimeout, batchSize, activeDeadline };
}

/**
 * The entries as ConfigMap values, in order, each `{"entries":[…]}` with one entry a line
 * (a change shows as that line in a diff) and at most {@link ENTRIES_CONFIGMAP_BYTES}.
 */
function entryParts(entries: readonly RegistrationEntry[]): string[] {
  const lines = entries.map((e) => JSON.stringify(e.toSpireJson()));
  const frame = '{"entries":[\n\n]}\n'.length;
  const parts: string[][] = [];
  let size = Infinity;
  for (const line of lines) {
    const added = Buffer.byteLength(line) + 2;
    if (size + added > ENTRIES_CONFIGMAP_BYTES) {
      parts.push([]);
      size = frame;
    }
    parts[parts.length - 1].push(line);
    size += added;
  }
  return parts.map((part) => `{"entries":[\n${part.join(',\n')}\n]}\n`);
}
