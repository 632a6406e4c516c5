import { Mesh } from '../composition-root';
import { Manifest } from './schema';

/**
 * The objects of one chart of the mesh by its id (a team's chart, added with
 * `mesh.addChart(id, …)` in `extend`), as synth writes them: the input of a jest snapshot, so a
 * team reviews the diff of its own manifests. Throws naming the charts there are when `id` is none.
 *
 * ```ts
 * expect(chartManifests(mesh, 'team-a-echo')).toMatchSnapshot();
 * ```
 */
export function chartManifests(mesh: Mesh, id: string): Manifest[] {
  const chart = mesh.charts.find((c) => c.name === id);
  if (!chart) throw new Error(`the mesh has no chart '${id}'; its charts are ${mesh.charts.map((c) => `'${c.name}'`).join(', ')}`);
  return chart.toJson() as Manifest[];
}
