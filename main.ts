import { ConfigError, loadMeshConfig } from './lib/config/load';
import { gitopsReport } from './lib/argocd/gitops';
import { buildMesh } from './lib/composition-root';
import { synthMesh } from './lib/synth';

// Only wiring lives here: tests import lib/, never this file (it would write dist/).
try {
  const config = loadMeshConfig();
  const dist = process.env.CDK8S_OUTDIR ?? 'dist';
  const mesh = buildMesh(config, { outdir: dist });
  synthMesh(mesh);
  // stderr: the cdk8s CLI swallows the app's stdout.
  console.error(gitopsReport(mesh.gitops, dist).join('\n'));
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(`spire-mesh: ${err.message}`);
  process.exitCode = 1;
}
