import { INDEX_FILE, IndexGitOps, MeshIndex } from '../core/index-contract';
import { CliError } from './errors';
import { argocdConfigMapCommand, commandLine, healthPatchCommand, PlanOptions } from './plan';
import { Io, Runner, toolError } from './runner';

/** The longest reading one ConfigMap may take. */
const GET_LIMIT_MS = 30_000;

const WITHOUT_IT =
  'without it Argo CD gives a child Application no health, so its sync wave passes at once and workloads can start before the sidecar injector exists';

/** The 1-based line where two texts first differ. */
function firstDifferentLine(a: string, b: string): number {
  const [x, y] = [a.split('\n'), b.split('\n')];
  let i = 0;
  while (i < x.length && i < y.length && x[i] === y[i]) i++;
  return i + 1;
}

/** The value of `key` in kubectl's JSON for a ConfigMap; throws when the answer is not one. */
function dataValue(stdout: string, key: string, what: string): string | undefined {
  let cm: unknown;
  try {
    cm = JSON.parse(stdout);
  } catch {
    cm = undefined;
  }
  const obj = cm as { kind?: unknown; data?: unknown } | undefined;
  if (typeof obj !== 'object' || obj === null || obj.kind !== 'ConfigMap') throw new CliError(`kubectl's answer for ${what} is not a ConfigMap: ${stdout.trim().slice(0, 80)}`);
  const data = (obj.data ?? {}) as Record<string, unknown>;
  const value = data[key];
  return typeof value === 'string' ? value : undefined;
}

/**
 * `gitops check`: whether Argo CD's ConfigMap holds the Application health check exactly as
 * synth generated it. Prints the one command that fixes it otherwise, and fails.
 */
export async function checkGitOps(index: MeshIndex, options: PlanOptions, runner: Runner, io: Io, dryRun: boolean): Promise<void> {
  const gitops: IndexGitOps | undefined = index.gitops;
  if (!gitops) {
    throw new CliError(
      `${options.distDir}/${INDEX_FILE} names no Argo CD files: synth writes them only with gitops.repoURL set (docs/gitops.md); set it and run \`npm run synth\``,
    );
  }
  const get = argocdConfigMapCommand(gitops, options);
  const patch = commandLine(healthPatchCommand(gitops, options));
  const what = `${gitops.configMap} in ${gitops.namespace}`;
  if (dryRun) {
    io.out(`$ ${commandLine(get)}\nthen, when ${gitops.healthKey} is missing or differs from ${options.distDir}/${gitops.patchFile}, it prints: ${patch}`);
    return;
  }
  const result = await runner.execOrThrow(get, { limitMs: GET_LIMIT_MS });
  if (result.code !== 0) {
    if (/\(NotFound\)/.test(result.stderr)) {
      throw new CliError(`no ConfigMap ${what} (${commandLine(get)}): is Argo CD installed in ${gitops.namespace}? The namespace comes from gitops.argocd.namespace of the config`);
    }
    throw new CliError(`cannot read ${what} (${commandLine(get)}): ${toolError(result.stderr) || result.stdout.trim()}`);
  }
  const live = dataValue(result.stdout, gitops.healthKey, what);
  if (live === gitops.healthScript) {
    io.out(`✓ ${what}: ${gitops.healthKey} is the health check synth generated; child Applications report their health, so each sync wave waits for them`);
    return;
  }
  const state =
    live === undefined
      ? `has no ${gitops.healthKey}`
      : `has a ${gitops.healthKey} that differs from the one synth generated (from line ${firstDifferentLine(live, gitops.healthScript)})`;
  throw new CliError(`${what} ${state}: ${WITHOUT_IT}. Apply it:\n  ${patch}\nthen run \`npm run mesh -- gitops check\` again`);
}
