import { App } from 'cdk8s';
import { buildMesh, loadMeshConfig, Mesh } from 'spire-mesh';

/**
 * This repository's mesh: spire-mesh.config.yaml (or the file SPIRE_MESH_CONFIG names),
 * composed into an App that writes to `outdir`. main.ts synthesizes it to dist/; the tests
 * build it in memory.
 *
 * A team's own services go in a chart of this App: a `Chart` holding `MeshedService`s, given
 * `mesh` for its trust domain, injection, gateway and callers. Every `MeshedService` of the App
 * joins the mesh (SPIRE entry, namespace, allow-nothing default), and the chart is applied
 * after the mesh's own. README.md ("A team's chart") has one to copy: add it before `return`,
 *
 *     new EchoChart(app, 'team-a-echo', mesh);
 */
export function build(outdir: string): Mesh {
  const app = new App({ outdir });
  const mesh = buildMesh(loadMeshConfig({ cwd: __dirname }), { app });
  return mesh;
}
