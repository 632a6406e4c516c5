import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Tool } from './plan';

/** A prerequisite the CLI cannot run without; the message says how to fix it. */
export class PrerequisiteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrerequisiteError';
  }
}

const INSTALL_HINT: Record<Tool, (version: string) => string> = {
  kubectl: () => 'install it: https://kubernetes.io/docs/tasks/tools/',
  istioctl: (version) => `install it: curl -L https://istio.io/downloadIstio | ISTIO_VERSION=${version} sh - (then add istio-${version}/bin to PATH)`,
};

/** The executable `tool` resolves to on `PATH`, as a shell would find it, or undefined. */
export function which(tool: string, envPath: string | undefined): string | undefined {
  for (const dir of (envPath ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, tool);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      continue;
    }
  }
  return undefined;
}

/** The istioctl client version from `istioctl version --remote=false --short` (e.g. `1.30.3`). */
export function parseIstioctlVersion(output: string): string | undefined {
  return /(\d+\.\d+\.\d+(?:-[\w.]+)?)/.exec(output)?.[1];
}

export interface PrereqOptions {
  readonly env: NodeJS.ProcessEnv;
  /** The tools this command runs. */
  readonly tools: readonly Tool[];
  /** `istio.version` of the config: istioctl installs its own version, so they must agree. */
  readonly istioVersion: string;
}

/** Resolves every needed tool on PATH and checks istioctl's version; throws a {@link PrerequisiteError} naming the fix. */
export function checkPrerequisites(options: PrereqOptions): Partial<Record<Tool, string>> {
  const found: Partial<Record<Tool, string>> = {};
  for (const tool of options.tools) {
    const resolved = which(tool, options.env.PATH);
    if (!resolved) throw new PrerequisiteError(`${tool} not found on PATH; ${INSTALL_HINT[tool](options.istioVersion)}`);
    found[tool] = resolved;
  }
  if (found.istioctl) {
    const result = spawnSync(found.istioctl, ['version', '--remote=false', '--short'], { env: options.env, encoding: 'utf8' });
    const version = result.status === 0 ? parseIstioctlVersion(result.stdout) : undefined;
    if (!version) {
      throw new PrerequisiteError(`cannot read the version of ${found.istioctl} (istioctl version --remote=false --short): ${(result.stderr || result.stdout).trim()}`);
    }
    if (version !== options.istioVersion) {
      throw new PrerequisiteError(
        `istioctl on PATH (${found.istioctl}) is ${version}, but the config's istio.version is ${options.istioVersion}: ` +
          `istioctl installs its own version, so ${INSTALL_HINT.istioctl(options.istioVersion).replace('install it', 'install the matching one')}, ` +
          'or set istio.version and run `npm run synth`',
      );
    }
  }
  return found;
}
