import * as path from 'path';
import {
  BUILT_IN_NAMESPACES,
  IndexError,
  IndexGitOps,
  IndexIngressGateway,
  IndexObject,
  IndexSpireServerAdmin,
  IndexStep,
  IndexTool,
  labelSelectorArg,
  MeshIndex,
} from '../core/index-contract';

/**
 * Turns dist/meta/index.json into the ordered commands of each CLI verb. Pure: no file,
 * process or clock access, so the whole plan is unit-tested and printed by `--dry-run`.
 */

export type Tool = IndexTool;

/** One invocation of a real tool. */
export interface PlanCommand {
  readonly tool: Tool;
  readonly args: readonly string[];
  /**
   * A wait: re-run while the tool reports it timed out (each run waits `pollSeconds` itself),
   * at most `attempts` times.
   * @default - run once
   */
  readonly wait?: { readonly what: string; readonly attempts: number; readonly pollSeconds: number };
  /**
   * Patterns of error lines that mean "already gone": a failure whose every error line
   * matches one is a success (e.g. deleting objects whose CRD was already removed).
   * @default - every failure fails the step
   */
  readonly alreadyDone?: readonly RegExp[];
  /**
   * Run only if a namespace holds nothing but what the mesh made: `check` lists it first, and
   * anything else found there (not in `known`, not already being deleted) keeps it, by name.
   * @default - run unconditionally
   */
  readonly onlyIfEmpty?: NamespaceCheck;
}

/** How `down` makes sure a namespace it deletes holds no one else's workloads. */
export interface NamespaceCheck {
  readonly namespace: string;
  /** Lists the namespace's objects of {@link NAMESPACE_CONTENT_KINDS}, as JSON. */
  readonly check: PlanCommand;
  /** What the index puts in the namespace: never a reason to keep it. */
  readonly known: readonly IndexObject[];
}

/** One numbered step: `[n/N] title`. */
export interface PlanStep {
  readonly title: string;
  readonly commands: readonly PlanCommand[];
  /** What to look at when the step fails. */
  readonly hint: string;
  /**
   * Not run, and why (with how to do it by hand); the step's commands are empty.
   * @default - the step runs
   */
  readonly skipped?: string;
}

export interface Plan {
  readonly steps: readonly PlanStep[];
}

export interface PlanOptions {
  /** The output directory the index's file paths are relative to, as the user gave it. */
  readonly distDir: string;
  /** kubectl/istioctl context. @default - the current context of KUBECONFIG */
  readonly context?: string;
  /** Seconds each wait command blocks before the CLI reports it is still waiting. @default 10 */
  readonly pollSeconds?: number;
  /** Seconds to wait for one step's objects before failing. @default 300 */
  readonly timeoutSeconds?: number;
}

const ROLLOUT_KINDS = ['StatefulSet', 'DaemonSet', 'Deployment'];

/** Istio's control plane Deployment name, fixed by Istio for the default revision. */
const ISTIOD_DEPLOYMENT = 'istiod';
/** The namespace istioctl installs into when the IstioOperator names none. */
const ISTIO_DEFAULT_NAMESPACE = 'istio-system';

/**
 * What `down` lists in a namespace before deleting it: workloads, their pods and services, and
 * volume claims (someone's data). Not ConfigMaps, Secrets or ServiceAccounts: Kubernetes and
 * istiod put their own (`kube-root-ca.crt`, `istio-ca-root-cert`, `default`) in every namespace.
 */
export const NAMESPACE_CONTENT_KINDS = ['pods', 'deployments', 'statefulsets', 'daemonsets', 'replicasets', 'jobs', 'cronjobs', 'services', 'persistentvolumeclaims'];

/** Built-in namespaces (`default`, `kube-*`), which `down` never deletes. */
function isBuiltInNamespace(name: string): boolean {
  return BUILT_IN_NAMESPACES.includes(name) || name.startsWith('kube-');
}

/** kubectl/istioctl refuse objects of a kind whose CRD is gone; those objects are gone with it. */
const CRD_GONE = [/no matches for kind/, /ensure CRDs are installed first/, /the server doesn't have a resource type/, /^unable to recognize/];

function withContext(options: PlanOptions, tool: Tool, args: string[]): PlanCommand {
  return { tool, args: options.context ? [`--context=${options.context}`, ...args] : args };
}

function kubectl(options: PlanOptions, ...args: string[]): PlanCommand {
  return withContext(options, 'kubectl', args);
}

function file(options: PlanOptions, step: IndexStep): string {
  return path.join(options.distDir, step.file);
}

/** `kind/name` as kubectl addresses it; lowercased kind is the singular resource name of built-in and Istio kinds. */
export function ref(obj: IndexObject): string {
  return `${obj.kind.toLowerCase()}/${obj.name}`;
}

/** `kind.group/name`, unambiguous even when two API groups share a kind (Istio's and Gateway API's `Gateway`). */
function qualifiedRef(obj: IndexObject): string {
  const group = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '';
  return `${obj.kind.toLowerCase()}${group ? `.${group}` : ''}/${obj.name}`;
}

/** One wait's poll (at most the timeout: `--poll` never outlasts `--timeout`) and how often it may repeat within the timeout. */
function pollOf(options: PlanOptions): { pollSeconds: number; attempts: number } {
  const timeout = options.timeoutSeconds ?? 300;
  const pollSeconds = Math.min(options.pollSeconds ?? 10, timeout);
  return { pollSeconds, attempts: Math.max(1, Math.ceil(timeout / pollSeconds)) };
}

function waitFor(options: PlanOptions, obj: IndexObject, namespace: string, args: string[]): PlanCommand {
  const { pollSeconds, attempts } = pollOf(options);
  return { ...kubectl(options, ...args, '-n', namespace, `--timeout=${pollSeconds}s`), wait: { what: `${ref(obj)} in ${namespace}`, attempts, pollSeconds } };
}

/** The wait command for an object, or none when its kind has no readiness to wait for. */
function waitCommand(options: PlanOptions, obj: IndexObject): PlanCommand | undefined {
  const namespace = obj.namespace ?? 'default';
  if (ROLLOUT_KINDS.includes(obj.kind)) return waitFor(options, obj, namespace, ['rollout', 'status', ref(obj)]);
  if (obj.kind === 'Job') return waitFor(options, obj, namespace, ['wait', '--for=condition=complete', ref(obj)]);
  return undefined;
}

function describeWorkload(obj: IndexObject): string {
  const ns = obj.namespace ?? 'default';
  return obj.kind === 'Job' ? `kubectl -n ${ns} logs ${ref(obj)} --all-containers` : `kubectl -n ${ns} describe ${ref(obj)}`;
}

/** The SPIRE agents' log commands: agents that fail node attestation, or cannot attest a workload, say so there. */
function agentLogs(index: MeshIndex): string[] {
  const spireNs = index.admin.spireServer.namespace;
  const daemonSets = index.steps.flatMap((s) => s.objects).filter((o) => o.kind === 'DaemonSet' && (spireNs === undefined || o.namespace === spireNs));
  return daemonSets.map((d) => `kubectl -n ${d.namespace ?? 'default'} logs ${ref(d)} --all-containers`);
}

function waitHint(index: MeshIndex, step: IndexStep, workloads: readonly IndexObject[]): string {
  const looks = workloads.map(describeWorkload);
  const agents = agentLogs(index);
  const isSpire = workloads.some((w) => w.kind === 'DaemonSet' || w.kind === 'StatefulSet');
  const reason = isSpire
    ? 'attestation errors (agent cannot reach or attest to the server) show in the agent log'
    : step.objects.some((o) => o.kind === 'Job')
      ? 'the Job reaches the SPIRE server through its admin socket; its log names the entry it could not create'
      : 'meshed pods start only once their proxy has an SVID: check `entries list` and the agent log';
  return [`${reason}; look at:`, ...looks, ...agents].join('\n');
}

/** The Istio namespace: where the IstioOperator lives (istioctl installs there), else the gateway's, else Istio's default. */
export function istioNamespace(index: MeshIndex, step: IndexStep): string {
  const operator = step.objects.find((o) => o.kind === 'IstioOperator');
  return operator?.namespace ?? index.admin.ingressGateway?.namespace ?? ISTIO_DEFAULT_NAMESPACE;
}

function istioSteps(index: MeshIndex, step: IndexStep, options: PlanOptions): PlanStep[] {
  const ns = istioNamespace(index, step);
  const istiod: IndexObject = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns, name: ISTIOD_DEPLOYMENT };
  const waits = [waitCommand(options, istiod)!];
  const gateway = index.admin.ingressGateway;
  if (gateway) {
    const { pollSeconds, attempts } = pollOf(options);
    waits.push({
      ...kubectl(options, 'wait', '--for=condition=available', 'deployment', '-l', labelSelectorArg(gateway.selector), '-n', gateway.namespace, `--timeout=${pollSeconds}s`),
      wait: { what: `ingress gateway (${labelSelectorArg(gateway.selector)}) in ${gateway.namespace}`, attempts, pollSeconds },
    });
  }
  return [
    {
      title: `install Istio: ${step.description}`,
      commands: [withContext(options, 'istioctl', ['install', '-f', file(options, step), '-y'])],
      hint: `look at: kubectl -n ${ns} get pods; kubectl -n ${ns} get events --sort-by=.lastTimestamp`,
    },
    {
      title: `wait for istiod${gateway ? ' and the ingress gateway' : ''}`,
      commands: waits,
      hint: [
        'the gateway mounts the SPIRE socket through the CSI driver; without an entry it never gets ready. Look at:',
        `kubectl -n ${ns} describe deployment/${ISTIOD_DEPLOYMENT}`,
        ...(gateway ? [`kubectl -n ${gateway.namespace} logs -l ${labelSelectorArg(gateway.selector)}`] : []),
        ...agentLogs(index),
      ].join('\n'),
    },
  ];
}

/** `up`: every step in index order, each followed by a wait for its workloads. */
export function upPlan(index: MeshIndex, options: PlanOptions): Plan {
  const steps = index.steps.flatMap((step): PlanStep[] => {
    if (step.tool === 'istioctl') return istioSteps(index, step, options);
    const apply: PlanStep = {
      title: `apply ${step.chart}: ${step.description}`,
      commands: [kubectl(options, 'apply', '-f', file(options, step))],
      hint: 'an "ensure CRDs are installed" error means this file came before Istio was installed; run the whole `up`',
    };
    const workloads = step.objects.filter((o) => waitCommand(options, o) !== undefined);
    if (workloads.length === 0) return [apply];
    return [
      apply,
      {
        title: `wait for ${step.chart}: ${workloads.map(ref).join(', ')}`,
        commands: workloads.map((w) => waitCommand(options, w)!),
        hint: waitHint(index, step, workloads),
      },
    ];
  });
  return { steps };
}

/**
 * Deletes a step's objects, foreground: kubectl returns once their pods are gone too, so the
 * namespace check that follows sees only what is not the mesh's. A step's Namespace objects
 * are left to {@link namespacesStep}; a step holding one is deleted object by object.
 */
function deleteStep(step: IndexStep, options: PlanOptions): PlanStep | undefined {
  const hint = `look at what is left: kubectl get -f ${file(options, step)}`;
  const namespaces = step.objects.filter((o) => o.kind === 'Namespace');
  if (namespaces.length === 0) {
    return {
      title: `delete ${step.chart}: ${step.description}`,
      commands: [{ ...kubectl(options, 'delete', '-f', file(options, step), '--ignore-not-found', '--cascade=foreground'), alreadyDone: CRD_GONE }],
      hint,
    };
  }
  const rest = step.objects.filter((o) => o.kind !== 'Namespace');
  if (rest.length === 0) return undefined;
  const byNamespace = new Map<string | undefined, IndexObject[]>();
  for (const obj of rest) byNamespace.set(obj.namespace, [...(byNamespace.get(obj.namespace) ?? []), obj]);
  const commands = [...byNamespace.entries()].map(([ns, objs]) => ({
    ...kubectl(options, 'delete', ...(ns ? ['-n', ns] : []), ...objs.map(qualifiedRef), '--ignore-not-found', '--cascade=foreground'),
    alreadyDone: CRD_GONE,
  }));
  const builtIn = namespaces.filter((n) => isBuiltInNamespace(n.name)).map((n) => n.name);
  const own = namespaces.filter((n) => !isBuiltInNamespace(n.name)).map((n) => n.name);
  const kept = [...(builtIn.length > 0 ? [`keeping namespace ${builtIn.join(', ')}`] : []), ...(own.length > 0 ? [`namespace ${own.join(', ')} last`] : [])];
  return { title: `delete ${step.chart} (${kept.join('; ')}): ${step.description}`, commands, hint };
}

/**
 * Deletes the namespaces the index creates, last, in reverse order and never a built-in one,
 * each only when it holds nothing the mesh did not make: another team's workload in
 * `istio-system` keeps it.
 */
function namespacesStep(index: MeshIndex, options: PlanOptions): PlanStep | undefined {
  const objects = index.steps.flatMap((s) => s.objects);
  const names = [
    ...new Set(
      [...index.steps]
        .reverse()
        .flatMap((s) => [...s.objects].reverse())
        .filter((o) => o.kind === 'Namespace' && !isBuiltInNamespace(o.name))
        .map((o) => o.name),
    ),
  ];
  if (names.length === 0) return undefined;
  return {
    title: `delete the namespaces the mesh created, each only if nothing else is in it: ${names.join(', ')}`,
    commands: names.map((ns) => ({
      ...kubectl(options, 'delete', 'namespace', ns, '--ignore-not-found'),
      onlyIfEmpty: {
        namespace: ns,
        check: kubectl(options, 'get', NAMESPACE_CONTENT_KINDS.join(','), '-n', ns, '-o', 'json'),
        known: objects.filter((o) => o.namespace === ns),
      },
    })),
    hint: `look at what is left: ${names.map((ns) => `kubectl get all -n ${ns}`).join('; ')}`,
  };
}

export interface DownOptions {
  /**
   * istioctl is on PATH. Without it the Istio step is skipped, saying how to remove Istio by
   * hand, and the kubectl steps still run.
   * @default true
   */
  readonly istioctl?: boolean;
}

/**
 * Istio, removed by its own install file: istioctl deletes what carries the IstioOperator's
 * name as its owning resource (`install.operator.istio.io/owning-resource`), so another Istio
 * revision on the cluster stays. Never `--purge`, which removes every revision (and the CRDs).
 */
function uninstallIstioStep(index: MeshIndex, step: IndexStep, options: PlanOptions, down: DownOptions): PlanStep {
  const uninstall = withContext(options, 'istioctl', ['uninstall', '-f', file(options, step), '-y']);
  const title = `uninstall Istio: ${step.description}`;
  const hint = `look at what is left: kubectl -n ${istioNamespace(index, step)} get all`;
  if (down.istioctl ?? true) return { title, commands: [uninstall], hint };
  return {
    title,
    commands: [],
    hint,
    skipped: `istioctl not found on PATH, so Istio is still installed; to remove it, install istioctl ${index.istioVersion} and run: ${commandLine(uninstall)}`,
  };
}

/** `down`: the reverse of `up`, then the mesh's namespaces; every command succeeds when its objects are already gone. */
export function downPlan(index: MeshIndex, options: PlanOptions, down: DownOptions = {}): Plan {
  const steps = [...index.steps].reverse().map((step) => (step.tool === 'istioctl' ? uninstallIstioStep(index, step, options, down) : deleteStep(step, options)));
  return { steps: [...steps, namespacesStep(index, options)].filter((s): s is PlanStep => s !== undefined) };
}

/** The step that registers workloads: the one holding a Job. */
function registrationStep(index: MeshIndex): IndexStep {
  const step = index.steps.find((s) => s.objects.some((o) => o.kind === 'Job'));
  if (!step) throw new IndexError('no step of the index holds a Job: this mesh has no registration chart; run `npm run synth` with one');
  return step;
}

/** `entries create`: re-run the registration Job (a completed Job never runs again, so delete it first). */
export function entriesCreatePlan(index: MeshIndex, options: PlanOptions): Plan {
  const step = registrationStep(index);
  const jobs = step.objects.filter((o) => o.kind === 'Job');
  return {
    steps: [
      {
        title: `delete the previous registration Job: ${jobs.map(ref).join(', ')}`,
        commands: jobs.map((job) => kubectl(options, 'delete', '-n', job.namespace ?? 'default', ref(job), '--ignore-not-found')),
        hint: `look at: kubectl -n ${jobs[0].namespace ?? 'default'} get jobs`,
      },
      {
        title: `apply ${step.chart}: ${step.description}`,
        commands: [kubectl(options, 'apply', '-f', file(options, step))],
        hint: 'is SPIRE installed? run `up` first',
      },
      {
        title: `wait for ${step.chart}: ${jobs.map(ref).join(', ')}`,
        commands: jobs.map((job) => waitCommand(options, job)!),
        hint: waitHint(index, step, jobs),
      },
    ],
  };
}

/** The pods a selector matches, as JSON: the CLI picks a Ready one itself. */
function selectedPodsCommand(options: PlanOptions, namespace: string, selector: Readonly<Record<string, string>>): PlanCommand {
  return kubectl(options, 'get', 'pods', '-n', namespace, '-l', labelSelectorArg(selector), '-o', 'json');
}

/** The SPIRE server's pods, any Ready one of which serves the admin API. */
export function spireServerPodsCommand(index: MeshIndex, options: PlanOptions): PlanCommand {
  const admin = index.admin.spireServer;
  return selectedPodsCommand(options, admin.namespace, admin.selector);
}

/** `kubectl exec` into a SPIRE server pod and run `spire-server <args> -socketPath <admin socket>`. */
export function spireServerCommand(index: MeshIndex, options: PlanOptions, pod: string, ...args: string[]): PlanCommand {
  const admin: IndexSpireServerAdmin = index.admin.spireServer;
  return kubectl(options, 'exec', '-n', admin.namespace, pod, '-c', admin.containerName, '--', admin.binaryPath, ...args, '-socketPath', admin.adminSocketPath);
}

/** The ingress gateway's coordinates, or a message saying the index lacks them. */
export function ingressGateway(index: MeshIndex): IndexIngressGateway {
  const gateway = index.admin.ingressGateway;
  if (!gateway) throw new IndexError('the index has no admin.ingressGateway: this mesh has no ingress gateway; enable istio.ingressGateway and run `npm run synth`');
  return gateway;
}

/** `forward`: find a Ready gateway pod, then port-forward its HTTP port. */
export function forwardCommands(index: MeshIndex, options: PlanOptions, localPort: number): { findPod: PlanCommand; forward: (pod: string) => PlanCommand } {
  const gateway = ingressGateway(index);
  return {
    findPod: selectedPodsCommand(options, gateway.namespace, gateway.selector),
    forward: (pod) => kubectl(options, 'port-forward', '-n', gateway.namespace, `pod/${pod}`, `${localPort}:${gateway.httpPort}`),
  };
}

/** One part of the mesh as `status` reports it: the pods of its workloads, by namespace. */
export interface StatusPart {
  readonly title: string;
  /** Namespace → the workloads whose pods belong to this part; an empty list means every pod of the namespace. */
  readonly namespaces: ReadonlyMap<string, readonly IndexObject[]>;
}

/** The parts with pods, in apply order: each kubectl step's workloads, and the whole Istio namespace. */
export function statusParts(index: MeshIndex): StatusPart[] {
  return index.steps.flatMap((step): StatusPart[] => {
    if (step.tool === 'istioctl') return [{ title: step.chart, namespaces: new Map([[istioNamespace(index, step), []]]) }];
    const workloads = step.objects.filter((o) => ROLLOUT_KINDS.includes(o.kind) || o.kind === 'Job');
    if (workloads.length === 0) return [];
    const namespaces = new Map<string, IndexObject[]>();
    for (const w of workloads) {
      const ns = w.namespace ?? 'default';
      namespaces.set(ns, [...(namespaces.get(ns) ?? []), w]);
    }
    return [{ title: step.chart, namespaces }];
  });
}

/** The PeerAuthentications of the mesh, whose mode `status` reports. */
export function peerAuthentications(index: MeshIndex): IndexObject[] {
  return index.steps.flatMap((s) => s.objects).filter((o) => o.kind === 'PeerAuthentication');
}

/** kubectl's args for one object's field, by JSONPath. */
export function getFieldCommand(options: PlanOptions, obj: IndexObject, jsonPath: string): PlanCommand {
  return kubectl(options, 'get', '-n', obj.namespace ?? 'default', qualifiedRef(obj), '-o', `jsonpath=${jsonPath}`);
}

/** kubectl's args for every pod of a namespace, as JSON. */
export function podsCommand(options: PlanOptions, namespace: string): PlanCommand {
  return kubectl(options, 'get', 'pods', '-n', namespace, '-o', 'json');
}

/** Shell-quotes a command for printing, so a user can copy it. */
export function commandLine(cmd: PlanCommand): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return [cmd.tool, ...cmd.args].map(quote).join(' ');
}

/** Reads Argo CD's ConfigMap (`gitops check`). */
export function argocdConfigMapCommand(gitops: IndexGitOps, options: PlanOptions): PlanCommand {
  return kubectl(options, 'get', 'configmap', gitops.configMap, '-n', gitops.namespace, '-o', 'json');
}

/** Merges the health entry synth generated into Argo CD's ConfigMap, leaving its other keys alone (docs/gitops.md). */
export function healthPatchCommand(gitops: IndexGitOps, options: PlanOptions): PlanCommand {
  return kubectl(options, 'patch', 'configmap', gitops.configMap, '-n', gitops.namespace, '--type', 'merge', '--patch-file', path.join(options.distDir, gitops.patchFile));
}
