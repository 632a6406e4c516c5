import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Temporary directories of the test file that imports this module, removed when the file ends:
 * a run of the suite leaves nothing behind in the system's temporary directory.
 */
const created: string[] = [];
afterAll(() => {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A new empty directory named `spire-mesh-<purpose>-…`, removed after this test file. */
export function tempDir(purpose: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `spire-mesh-${purpose}-`));
  created.push(dir);
  return dir;
}
