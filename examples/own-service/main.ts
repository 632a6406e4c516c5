// The app of a project using spire-mesh as a library: the mesh from the config, plus
// team A's service. Run it like the root main.ts (`node --import tsx main.ts`).
import { buildMesh, ConfigError, loadMeshConfig, synthMesh } from '../../lib';
import { addEcho } from './echo';

try {
  synthMesh(buildMesh(loadMeshConfig(), { outdir: process.env.CDK8S_OUTDIR ?? 'dist', extend: addEcho }));
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(`own-service: ${err.message}`);
  process.exitCode = 1;
}
