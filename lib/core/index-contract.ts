import * as path from 'path';

/**
 * The contract between synth and the operator CLI: the shape of `dist/meta/index.json`, and
 * the one parser that checks a file on disk against it. Synth writes what is declared here;
 * the CLI reads nothing else from the project. No construct, cdk8s or config import, so the
 * CLI starts without loading the construct tree.
 */

/** Where the index lives, relative to the output directory (a subdirectory, so `kubectl apply -f dist/` skips it). */
export const INDEX_FILE = path.posix.join('meta', 'index.json');

/** Bumped whenever a field changes meaning or a required one is added; the CLI refuses any other. */
export const INDEX_VERSION = 1;

/** The tools an index step may name. */
export const INDEX_TOOLS = ['kubectl', 'istioctl'] as const;
export type IndexTool = (typeof INDEX_TOOLS)[number];

/** Namespaces that exist in every cluster: the mesh never creates them, and `down` never deletes them. */
export const BUILT_IN_NAMESPACES: readonly string[] = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** One object of a step, enough for a tool to wait on it or delete it. */
export interface IndexObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/** One apply step of the mesh: a file and the tool that applies it. */
export interface IndexStep {
  readonly chart: string;
  readonly description: string;
  /** Relative to the output directory, and inside it. */
  readonly file: string;
  readonly tool: IndexTool;
  /** The Argo CD sync wave of every object in the file. */
  readonly wave: number;
  readonly objects: readonly IndexObject[];
}

/** A label selector as kubectl's `-l` takes it: `key=value` pairs joined by commas. */
export function labelSelectorArg(selector: Readonly<Record<string, string>>): string {
  return Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** How the operator CLI reaches the SPIRE server's admin API: `kubectl exec` into a Ready server pod, then the socket. */
export interface IndexSpireServerAdmin {
  readonly namespace: string;
  /** Labels of the server pods; any Ready one serves the admin API. */
  readonly selector: Readonly<Record<string, string>>;
  readonly containerName: string;
  readonly binaryPath: string;
  readonly adminSocketPath: string;
}

/** How the operator CLI finds the ingress gateway pods to port-forward. */
export interface IndexIngressGateway {
  readonly namespace: string;
  /** Labels of the gateway pods. */
  readonly selector: Readonly<Record<string, string>>;
  /** The gateway's plain-HTTP port (the demo's 8080). */
  readonly httpPort: number;
}

/** Runtime coordinates the operator CLI needs beyond the applied objects. */
export interface IndexAdmin {
  readonly spireServer: IndexSpireServerAdmin;
  /** @default - absent when `istio.ingressGateway.enabled` is false */
  readonly ingressGateway?: IndexIngressGateway;
}

/** One workload identity of the mesh. */
export interface IdentityNode {
  readonly id: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly spiffeId: string;
}

/** `from` may call `to` (node ids). */
export interface IdentityEdge {
  readonly from: string;
  readonly to: string;
}

/** Who may talk to whom, by identity. */
export interface IdentityGraph {
  readonly nodes: readonly IdentityNode[];
  readonly edges: readonly IdentityEdge[];
}

/**
 * The Argo CD setting the mesh depends on: the `argocd-cm` entry that gives child
 * Applications a health status, as synth generated it (`npm run mesh -- gitops check`
 * compares the live ConfigMap with it).
 */
export interface IndexGitOps {
  /** Argo CD's namespace, where its ConfigMap lives. */
  readonly namespace: string;
  /** Argo CD's ConfigMap (`argocd-cm`). */
  readonly configMap: string;
  /** `resource.customizations.health.argoproj.io_Application`. */
  readonly healthKey: string;
  /** The Lua check, exactly as synth wrote it. */
  readonly healthScript: string;
  /** The file to merge into the ConfigMap, relative to the output directory. */
  readonly patchFile: string;
}

/** The node attestors a VM's SPIRE agent may use. */
export const INDEX_VM_ATTESTORS = ['join_token', 'x509pop', 'aws_iid'] as const;

/** One VM workload, as `vm bundle` writes its files. */
export interface IndexVmWorkload {
  readonly name: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly spiffeId: string;
  /** The SPIFFE ID its machines' agents are aliased to (the `-spiffeID` of `spire-server token generate` for join_token). */
  readonly nodeAlias: string;
  readonly attestor: (typeof INDEX_VM_ATTESTORS)[number];
  /** Service port names (protocol first) and numbers. */
  readonly ports: readonly { readonly name: string; readonly number: number }[];
  /** The WorkloadGroup's name (the proxy auto-registers into it) and its WorkloadEntry labels. */
  readonly workloadGroup: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly network: string;
}

/**
 * What a VM needs from the cluster side, written only when the config declares `vms` (an
 * optional section of index version 1: an index without it has no VM workloads, and reads
 * as before).
 */
export interface IndexVms {
  readonly trustDomain: string;
  readonly meshId: string;
  /** The cluster's ID in the mesh (`global.multiCluster.clusterName`). */
  readonly clusterName: string;
  /** The cluster's network. */
  readonly network: string;
  readonly istioNamespace: string;
  /** The Service the VMs' agents connect to, and the trust bundle's ConfigMap. */
  readonly spireServer: {
    readonly namespace: string;
    readonly service: string;
    readonly port: number;
    readonly bundleConfigMap: string;
    readonly bundleKey: string;
  };
  /** The host name and port of istiod, as the VMs' proxies dial it (resolved to the east-west gateway). */
  readonly istiod: { readonly host: string; readonly port: number };
  readonly eastWestGateway: { readonly namespace: string; readonly service: string };
  readonly workloads: readonly IndexVmWorkload[];
}

/** What synth wrote, in apply order: read by the operator CLI instead of hard-coding names. */
export interface MeshIndex {
  readonly version: typeof INDEX_VERSION;
  /** The Istio release the istioctl steps install; istioctl must be this version. */
  readonly istioVersion: string;
  readonly steps: readonly IndexStep[];
  readonly admin: IndexAdmin;
  /** @default - absent when the mesh was synthesized without one */
  readonly identityGraph?: IdentityGraph;
  /**
   * Optional, so indexes without it stay version 1: an older CLI ignores it.
   * @default - absent when synth wrote no Argo CD files (`gitops.repoURL` empty)
   */
  readonly gitops?: IndexGitOps;
  /** @default - absent when the config declares no `vms` */
  readonly vms?: IndexVms;
}

/** The index on disk is missing, unreadable or breaks the contract; the message says what and how to fix it. */
export class IndexError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IndexError';
  }
}

const FIX = 'run `npm run synth` to rewrite it';
const SHOWN_CHARS = 60;

/** A value as an error shows it, cut to a readable length. */
function shown(value: unknown): string {
  const text = typeof value === 'string' ? `'${value}'` : (JSON.stringify(value) ?? String(value));
  return text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}… (${text.length} characters)` : text;
}

type Json = Record<string, unknown>;

/** Walks the parsed JSON, collecting one problem per bad field. */
class Reader {
  public readonly problems: string[] = [];

  public fail(at: string, value: unknown, rule: string): undefined {
    this.problems.push(`${at}: ${value === undefined ? 'missing' : shown(value)}${value === undefined ? `, ${rule}` : ` ${rule}`}`);
    return undefined;
  }

  public object(at: string, value: unknown): Json | undefined {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Json;
    return this.fail(at, value, 'must be an object');
  }

  public array(at: string, value: unknown): unknown[] | undefined {
    return Array.isArray(value) ? value : this.fail(at, value, 'must be a list');
  }

  public string(at: string, value: unknown): string | undefined {
    return typeof value === 'string' && value !== '' ? value : this.fail(at, value, 'must be a non-empty string');
  }

  public integer(at: string, value: unknown, min: number, max: number): number | undefined {
    return Number.isInteger(value) && (value as number) >= min && (value as number) <= max
      ? (value as number)
      : this.fail(at, value, `must be a whole number from ${min} to ${max}`);
  }

  public labels(at: string, value: unknown): Record<string, string> | undefined {
    const obj = this.object(at, value);
    if (!obj) return undefined;
    const entries = Object.entries(obj);
    if (entries.length === 0) return this.fail(at, value, 'must hold at least one label');
    for (const [k, v] of entries) if (typeof v !== 'string') return this.fail(`${at}.${k}`, v, 'must be a string');
    return obj as Record<string, string>;
  }
}

/** A step's file: relative, normalized and inside the output directory, so the CLI never applies a file from elsewhere. */
function insideDist(r: Reader, at: string, value: unknown): string | undefined {
  const file = r.string(at, value);
  if (file === undefined) return undefined;
  const normal = path.posix.normalize(file);
  if (path.posix.isAbsolute(file) || path.win32.isAbsolute(file) || normal === '..' || normal.startsWith('../') || file.includes('\\') || normal !== file) {
    return r.fail(at, file, 'must be a relative path inside the output directory');
  }
  return file;
}

function readObject(r: Reader, at: string, value: unknown): IndexObject | undefined {
  const o = r.object(at, value);
  if (!o) return undefined;
  const apiVersion = r.string(`${at}.apiVersion`, o.apiVersion);
  const kind = r.string(`${at}.kind`, o.kind);
  const name = r.string(`${at}.name`, o.name);
  const namespace = o.namespace === undefined ? undefined : r.string(`${at}.namespace`, o.namespace);
  if (!apiVersion || !kind || !name) return undefined;
  return { apiVersion, kind, name, ...(namespace ? { namespace } : {}) };
}

function readStep(r: Reader, at: string, value: unknown): IndexStep | undefined {
  const s = r.object(at, value);
  if (!s) return undefined;
  const chart = r.string(`${at}.chart`, s.chart);
  const description = r.string(`${at}.description`, s.description);
  const file = insideDist(r, `${at}.file`, s.file);
  const tool = (INDEX_TOOLS as readonly unknown[]).includes(s.tool)
    ? (s.tool as IndexTool)
    : r.fail(`${at}.tool`, s.tool, `must be one of ${INDEX_TOOLS.join(', ')}`);
  const wave = r.integer(`${at}.wave`, s.wave, 0, Number.MAX_SAFE_INTEGER);
  const objects = r.array(`${at}.objects`, s.objects)?.map((o, i) => readObject(r, `${at}.objects[${i}]`, o));
  if (!chart || !description || !file || !tool || wave === undefined || !objects || objects.some((o) => !o)) return undefined;
  return { chart, description, file, tool, wave, objects: objects as IndexObject[] };
}

function readAdmin(r: Reader, value: unknown): IndexAdmin | undefined {
  const a = r.object('admin', value);
  if (!a) return undefined;
  const s = r.object('admin.spireServer', a.spireServer);
  const spireServer = s && {
    namespace: r.string('admin.spireServer.namespace', s.namespace),
    selector: r.labels('admin.spireServer.selector', s.selector),
    containerName: r.string('admin.spireServer.containerName', s.containerName),
    binaryPath: r.string('admin.spireServer.binaryPath', s.binaryPath),
    adminSocketPath: r.string('admin.spireServer.adminSocketPath', s.adminSocketPath),
  };
  let ingressGateway: IndexIngressGateway | undefined;
  if (a.ingressGateway !== undefined) {
    const g = r.object('admin.ingressGateway', a.ingressGateway);
    ingressGateway = g && {
      namespace: r.string('admin.ingressGateway.namespace', g.namespace)!,
      selector: r.labels('admin.ingressGateway.selector', g.selector)!,
      httpPort: r.integer('admin.ingressGateway.httpPort', g.httpPort, 1, 65535)!,
    };
  }
  return spireServer && { spireServer: spireServer as IndexSpireServerAdmin, ...(ingressGateway ? { ingressGateway } : {}) };
}

function readGraph(r: Reader, value: unknown): IdentityGraph | undefined {
  const g = r.object('identityGraph', value);
  if (!g) return undefined;
  const nodes = (r.array('identityGraph.nodes', g.nodes) ?? []).map((n, i) => {
    const at = `identityGraph.nodes[${i}]`;
    const o = r.object(at, n);
    return o && {
      id: r.string(`${at}.id`, o.id)!,
      namespace: r.string(`${at}.namespace`, o.namespace)!,
      serviceAccount: r.string(`${at}.serviceAccount`, o.serviceAccount)!,
      spiffeId: r.string(`${at}.spiffeId`, o.spiffeId)!,
    };
  });
  const ids = new Set(nodes.map((n) => n?.id));
  const edges = (r.array('identityGraph.edges', g.edges) ?? []).map((e, i) => {
    const at = `identityGraph.edges[${i}]`;
    const o = r.object(at, e);
    if (!o) return undefined;
    const [from, to] = (['from', 'to'] as const).map((end) =>
      ids.has(o[end] as string) ? (o[end] as string) : r.fail(`${at}.${end}`, o[end], 'must be the id of a node'),
    );
    return from && to ? { from, to } : undefined;
  });
  return { nodes: nodes as IdentityNode[], edges: edges as IdentityEdge[] };
}

function readGitOps(r: Reader, value: unknown): IndexGitOps | undefined {
  const g = r.object('gitops', value);
  if (!g) return undefined;
  const gitops = {
    namespace: r.string('gitops.namespace', g.namespace),
    configMap: r.string('gitops.configMap', g.configMap),
    healthKey: r.string('gitops.healthKey', g.healthKey),
    healthScript: r.string('gitops.healthScript', g.healthScript),
    patchFile: insideDist(r, 'gitops.patchFile', g.patchFile),
  };
  return Object.values(gitops).every((v) => v !== undefined) ? (gitops as IndexGitOps) : undefined;
}

function readVms(r: Reader, value: unknown): IndexVms | undefined {
  const v = r.object('vms', value);
  if (!v) return undefined;
  const s = r.object('vms.spireServer', v.spireServer) ?? {};
  const i = r.object('vms.istiod', v.istiod) ?? {};
  const g = r.object('vms.eastWestGateway', v.eastWestGateway) ?? {};
  const workloads = (r.array('vms.workloads', v.workloads) ?? []).map((w, n) => {
    const at = `vms.workloads[${n}]`;
    const o = r.object(at, w);
    if (!o) return undefined;
    const ports = (r.array(`${at}.ports`, o.ports) ?? []).map((p, k) => {
      const po = r.object(`${at}.ports[${k}]`, p) ?? {};
      return { name: r.string(`${at}.ports[${k}].name`, po.name)!, number: r.integer(`${at}.ports[${k}].number`, po.number, 1, 65535)! };
    });
    return {
      name: r.string(`${at}.name`, o.name)!,
      namespace: r.string(`${at}.namespace`, o.namespace)!,
      serviceAccount: r.string(`${at}.serviceAccount`, o.serviceAccount)!,
      spiffeId: r.string(`${at}.spiffeId`, o.spiffeId)!,
      nodeAlias: r.string(`${at}.nodeAlias`, o.nodeAlias)!,
      attestor: (INDEX_VM_ATTESTORS as readonly unknown[]).includes(o.attestor)
        ? (o.attestor as IndexVmWorkload['attestor'])
        : r.fail(`${at}.attestor`, o.attestor, `must be one of ${INDEX_VM_ATTESTORS.join(', ')}`)!,
      ports,
      workloadGroup: r.string(`${at}.workloadGroup`, o.workloadGroup)!,
      labels: r.labels(`${at}.labels`, o.labels)!,
      network: r.string(`${at}.network`, o.network)!,
    };
  });
  return {
    trustDomain: r.string('vms.trustDomain', v.trustDomain)!,
    meshId: r.string('vms.meshId', v.meshId)!,
    clusterName: r.string('vms.clusterName', v.clusterName)!,
    network: r.string('vms.network', v.network)!,
    istioNamespace: r.string('vms.istioNamespace', v.istioNamespace)!,
    spireServer: {
      namespace: r.string('vms.spireServer.namespace', s.namespace)!,
      service: r.string('vms.spireServer.service', s.service)!,
      port: r.integer('vms.spireServer.port', s.port, 1, 65535)!,
      bundleConfigMap: r.string('vms.spireServer.bundleConfigMap', s.bundleConfigMap)!,
      bundleKey: r.string('vms.spireServer.bundleKey', s.bundleKey)!,
    },
    istiod: { host: r.string('vms.istiod.host', i.host)!, port: r.integer('vms.istiod.port', i.port, 1, 65535)! },
    eastWestGateway: { namespace: r.string('vms.eastWestGateway.namespace', g.namespace)!, service: r.string('vms.eastWestGateway.service', g.service)! },
    workloads: workloads as IndexVmWorkload[],
  };
}

/**
 * Parses and checks an index file's text. Throws one {@link IndexError} that names every bad
 * field and says to run `npm run synth`.
 * @param source the file, as the user should see it in the message
 */
export function parseIndex(text: string, source: string): MeshIndex {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new IndexError(`${source} is not valid JSON (${(err as Error).message}); ${FIX}`);
  }
  const r = new Reader();
  const root = r.object('(root)', json);
  if (root) {
    if (root.version === undefined) {
      throw new IndexError(`${source}: version missing: an index from before versioning, or not one synth wrote; ${FIX}`);
    }
    if (root.version !== INDEX_VERSION) {
      throw new IndexError(
        `${source}: version ${shown(root.version)} is not the index version this CLI reads (${INDEX_VERSION}); it was written by another spire-mesh: ${FIX}`,
      );
    }
    const istioVersion = r.string('istioVersion', root.istioVersion);
    const listed = r.array('steps', root.steps);
    if (listed?.length === 0) r.fail('steps', listed, 'must list at least one step: there is nothing to apply');
    const steps = listed?.map((s, i) => readStep(r, `steps[${i}]`, s));
    const admin = readAdmin(r, root.admin);
    const identityGraph = root.identityGraph === undefined ? undefined : readGraph(r, root.identityGraph);
    const gitops = root.gitops === undefined ? undefined : readGitOps(r, root.gitops);
    const vms = root.vms === undefined ? undefined : readVms(r, root.vms);
    if (r.problems.length === 0) {
      return {
        version: INDEX_VERSION,
        istioVersion: istioVersion!,
        steps: steps as IndexStep[],
        admin: admin!,
        ...(identityGraph ? { identityGraph } : {}),
        ...(gitops ? { gitops } : {}),
        ...(vms ? { vms } : {}),
      };
    }
  }
  const [first, ...rest] = r.problems;
  throw new IndexError(
    rest.length === 0 ? `${source}: ${first}; ${FIX}` : `${source} breaks the index contract (${FIX}):\n${r.problems.map((p) => `  - ${p}`).join('\n')}`,
  );
}
