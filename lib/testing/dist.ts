import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Mesh } from '../composition-root';
import { filesBelow, publishMesh } from '../synth';

/**
 * How a committed dist/ differs from a fresh synth of `build`, byte for byte: one line per
 * file that is stale, missing, or no longer written. The fresh synth goes to a temporary
 * directory, removed afterwards; `distDir` is only read.
 * @param build builds the mesh into the output directory it is given, as main.ts does for `publishMesh`
 * @returns empty when dist/ is fresh
 */
export function distProblems(distDir: string, build: (outdir: string) => Mesh): string[] {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spire-mesh-fresh-'));
  try {
    const fresh = path.join(tmp, 'dist');
    publishMesh(fresh, build);
    const label = path.basename(distDir);
    const committed = new Set(filesBelow(distDir));
    const written = new Set(filesBelow(fresh));
    const problems: string[] = [];
    for (const name of [...new Set([...committed, ...written])].sort()) {
      if (!committed.has(name)) problems.push(`${label}/${name} is missing: a fresh synth writes it`);
      else if (!written.has(name)) problems.push(`${label}/${name} is stale: a fresh synth no longer writes it`);
      else if (!fs.readFileSync(path.join(distDir, name)).equals(fs.readFileSync(path.join(fresh, name)))) {
        problems.push(`${label}/${name} differs from a fresh synth`);
      }
    }
    return problems;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Throws unless `distDir` equals a fresh synth of `build` byte for byte, naming every file that
 * differs, is missing or is stale, and what to run. The check for a repository that commits
 * dist/ (what reviewers read and Argo CD syncs): a change to the config or the code that was not
 * synthesized fails the tests.
 *
 * ```ts
 * test('dist/ is fresh', () => expectDistFresh('dist', (outdir) => buildMesh(loadMeshConfig(), { outdir })));
 * ```
 */
export function expectDistFresh(distDir: string, build: (outdir: string) => Mesh): void {
  const problems = distProblems(distDir, build);
  if (problems.length > 0) {
    throw new Error(`${problems.join('\n')}\nrun \`npm run synth\`, review \`git diff ${path.basename(distDir)}/\` and commit it if the change is intended`);
  }
}
