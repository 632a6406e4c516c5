import { App } from 'cdk8s';
import { buildMesh, loadMeshConfig, Mesh } from 'spire-mesh';

/**
 * This repository's mesh: spire-mesh.config.yaml (or the file SPIRE_MESH_CONFIG names),
 * composed into an App that writes to `outdir`. main.ts synthesizes it to dist/; the tests
 * build it in memory.
 *
 * A team's own services go in a chart of this App, created after `buildMesh`: a `Chart` holding
 * `MeshedService`s, built from `mesh` (its trust domain, injection, gateway, callers). Every
 * `MeshedService` of the App joins the mesh: SPIRE entry, namespace, allow-nothing default.
 * spire-mesh's README ("Use as a library") shows one, `EchoChart`:
 *
 *     new EchoChart(app, 'team-a-echo', mesh);
 */
export function build(outdir: string): Mesh {
  const app = new App({ outdir });
  return buildMesh(loadMeshConfig({ cwd: __dirname }), { app });
}
