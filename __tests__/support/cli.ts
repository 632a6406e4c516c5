import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { INDEX_FILE, IndexObject, MeshIndex, parseIndex } from '../../lib/core/index-contract';
import { main } from '../../lib/cli/main';
import { defaultDistDir } from './default-dist-dir';
import { tempDir } from './temp';

const fixtures = path.join(__dirname, '..', 'cli', 'fixtures');
/** The fake kubectl and istioctl. */
export const FAKE_BIN = path.join(fixtures, 'bin');

/** A copy of the default mesh's dist/ in `<cwd>/dist` of a fresh temporary directory, and its index. */
export interface SynthesizedDist {
  readonly cwd: string;
  readonly index: MeshIndex;
}

/**
 * The default mesh's dist/, as `npm run synth` writes it with no config file: synthesized once
 * per run by jest's globalSetup (default-dist.js), not the committed dist/, which holds the
 * repository's own config. Copied, so a case may change it; read through the CLI's own index
 * parser. Not synthesized in the test worker: the CLI loads no construct, and a worker that
 * loads them all makes every tool the CLI starts slower to fork.
 */
export function defaultDist(): SynthesizedDist {
  const cwd = tempDir('cli-dist');
  fs.cpSync(defaultDistDir(), path.join(cwd, 'dist'), { recursive: true });
  const indexFile = path.join(cwd, 'dist', INDEX_FILE);
  return { cwd, index: parseIndex(fs.readFileSync(indexFile, 'utf8'), indexFile) };
}

/** The Argo CD health file of the GitOps example: a committed golden (examples/gitops), so an independent statement of what synth writes. */
export const EXAMPLE_HEALTH_FILE = path.join(__dirname, '..', '..', 'examples', 'gitops', 'argocd', 'argocd-cm-health.k8s.yaml');

/**
 * The default mesh's dist/ as synth writes it with gitops.repoURL set, as far as the CLI reads
 * it: the Argo CD health file beside the steps and its entry in the index (the default has no
 * Argo CD files; __tests__/argocd/gitops.test.ts checks synth writes this entry).
 */
export function defaultDistWithGitOps(): SynthesizedDist {
  const { cwd, index } = defaultDist();
  const patchFile = 'argocd/argocd-cm-health.k8s.yaml';
  fs.mkdirSync(path.join(cwd, 'dist', 'argocd'));
  fs.copyFileSync(EXAMPLE_HEALTH_FILE, path.join(cwd, 'dist', patchFile));
  const cm = YAML.parse(fs.readFileSync(EXAMPLE_HEALTH_FILE, 'utf8')) as { metadata: { name: string; namespace: string }; data: Record<string, string> };
  const [[healthKey, healthScript]] = Object.entries(cm.data);
  const gitops = { namespace: cm.metadata.namespace, configMap: cm.metadata.name, healthKey, healthScript, patchFile };
  const indexFile = path.join(cwd, 'dist', INDEX_FILE);
  fs.writeFileSync(indexFile, `${JSON.stringify({ ...index, gitops }, null, 2)}\n`);
  return { cwd, index: parseIndex(fs.readFileSync(indexFile, 'utf8'), indexFile) };
}

interface FakePod {
  metadata: { name: string; ownerReferences: Array<{ kind: string; name: string }> };
  status: { phase: string; conditions: Array<{ type: string; status: string }> };
}

function podOf(obj: IndexObject, notReady: readonly string[]): FakePod {
  const [name, owner] =
    obj.kind === 'Deployment' ? [`${obj.name}-5c8d7f9b4-x2x9q`, { kind: 'ReplicaSet', name: `${obj.name}-5c8d7f9b4` }]
    : obj.kind === 'StatefulSet' ? [`${obj.name}-0`, { kind: obj.kind, name: obj.name }]
    : [`${obj.name}-h7m2d`, { kind: obj.kind, name: obj.name }];
  const phase = obj.kind === 'Job' ? 'Succeeded' : 'Running';
  const ready = obj.kind !== 'Job' && !notReady.includes(obj.name);
  return { metadata: { name, ownerReferences: [owner] }, status: { phase, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } };
}

const selectorArg = (selector: Readonly<Record<string, string>>) => Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',');

/**
 * Writes the pods the fake kubectl answers with: one per workload of the index (Jobs
 * completed), istiod and the gateway in Istio's namespace, and the lists the server and
 * gateway selectors match, plus an unrelated pod per namespace the CLI must ignore.
 * @param notReady workloads whose pod is Running but not Ready
 */
export function writeCluster(index: MeshIndex, notReady: readonly string[] = []): string {
  const dir = tempDir('cluster');
  const byNamespace = new Map<string, FakePod[]>();
  const add = (file: string, pod: FakePod) => byNamespace.set(file, [...(byNamespace.get(file) ?? []), pod]);
  const workloads = index.steps.flatMap((s) => s.objects).filter((o) => ['StatefulSet', 'DaemonSet', 'Deployment', 'Job'].includes(o.kind));
  for (const w of workloads) add(w.namespace ?? 'default', podOf(w, notReady));
  const { spireServer, ingressGateway } = index.admin;
  const server = workloads.find((w) => w.kind === 'StatefulSet' && w.namespace === spireServer.namespace)!;
  add(`${spireServer.namespace}--${selectorArg(spireServer.selector)}`, podOf(server, notReady));
  const istioNs = ingressGateway?.namespace ?? 'istio-system';
  add(istioNs, podOf({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: istioNs, name: 'istiod' }, notReady));
  if (ingressGateway) {
    const gateway = podOf({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: istioNs, name: 'istio-ingressgateway' }, notReady);
    add(istioNs, gateway);
    add(`${istioNs}--${selectorArg(ingressGateway.selector)}`, gateway);
  }
  // Istio's part is its whole namespace; elsewhere status must pick the mesh's own pods.
  for (const ns of [...byNamespace.keys()].filter((k) => !k.includes('--') && k !== istioNs)) {
    add(ns, { metadata: { name: 'unrelated-pod', ownerReferences: [{ kind: 'ReplicaSet', name: 'unrelated-1' }] }, status: { phase: 'Pending', conditions: [] } });
  }
  for (const [file, items] of byNamespace) fs.writeFileSync(path.join(dir, `pods-${file}.json`), JSON.stringify({ items }));
  return dir;
}

/** A fresh call log and state directory; the fakes are the only tools on PATH. */
export function fakeEnv(cluster: string, extra: Record<string, string> = {}, pathDirs = [FAKE_BIN]): NodeJS.ProcessEnv {
  const state = tempDir('cli');
  const log = path.join(state, 'calls.log');
  fs.writeFileSync(log, '');
  return { PATH: pathDirs.join(path.delimiter), FAKE_LOG: log, FAKE_STATE: state, FAKE_CLUSTER: cluster, ...extra };
}

export interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
  /** Every call the fake tools received, in order, as "<tool> <args>". */
  readonly calls: string[];
}

/** Runs the CLI in-process against the fakes. */
export async function run(args: string[], env: NodeJS.ProcessEnv, cwd: string, heartbeatSeconds = 60): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { env, cwd, heartbeatSeconds, io: { out: (s) => out.push(s), err: (s) => err.push(s) } });
  const calls = fs.readFileSync(env.FAKE_LOG!, 'utf8').split('\n').filter(Boolean);
  return { code, out: out.join('\n'), err: err.join('\n'), calls };
}

/** Whether a process runs: a zombie (killed, not yet reaped by init) does not. */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** The pids a hanging fake recorded that still run a second after the CLI returned: none, once it has cleaned up. */
export async function hungPidsAlive(env: NodeJS.ProcessEnv): Promise<number[]> {
  const file = path.join(env.FAKE_STATE!, 'hung.pids');
  if (!fs.existsSync(file)) return [];
  const pids = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number);
  // SIGKILL is delivered asynchronously: give the kernel a moment.
  for (let waited = 0; pids.some(running) && waited < 1000; waited += 20) await new Promise((r) => setTimeout(r, 20));
  return pids.filter(running);
}
