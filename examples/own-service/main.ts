// The app of a project using spire-mesh as a library: your App, the mesh from the config in
// it, and team A's chart beside it. Run it compiled, like the root main.ts:
// `npm run build && node build/examples/own-service/main.js`.
import { App } from 'cdk8s';
import { buildMesh, publishMesh, readMeshConfig, synthReport } from '../../lib';
import { EchoChart } from './echo';

const dist = process.env.CDK8S_OUTDIR ?? 'dist';
try {
  const { config, source } = readMeshConfig();
  const index = publishMesh(dist, (outdir) => {
    const app = new App({ outdir });
    const mesh = buildMesh(config, { app });
    new EchoChart(app, 'team-a-echo', { mesh });
    return mesh;
  });
  console.log(synthReport(source, dist, index).join('\n'));
} catch (err) {
  console.error(`own-service: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
