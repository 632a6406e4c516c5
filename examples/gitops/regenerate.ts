import * as fs from 'fs';
import * as path from 'path';
import { gitopsFiles } from '../../lib/argocd/gitops';
import { loadMeshConfig } from '../../lib/config/load';
import { buildMesh } from '../../lib/composition-root';

// `npm run example:gitops`: rewrites examples/gitops/argocd/ from the current code and
// config. Self-contained (it imports only lib/), so any TypeScript runner can run it;
// __tests__/argocd/example.test.ts checks the committed files against the same rendering.
const dir = path.join('examples', 'gitops');
const config = loadMeshConfig({ env: { SPIRE_MESH_CONFIG: path.join(dir, 'spire-mesh.config.yaml') } });
const { gitops } = buildMesh(config, { outdir: '/nonexistent/never-written' });
if (!gitops) throw new Error(`${dir}/spire-mesh.config.yaml sets no gitops.repoURL`);
fs.rmSync(path.join(dir, 'argocd'), { recursive: true, force: true });
for (const [file, text] of gitopsFiles(gitops)) {
  fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  fs.writeFileSync(path.join(dir, file), text);
  console.log(`  ${path.join(dir, file)}`);
}
