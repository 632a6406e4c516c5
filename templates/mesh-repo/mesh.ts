import { buildMesh, loadMeshConfig, Mesh } from 'spire-mesh';

/**
 * This repository's mesh: spire-mesh.config.yaml (or the file SPIRE_MESH_CONFIG names) built
 * into `outdir`. main.ts synthesizes it to dist/; the tests build it in memory. A team's own
 * chart goes in `extend`: `buildMesh(config, { outdir, extend: (mesh) => addTeamA(mesh) })`,
 * where `addTeamA` calls `mesh.addChart('team-a', …)` and adds a `MeshedService` to it.
 */
export function build(outdir: string): Mesh {
  return buildMesh(loadMeshConfig(), { outdir });
}
