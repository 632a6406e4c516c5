import { resolveMeshConfig } from '../../lib/config/load';
import { MeshConfig } from '../../lib/config/mesh-config';
import { buildMesh, Mesh } from '../../lib/composition-root';
import { Manifest } from './schema';
import { NEVER_WRITTEN } from './test-app';

/** A mesh built in memory from config overrides, with each chart's objects as JSON. */
export interface SynthesizedMesh {
  readonly mesh: Mesh;
  readonly config: MeshConfig;
  /** Objects by chart id, in output order. */
  readonly charts: ReadonlyMap<string, readonly Manifest[]>;
  /** Every object of every chart, in apply order. */
  readonly all: readonly Manifest[];
  /** The Argo CD files' objects (root, health customisation, child Applications); empty without `gitops.repoURL`. */
  readonly argocd: readonly Manifest[];
}

/** Builds the mesh from the defaults merged with `overrides` (a partial config, as a user's file would hold). */
export function synthesize(overrides: unknown = {}): SynthesizedMesh {
  const config = resolveMeshConfig(overrides);
  const mesh = buildMesh(config, { outdir: NEVER_WRITTEN });
  const charts = new Map<string, Manifest[]>();
  for (const chart of mesh.charts) charts.set(chart.name, chart.toJson() as Manifest[]);
  const argocd = mesh.gitops ? [...mesh.gitops.files.values()].flatMap((c) => c.toJson() as Manifest[]) : [];
  return { mesh, config, charts, all: [...charts.values()].flat(), argocd };
}

/** Finds one object by kind and name (and namespace, when given); throws naming what is missing. */
export function find(manifests: readonly Manifest[], kind: string, name: string, namespace?: string): Manifest & Record<string, any> {
  const found = manifests.filter(
    (m) => m.kind === kind && m.metadata.name === name && (namespace === undefined || m.metadata.namespace === namespace),
  );
  if (found.length !== 1) {
    throw new Error(`expected one ${kind} '${name}'${namespace ? ` in '${namespace}'` : ''}, found ${found.length}`);
  }
  return found[0] as Manifest & Record<string, any>;
}

/** A SPIRE entry as the registration Job reads it (SPIRE's `entry create -data` JSON). */
export interface DeclaredEntry {
  readonly entry_id: string;
  readonly spiffe_id: string;
  readonly parent_id: string;
  readonly selectors: { readonly type: string; readonly value: string }[];
  readonly [key: string]: unknown;
}

/**
 * The entries the registration Job reads: every `entries-*.json` of every ConfigMap its
 * projected volume mounts, in order, found through the Job's own volume (so only what it mounts counts).
 */
export function registeredEntries(objects: readonly Manifest[]): DeclaredEntry[] {
  const jobs = objects.filter((o) => o.kind === 'Job' && o.metadata.name.startsWith('spire-registration-'));
  if (jobs.length !== 1) throw new Error(`expected one registration Job, found ${jobs.length}`);
  const job = jobs[0] as Manifest & Record<string, any>;
  const volume = job.spec.template.spec.volumes.find((v: { name: string }) => v.name === 'registration');
  return volume.projected.sources.flatMap((source: { configMap: { name: string } }) => {
    const configMap = find(objects, 'ConfigMap', source.configMap.name, job.metadata.namespace);
    return Object.entries(configMap.data as Record<string, string>)
      .filter(([key]) => /^entries-\d{3}\.json$/.test(key))
      .sort(([a], [b]) => a.localeCompare(b))
      .flatMap(([, text]) => JSON.parse(text).entries as DeclaredEntry[]);
  });
}
