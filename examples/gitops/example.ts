import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ARGOCD_SUBDIR } from '../../lib/argocd/gitops';
import { loadMeshConfig } from '../../lib/config/load';
import { buildMesh } from '../../lib/composition-root';
import { synthMesh } from '../../lib/synth';

/** The example's config and where its Argo CD files are committed. */
export const EXAMPLE_DIR = __dirname;
export const EXAMPLE_CONFIG = path.join(EXAMPLE_DIR, 'spire-mesh.config.yaml');

/** Synthesizes the example config and returns its Argo CD files (path below argocd/ → content). */
export function renderGitOpsExample(): Map<string, string> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'spire-mesh-gitops-example-'));
  try {
    const config = loadMeshConfig({ env: { SPIRE_MESH_CONFIG: EXAMPLE_CONFIG } });
    synthMesh(buildMesh(config, { outdir }));
    return readTree(path.join(outdir, ARGOCD_SUBDIR));
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Rewrites examples/gitops/argocd/ from the current code; returns the files written. */
export function writeGitOpsExample(): string[] {
  const target = path.join(EXAMPLE_DIR, ARGOCD_SUBDIR);
  fs.rmSync(target, { recursive: true, force: true });
  return [...renderGitOpsExample()].map(([file, text]) => {
    const full = path.join(target, file);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, text);
    return full;
  });
}

/** Every file below `dir`, by its path relative to `dir`, sorted. */
export function readTree(dir: string, base = dir): Map<string, string> {
  const files = new Map<string, string>();
  if (!fs.existsSync(dir)) return files;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) for (const [k, v] of readTree(full, base)) files.set(k, v);
    else files.set(path.relative(base, full), fs.readFileSync(full, 'utf8'));
  }
  return files;
}
