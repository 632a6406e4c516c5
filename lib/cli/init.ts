import * as fs from 'fs';
import * as path from 'path';
import { CliError } from './errors';

/** The package's root: two folders up from lib/cli in the sources, three from build/lib/cli. */
const PACKAGE_ROOT = [path.join(__dirname, '..', '..'), path.join(__dirname, '..', '..', '..')].find((dir) =>
  fs.existsSync(path.join(dir, 'package.json')),
)!;
/** The files `init` copies: a user's mesh repository in the cdk8s typescript-app layout. */
export const TEMPLATE_DIR = path.join(PACKAGE_ROOT, 'templates', 'mesh-repo');
/**
 * dist/ of the template's config, synthesized by the package's build (scripts/build.js), so the
 * new repository's first `npm test` passes and this command builds no mesh: it copies files.
 */
export const STARTER_DIST = path.join(PACKAGE_ROOT, 'build', 'templates', 'mesh-repo', 'dist');
/** Template files stored under another name: npm pack leaves out every `.gitignore`. */
const RENAMED: Readonly<Record<string, string>> = { gitignore: '.gitignore' };

interface PackageJson {
  readonly version: string;
  readonly peerDependencies: Record<string, string>;
  /** npm keeps them in the packed package.json: the versions this package is tested with. */
  readonly devDependencies: Record<string, string>;
}

/**
 * The new repository's package.json: spire-mesh at this version, its peers at the ranges it
 * accepts (the optional ones, for spire-mesh/testing, as devDependencies), and the tools of
 * `cdk8s init typescript-app` (ts-node, jest with ts-jest, cdk8s-cli) for `npm run synth` and `npm test`.
 */
export function meshRepoPackageJson(name: string, own: PackageJson): Record<string, unknown> {
  const peer = (dep: string) => own.peerDependencies[dep];
  const dev = (dep: string) => `^${own.devDependencies[dep]}`;
  return {
    name,
    version: '0.1.0',
    private: true,
    description: 'A service mesh (Istio with SPIRE identities) built with spire-mesh; dist/ is what the cluster gets',
    scripts: {
      // Not `cdk8s synth`: cdk8s-cli empties its output directory before running the app, so a
      // failed synth would leave dist/ empty; main.ts swaps a finished synth in (publishMesh).
      synth: 'ts-node main.ts',
      test: 'jest',
      mesh: 'spire-mesh',
    },
    dependencies: {
      'spire-mesh': `^${own.version}`,
      cdk8s: peer('cdk8s'),
      'cdk8s-plus-25': peer('cdk8s-plus-25'),
      constructs: peer('constructs'),
    },
    devDependencies: {
      ajv: peer('ajv'),
      'kubernetes-models': peer('kubernetes-models'),
      'cdk8s-cli': dev('cdk8s-cli'),
      '@types/jest': '^29',
      '@types/node': '^20',
      jest: '^29',
      'ts-jest': '^29',
      'ts-node': '^10',
      typescript: '~5.9.3',
    },
    // npm 11 asks about dependencies' install scripts; none of these needs its script to work.
    allowScripts: { 'spire-mesh': false, backport: false },
  };
}

/** Every file of `dir`, relative to it. */
function listFiles(dir: string, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(full, base) : [path.relative(base, full)];
  });
}

/** What `init` did, for its report. */
export interface InitResult {
  readonly dir: string;
  readonly files: readonly string[];
}

/**
 * Scaffolds a user's mesh repository in `dir`: the cdk8s typescript-app layout (package.json,
 * cdk8s.yaml, tsconfig.json, jest.config.js, .gitignore), main.ts that only wires, mesh.ts that
 * builds the mesh of spire-mesh.config.yaml (a commented starter), __tests__/mesh.test.ts with
 * spire-mesh/testing's checks, and dist/ of the starter config ({@link STARTER_DIST}); no npm,
 * no network, no child process. Refuses a `dir` that exists and holds anything but `.git`.
 */
export function initMeshRepository(dir: string): InitResult {
  if (fs.existsSync(dir)) {
    if (!fs.statSync(dir).isDirectory()) throw new CliError(`init: ${dir} exists and is not a directory`);
    // A freshly cloned empty repository holds only .git: that is where a new mesh repository goes.
    const present = fs.readdirSync(dir).filter((name) => name !== '.git');
    if (present.length > 0) {
      throw new CliError(`init: ${dir} is not empty (${present.slice(0, 3).join(', ')}${present.length > 3 ? ', …' : ''}): name a new or empty directory`);
    }
  }
  if (!fs.existsSync(path.join(STARTER_DIST, 'meta', 'index.json'))) {
    throw new CliError(`init: the starter dist/ is missing from the package (${STARTER_DIST}): run \`npm run build\` in spire-mesh`);
  }
  const own = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as PackageJson;
  const name = path.basename(path.resolve(dir)).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+/, '') || 'mesh';
  const files: string[] = [];
  try {
    fs.mkdirSync(dir, { recursive: true });
    for (const file of listFiles(TEMPLATE_DIR)) {
      const target = RENAMED[file] ?? file;
      fs.mkdirSync(path.dirname(path.join(dir, target)), { recursive: true });
      fs.copyFileSync(path.join(TEMPLATE_DIR, file), path.join(dir, target));
      files.push(target);
    }
    fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(meshRepoPackageJson(name, own), null, 2)}\n`);
    files.push('package.json');
    fs.cpSync(STARTER_DIST, path.join(dir, 'dist'), { recursive: true });
  } catch (err) {
    // The user's file system, not a bug of ours: one line, naming the path that failed.
    throw new CliError(`init: cannot write ${dir}: ${(err as Error).message}`);
  }
  return { dir, files: files.sort() };
}
