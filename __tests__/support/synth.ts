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

export { findOne as find } from '../../lib/testing/entries';
export { registeredEntries, type DeclaredEntry } from '../../lib/testing/entries';
