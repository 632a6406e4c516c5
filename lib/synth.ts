import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, DependencyGraph, Names, Yaml } from 'cdk8s';
import { gitopsManifests, MeshGitOps } from './argocd/gitops';
import { APPLICATION_HEALTH_KEY } from './argocd/health-customization';
import { chartObjects, MeshStep } from './core/mesh-chart';
import { checkObjectSizes, measureObjects, ObjectSize } from './core/object-size';
import { INDEX_FILE, INDEX_VERSION, IndexAdmin, IndexGitOps, MeshIndex } from './core/index-contract';
import { identityGraphMarkdown } from './authorization/identity-graph';
import { ISTIOCTL_SUBDIR, Mesh } from './composition-root';

/** Who may call whom, as Mermaid in Markdown (GitHub renders it). */
export const IDENTITY_GRAPH_FILE = path.posix.join('meta', 'identity-graph.md');

/**
 * The file a step is written to, relative to the output directory: where synth writes it and
 * what the index names. kubectl files start with their position, so a directory listing (and
 * `kubectl apply -f dist/`) has them in apply order; a mesh chart's id already is that name.
 */
function chartFile(step: MeshStep): string {
  if (step.tool === 'istioctl') return path.posix.join(ISTIOCTL_SUBDIR, `${Names.toDnsLabel(step.chart)}.k8s.yaml`);
  return `${step.position.toString().padStart(4, '0')}-${step.name}.k8s.yaml`;
}

/** Describes the synthesized output of a mesh; pure, so tests can read it without writing files. */
export function meshIndex(mesh: Mesh): MeshIndex {
  const steps = mesh.steps.map((step) => {
    const objects = chartObjects(step.chart).map((obj) => ({
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
      name: obj.name,
    }));
    return {
      chart: step.name,
      description: step.description,
      file: chartFile(step),
      tool: step.tool,
      wave: step.wave,
      objects,
    };
  });
  const gitops = mesh.gitops && indexGitOps(mesh.gitops);
  return {
    version: INDEX_VERSION,
    istioVersion: mesh.istio.operator.spec.tag,
    steps,
    admin: meshAdmin(mesh),
    identityGraph: mesh.identityGraph,
    ...(gitops ? { gitops } : {}),
    ...(mesh.vms ? { vms: mesh.vms.index() } : {}),
  };
}

/** The health entry as the Argo CD file holds it, and that file: what `gitops check` compares the live argocd-cm with. */
function indexGitOps(gitops: MeshGitOps): IndexGitOps {
  const { apiObject } = gitops.health;
  const patchFile = [...gitops.files].find(([, chart]) => chart === Chart.of(apiObject))?.[0];
  if (!patchFile) throw new Error('internal: the argocd-cm health customisation is in no Argo CD file');
  const data = (apiObject.toJson() as { data: Record<string, string> }).data;
  return {
    namespace: apiObject.metadata.namespace!,
    configMap: apiObject.name,
    healthKey: APPLICATION_HEALTH_KEY,
    healthScript: data[APPLICATION_HEALTH_KEY],
    patchFile,
  };
}

/** Copies the wiring values out of the parts, so the CLI uses the same ones the manifests were built from. */
function meshAdmin(mesh: Mesh): IndexAdmin {
  const { namespace, selector, containerName, binaryPath, adminSocketPath } = mesh.spire.server;
  const gateway = mesh.istio.ingressGateway;
  return {
    spireServer: { namespace, selector: { ...selector }, containerName, binaryPath, adminSocketPath },
    ...(gateway ? { ingressGateway: { namespace: gateway.namespace, selector: { ...gateway.selector }, httpPort: gateway.httpPort } } : {}),
  };
}

/** cdk8s's entry that resolves dependencies and validates the whole App, then renders one chart. */
export type SynthChart = (chart: Chart) => unknown[];

/** cdk8s's {@link SynthChart}, or null when this cdk8s has none. */
function internalSynthChart(): SynthChart | null {
  const synthChart = (App as unknown as { _synthChart?: unknown })._synthChart;
  return typeof synthChart === 'function' ? (synthChart as SynthChart) : null;
}

/**
 * The manifests of `charts` (all of one App), with the App resolved and validated once. cdk8s's
 * own `Chart.toJson()` (and so `App.synth()`) resolves and validates the whole App again for
 * each chart: quadratic in the number of charts, 190 s for 1000 bookinfo namespaces. Objects
 * come in the order cdk8s gives them (the chart's dependency topology), so the bytes are the same.
 *
 * `App._synthChart` is internal to cdk8s (2.x, every version the peer range accepts so far): a
 * cdk8s without it gets `Chart.toJson()` per chart, the same bytes, only slower at scale.
 */
export function renderApp(charts: readonly Chart[], synthChart: SynthChart | null = internalSynthChart()): Map<Chart, unknown[]> {
  const rendered = new Map<Chart, unknown[]>();
  if (charts.length === 0) return rendered;
  if (synthChart === null) {
    for (const chart of charts) rendered.set(chart, chart.toJson());
    return rendered;
  }
  rendered.set(charts[0], synthChart(charts[0]));
  for (const chart of charts.slice(1)) {
    const objects = new DependencyGraph(chart.node)
      .topology()
      .filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart)
      .map((obj) => obj.toJson());
    rendered.set(chart, objects);
  }
  return rendered;
}

/**
 * Every object synth writes, by output file relative to the output directory, in writing
 * order: the kubectl charts (the mesh's, then the App's other charts), the istioctl chart,
 * then the Argo CD files. The mesh is finalized first (`Mesh.finalize`); both Apps (and the
 * Argo CD App) are resolved and validated; nothing is written or size-checked.
 */
export function renderMesh(mesh: Mesh): Map<string, unknown[]> {
  mesh.finalize();
  const files = new Map<string, unknown[]>();
  for (const app of [mesh.app, mesh.istioctlApp]) {
    const steps = mesh.steps.filter((s) => App.of(s.chart) === app);
    const rendered = renderApp(steps.map((s) => s.chart));
    for (const step of steps) files.set(chartFile(step), rendered.get(step.chart)!);
  }
  for (const [file, objects] of mesh.gitops ? gitopsManifests(mesh.gitops) : []) files.set(file, objects);
  return files;
}

/** The size of every object of `files` (see {@link renderMesh}), as the client-side apply rule counts it. */
export function meshObjectSizes(files: ReadonlyMap<string, readonly unknown[]>): ObjectSize[] {
  return [...files].flatMap(([file, objects]) => measureObjects(file, objects));
}

/** The subdirectories of the output directory synth owns whole: every file in them is one it writes. */
export const OWNED_SUBDIRS: readonly string[] = [ISTIOCTL_SUBDIR, 'argocd', path.posix.dirname(INDEX_FILE)];

/** Whether synth owns `file` (relative to the output directory, `/`-separated): a top-level `*.k8s.yaml`, or anything in an owned subdirectory. */
function ownedBySynth(file: string): boolean {
  return (!file.includes('/') && file.endsWith('.k8s.yaml')) || OWNED_SUBDIRS.some((dir) => file.startsWith(`${dir}/`));
}

/** Every file below `dir`, relative to it, `/`-separated; none when `dir` does not exist. */
export function filesBelow(dir: string, prefix = ''): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? filesBelow(path.join(dir, entry.name), rel) : [rel];
  });
}

/** Deletes every file synth owns below `outdir` that is not in `written`, then the owned subdirectories left empty. */
function removeStale(outdir: string, written: ReadonlySet<string>): void {
  for (const file of filesBelow(outdir).filter(ownedBySynth)) {
    if (!written.has(file)) fs.rmSync(path.join(outdir, ...file.split('/')), { force: true });
  }
  for (const dir of OWNED_SUBDIRS) removeEmptyDirs(path.join(outdir, dir));
}

function removeEmptyDirs(dir: string): void {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) removeEmptyDirs(path.join(dir, entry.name));
  if (fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
}

/**
 * Writes every step of the mesh (its charts and the App's other charts), the Argo CD files and
 * the index to the App's output directory, finalizing the mesh first. Validation of the whole
 * tree, and the size of every object (`lib/core/object-size.ts`), are checked before the first
 * file is written.
 *
 * The output directory is shared: synth owns its top-level `*.k8s.yaml` files and everything
 * under `istioctl/`, `argocd/` and `meta/` ({@link OWNED_SUBDIRS}). After writing, it deletes
 * the files of those it did not write this time (a removed service's chart, the Argo CD files
 * once `gitops.repoURL` is emptied), so what Argo CD syncs is exactly this synth. Anything else
 * there (a README, `.gitkeep`, another directory) is left alone; keep nothing of your own in
 * the owned subdirectories.
 */
export function synthMesh(mesh: Mesh): MeshIndex {
  const files = renderMesh(mesh);
  checkObjectSizes(meshObjectSizes(files));
  const { outdir } = mesh.app;
  // Each chart goes where the index says it is: one function (chartFile) names both.
  for (const [file, objects] of files) {
    const target = path.join(outdir, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    Yaml.save(target, objects);
  }
  const index = meshIndex(mesh);
  const indexPath = path.join(outdir, INDEX_FILE);
  fs.mkdirSync(path.dirname(indexPath), { recursive: true });
  fs.writeFileSync(indexPath, `${JSON.stringify(index, null, 2)}\n`);
  fs.writeFileSync(path.join(outdir, IDENTITY_GRAPH_FILE), identityGraphMarkdown(mesh.identityGraph));
  removeStale(outdir, new Set([...files.keys(), INDEX_FILE, IDENTITY_GRAPH_FILE]));
  return index;
}

/**
 * Synthesizes into a staging directory beside `dist`, then swaps it in: `dist` keeps its
 * previous content until the whole synth has succeeded, so a bad config never leaves it
 * empty or half-written. The new `dist` holds exactly that synth: the staging directory
 * starts empty, so stale files are gone, and so is anything else kept in `dist` (unlike
 * {@link synthMesh} writing in place, which removes only the files it owns).
 * @param build builds the mesh writing to the given directory
 */
export function publishMesh(dist: string, build: (outdir: string) => Mesh): MeshIndex {
  const staging = `${dist}.staging`;
  const old = `${dist}.old`;
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    const index = synthMesh(build(staging));
    fs.rmSync(old, { recursive: true, force: true });
    if (fs.existsSync(dist)) fs.renameSync(dist, old);
    fs.renameSync(staging, dist);
    fs.rmSync(old, { recursive: true, force: true });
    return index;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * What `npm run synth` prints on success: the config it read, then each file it wrote, once,
 * with its tool and what it holds.
 * @param source the config file read, or `defaults`
 */
export function synthReport(source: string, dist: string, index: MeshIndex): string[] {
  return [
    `spire-mesh: config ${source === 'defaults' ? '(none found: every default)' : source}`,
    ...index.steps.map((step) => `  ${path.join(dist, step.file)}  (${step.tool}: ${step.description})`),
  ];
}
