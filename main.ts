import { ConfigError, loadMeshConfig } from './lib/config/load';
import { GITOPS_DISABLED_HINT } from './lib/argocd/gitops';
import { buildMesh } from './lib/composition-root';
import { synthMesh } from './lib/synth';

// Only wiring lives here: tests import lib/, never this file (it would write dist/).
try {
  const config = loadMeshConfig();
  const mesh = buildMesh(config, { outdir: process.env.CDK8S_OUTDIR ?? 'dist' });
  synthMesh(mesh);
  // stderr: the cdk8s CLI swallows the app's stdout.
  if (!mesh.gitops) console.error(`spire-mesh: ${GITOPS_DISABLED_HINT}`);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(`spire-mesh: ${err.message}`);
  process.exitCode = 1;
}
