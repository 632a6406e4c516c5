import * as fs from 'fs';
import * as path from 'path';
import { commandLine, Tool } from './plan';
import { Runner } from './runner';

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
  /** The Istio release of `dist/` (its index), for the install hint. */
  readonly istioVersion: string;
}

/** Resolves every needed tool on PATH; throws a {@link PrerequisiteError} naming the fix. */
export function resolveTools(options: PrereqOptions): Partial<Record<Tool, string>> {
  const found: Partial<Record<Tool, string>> = {};
  for (const tool of options.tools) {
    const resolved = which(tool, options.env.PATH);
    if (!resolved) throw new PrerequisiteError(`${tool} not found on PATH; ${INSTALL_HINT[tool](options.istioVersion)}`);
    found[tool] = resolved;
  }
  return found;
}

/** The longest `istioctl version --remote=false` may take: it only prints its own build. */
const VERSION_LIMIT_MS = 10000;

/**
 * Checks that istioctl is the release `dist/` was synthesized for: istioctl installs its own
 * version, whatever the IstioOperator says.
 */
export async function checkIstioctlVersion(runner: Runner, istioctl: string, istioVersion: string): Promise<void> {
  const command = { tool: 'istioctl' as const, args: ['version', '--remote=false', '--short'] };
  const result = await runner.execOrThrow(command, { limitMs: VERSION_LIMIT_MS });
  const version = result.code === 0 ? parseIstioctlVersion(result.stdout) : undefined;
  if (!version) {
    throw new PrerequisiteError(`cannot read the version of ${istioctl} (${commandLine(command)}): ${(result.stderr || result.stdout).trim()}`);
  }
  if (version !== istioVersion) {
    throw new PrerequisiteError(
      `istioctl on PATH (${istioctl}) is ${version}, but dist/ was synthesized for Istio ${istioVersion}: ` +
        `istioctl installs its own version, so ${INSTALL_HINT.istioctl(istioVersion).replace('install it', 'install the matching one')}, ` +
        'or set istio.version in the config and run `npm run synth`',
    );
  }
}
