import { MeshIndex } from '../core/index-contract';
import { Io } from './runner';

/**
 * `graph`: the identity graph of the index as text, one identity per line, then who may call
 * whom. An index without one (a mesh synthesized before the graph existed) says so.
 */
export function printGraph(index: MeshIndex, io: Io): void {
  const graph = index.identityGraph;
  if (!graph || graph.nodes.length === 0) {
    io.out('this dist/ has no identity graph (its index carries no identityGraph); synthesize a mesh with services, then run `npm run synth`');
    return;
  }
  const width = Math.max(...graph.nodes.map((n) => n.id.length));
  io.out(`identities (${graph.nodes.length}):`);
  for (const node of graph.nodes) io.out(`  ${node.id.padEnd(width)}  ${node.spiffeId}  (service account ${node.namespace}/${node.serviceAccount})`);
  io.out(`allowed calls (${graph.edges.length}):`);
  if (graph.edges.length === 0) io.out('  none');
  for (const edge of graph.edges) io.out(`  ${edge.from.padEnd(width)}  → ${edge.to}`);
  const callers = new Set(graph.edges.flatMap((e) => [e.from, e.to]));
  const alone = graph.nodes.filter((n) => !callers.has(n.id));
  if (alone.length > 0) io.out(`no calls to or from: ${alone.map((n) => n.id).join(', ')}`);
}
