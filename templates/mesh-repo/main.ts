import { publishMesh, readMeshConfig, synthReport } from 'spire-mesh';
import { build } from './mesh';

// Wiring only: `npm run synth` runs it (so does `cdk8s synth`, which empties dist/ first);
// tests import mesh.ts, never this file.
const dist = process.env.CDK8S_OUTDIR ?? 'dist';
try {
  const index = publishMesh(dist, build);
  console.log(synthReport(readMeshConfig({ cwd: __dirname }).source, dist, index).join('\n'));
} catch (err) {
  // Config and validation errors name the field, the value and the rule.
  console.error(`spire-mesh: ${err instanceof Error ? err.message : String(err)}`);
  if (process.env.SPIRE_MESH_DEBUG && err instanceof Error) console.error(err.stack);
  console.error(`synth failed: nothing was written to ${dist}/`);
  process.exitCode = 1;
}
