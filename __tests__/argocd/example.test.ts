import * as fs from 'fs';
import * as path from 'path';
import { gitopsFiles } from '../../lib/argocd/gitops';
import { loadMeshConfig } from '../../lib/config/load';
import { buildMesh } from '../../lib/composition-root';

const EXAMPLE_DIR = path.join(__dirname, '..', '..', 'examples', 'gitops');

function listFiles(dir: string, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(full, base) : [path.relative(base, full)];
  });
}

test('the committed GitOps example is what the code synthesizes from its config (else: npm run example:gitops)', () => {
  const config = loadMeshConfig({ env: { SPIRE_MESH_CONFIG: path.join(EXAMPLE_DIR, 'spire-mesh.config.yaml') } });
  const fresh = gitopsFiles(buildMesh(config, { outdir: '/nonexistent/never-written' }).gitops!);
  const committed = listFiles(path.join(EXAMPLE_DIR, 'argocd')).map((f) => path.posix.join('argocd', f));
  expect(committed.sort()).toEqual([...fresh.keys()].sort());
  for (const [file, text] of fresh) expect({ file, text: fs.readFileSync(path.join(EXAMPLE_DIR, file), 'utf8') }).toEqual({ file, text });
});
