import { Mesh } from '../composition-root';
import { renderMesh } from '../synth';
import { Manifest } from './schema';

/**
 * Every object `synthMesh` writes for `mesh`, file by file in writing order: the mesh's charts,
 * every other chart of its App (a team's), the istioctl chart and the Argo CD files. The mesh is
 * finalized and validated as synth does it; nothing is written. The input of `schemaProblems`.
 *
 * ```ts
 * expect(schemaProblems(meshManifests(mesh))).toEqual([]);
 * ```
 */
export function meshManifests(mesh: Mesh): Manifest[] {
  return [...renderMesh(mesh).values()].flat() as Manifest[];
}
