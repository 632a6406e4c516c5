// The app of a project using spire-mesh as a library: the mesh from the config, plus
// team A's service. Run it compiled, like the root main.ts: `npm run build && node build/examples/own-service/main.js`.
import { buildMesh, publishMesh, readMeshConfig, synthReport } from '../../lib';
import { addEcho } from './echo';

const dist = process.env.CDK8S_OUTDIR ?? 'dist';
try {
  const { config, source } = readMeshConfig();
  const index = publishMesh(dist, (outdir) => buildMesh(config, { outdir, extend: addEcho }));
  console.log(synthReport(source, dist, index).join('\n'));
} catch (err) {
  console.error(`own-service: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
