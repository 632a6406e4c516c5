import { gitopsReport } from './lib/argocd/gitops';
import { readMeshConfig } from './lib/config/load';
import { buildMesh, Mesh } from './lib/composition-root';
import { publishMesh, synthReport } from './lib/synth';

// Only wiring lives here: tests import lib/, never this file (it would write dist/).
// `npm run synth` runs it directly; `cdk8s synth` runs it too (cdk8s.yaml), passing CDK8S_OUTDIR.
const dist = process.env.CDK8S_OUTDIR ?? 'dist';
try {
  const { config, source } = readMeshConfig();
  let mesh: Mesh | undefined;
  const index = publishMesh(dist, (outdir) => (mesh = buildMesh(config, { outdir })));
  console.log([...synthReport(source, dist, index), ...gitopsReport(mesh?.gitops, dist)].join('\n'));
} catch (err) {
  // Every failure is one message: config and validation errors name the field, value and rule.
  console.error(`spire-mesh: ${err instanceof Error ? err.message : String(err)}`);
  if (process.env.SPIRE_MESH_DEBUG && err instanceof Error) console.error(err.stack);
  console.error(`synth failed: nothing was written to ${dist}/`);
  process.exitCode = 1;
}
