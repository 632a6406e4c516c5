import * as fs from 'fs';
import * as path from 'path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { INDEX_FILE, INDEX_VERSION, IndexError, MeshIndex, parseIndex } from '../core/index-contract';
import { CliError } from './errors';
import { checkGitOps } from './gitops';
import { initMeshRepository } from './init';
import { printGraph } from './graph';
import { commandLine, downPlan, entriesCreatePlan, forwardCommands, Plan, PlanCommand, PlanOptions, spireServerCommand, spireServerPodsCommand, Tool, upPlan } from './plan';
import { parsePods, PodListError, readyPod } from './pods';
import { checkIstioctlVersion, PrerequisiteError, resolveTools, which } from './prereq';
import { DeadlineError, Io, Runner, StepFailure, stopAllChildren, toolError } from './runner';
import { printStatus } from './status';
import { vmBundle } from './vm-bundle';

/** Everything the CLI takes from its process, injected so tests run it in-process. */
export interface MainContext {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly io: Io;
  /** @default 5 */
  readonly heartbeatSeconds?: number;
}

interface GlobalOptions {
  readonly dryRun?: boolean;
  readonly context?: string;
  readonly dist: string;
  readonly timeout: number;
  readonly poll: number;
}

function positiveSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`'${value}' must be a number of seconds greater than 0`);
  return n;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError(`'${value}' must be a port number (1-65535)`);
  return n;
}

/** The CLI's own version, from the package's package.json: the nearest above this module (lib/cli/ in the sources, build/lib/cli/ compiled). */
function version(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string };
  return `${pkg.version} (reads index version ${INDEX_VERSION})`;
}

function loadIndex(ctx: MainContext, dist: string): MeshIndex {
  const shown = path.join(dist, INDEX_FILE);
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(ctx.cwd, dist, INDEX_FILE), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new IndexError(`${shown} not found: run \`npm run synth\` first (or point --dist at the output directory)`);
    throw new IndexError(`cannot read ${shown} (${code ?? (err as Error).message}); run \`npm run synth\``);
  }
  return parseIndex(text, shown);
}

function checkFiles(ctx: MainContext, dist: string, index: MeshIndex): void {
  const missing = index.steps.map((s) => path.join(dist, s.file)).filter((f) => !fs.statSync(path.resolve(ctx.cwd, f), { throwIfNoEntry: false })?.isFile());
  if (missing.length > 0) throw new IndexError(`the index lists files that do not exist: ${missing.join(', ')}; run \`npm run synth\``);
}

interface Prepared {
  readonly index: MeshIndex;
  readonly planOptions: PlanOptions;
  readonly dryRun: boolean;
  readonly runner: Runner;
  readonly target: string;
  /** The tools found on PATH (none for a dry run, but the optional ones). */
  readonly tools: Partial<Record<Tool, string>>;
}

/**
 * Sets up one command run: the index, the plan options, the tools on PATH (skipped for a dry
 * run) and the runner, whose deadline is `--timeout` from now.
 * @param checkVersion istioctl must be the release of dist/ (only `up` installs with it)
 * @param optional tools used when on PATH (also for a dry run: the plan depends on them), never required
 */
async function prepare(ctx: MainContext, opts: GlobalOptions, needs: 'kubectl' | 'all', checkVersion = false, optional: readonly Tool[] = []): Promise<Prepared> {
  const deadline = Date.now() + opts.timeout * 1000;
  const index = loadIndex(ctx, opts.dist);
  const planOptions: PlanOptions = { distDir: opts.dist, context: opts.context, pollSeconds: opts.poll, timeoutSeconds: opts.timeout };
  const dryRun = opts.dryRun ?? false;
  const tools: Tool[] = needs === 'all' && index.steps.some((s) => s.tool === 'istioctl') ? ['kubectl', 'istioctl'] : ['kubectl'];
  const resolved: Partial<Record<Tool, string>> = dryRun ? {} : resolveTools({ env: ctx.env, tools, istioVersion: index.istioVersion });
  for (const tool of optional) {
    const found = which(tool, ctx.env.PATH);
    if (found) resolved[tool] = found;
  }
  const runner = new Runner({ dryRun, env: ctx.env, cwd: ctx.cwd, tools: resolved, io: ctx.io, heartbeatSeconds: ctx.heartbeatSeconds, deadline, timeoutSeconds: opts.timeout });
  if (checkVersion && resolved.istioctl) await checkIstioctlVersion(runner, resolved.istioctl, index.istioVersion);
  const target = `context ${opts.context ?? '(current)'}${ctx.env.KUBECONFIG ? `, KUBECONFIG=${ctx.env.KUBECONFIG}` : ''}`;
  return { index, planOptions, dryRun, runner, target, tools: resolved };
}

async function runPlan(ctx: MainContext, verb: string, plan: Plan, { dryRun, runner, target }: Prepared): Promise<void> {
  ctx.io.out(`spire-mesh ${verb}: ${plan.steps.length} step${plan.steps.length === 1 ? '' : 's'}, ${target}${dryRun ? ' — dry run, nothing is run' : ''}`);
  const started = Date.now();
  const leftInPlace = await runner.run(plan);
  if (!dryRun) ctx.io.out(`spire-mesh ${verb}: done in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  if (leftInPlace.length > 0) ctx.io.out([`spire-mesh ${verb}: left in place:`, ...leftInPlace.map((line) => `  - ${line}`)].join('\n'));
}

/** The name of a Ready pod among those `find` lists; a message naming what to check when there is none. */
async function findReadyPod(runner: Runner, find: PlanCommand, what: string, hint: string): Promise<string> {
  const result = await runner.execOrThrow(find);
  if (result.code !== 0) throw new CliError(`cannot list the ${what} pods (${commandLine(find)}): ${toolError(result.stderr) || result.stdout.trim()}; ${hint}`);
  try {
    const pod = readyPod(parsePods(result.stdout, `the ${what} pods`));
    if (!pod) throw new CliError(`no Ready ${what} pod (${commandLine(find)}); ${hint}`);
    return pod.name;
  } catch (err) {
    if (err instanceof PodListError) throw new CliError(`${err.message}; ${hint}`);
    throw err;
  }
}

function buildProgram(ctx: MainContext): Command {
  const program = new Command('spire-mesh')
    .description('Take the mesh in dist/ to a working product page and back, with kubectl and istioctl.')
    .version(`spire-mesh ${version()}`, '-V, --version', 'print the version')
    .option('--dry-run', 'print every command in order, run none')
    .option('--context <name>', 'kubectl/istioctl context (default: the current context of KUBECONFIG)')
    .option('--dist <dir>', 'the synthesized output directory', 'dist')
    .option('--timeout <seconds>', 'the longest the whole command may take; each wait and each tool call ends by then', positiveSeconds, 900)
    .option('--poll <seconds>', 'how long each wait blocks before reporting progress (at most --timeout)', positiveSeconds, 10)
    .exitOverride()
    // Before the subcommands: they copy it when created, so `up --help` lists --dry-run, --context, --timeout…
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({ writeOut: (s) => ctx.io.out(s.trimEnd()), writeErr: (s) => ctx.io.err(s.trimEnd()) });
  const globals = (cmd: Command) => cmd.optsWithGlobals<GlobalOptions>();

  /** A command that runs a plan of the index: prepare, check its files, run, then `after`. */
  const planAction =
    (verb: string, plan: (index: MeshIndex, options: PlanOptions) => Plan, needs: 'kubectl' | 'all', checkVersion = false, after?: (p: Prepared) => void) =>
    async (_opts: unknown, cmd: Command) => {
      const opts = globals(cmd);
      const prepared = await prepare(ctx, opts, needs, checkVersion);
      checkFiles(ctx, opts.dist, prepared.index);
      await runPlan(ctx, verb, plan(prepared.index, prepared.planOptions), prepared);
      after?.(prepared);
    };

  program
    .command('up')
    .description('apply every step in order, waiting for each to be ready; safe to re-run')
    .action(
      planAction('up', upPlan, 'all', true, ({ dryRun, index }) => {
        if (!dryRun && index.admin.ingressGateway) ctx.io.out('next: `npm run mesh -- forward`, then open the product page');
      }),
    );

  program
    .command('down')
    .description('delete what `up` created, in reverse order, and the namespaces it created unless something else runs there; safe when parts are already gone')
    .action(async (_opts, cmd: Command) => {
      const opts = globals(cmd);
      // The kubectl part needs no istioctl: without one, down skips Istio and says how to remove it.
      const prepared = await prepare(ctx, opts, 'kubectl', false, ['istioctl']);
      checkFiles(ctx, opts.dist, prepared.index);
      await runPlan(ctx, 'down', downPlan(prepared.index, prepared.planOptions, { istioctl: prepared.tools.istioctl !== undefined }), prepared);
    });

  program
    .command('status')
    .description('pods of each part (ready or not), number of registration entries, PeerAuthentication mode; exits 1 when a pod is not ready')
    .action(async (_opts, cmd: Command) => {
      const { index, planOptions, dryRun, runner } = await prepare(ctx, globals(cmd), 'kubectl');
      const notReady = await printStatus(index, planOptions, runner, ctx.io, dryRun);
      if (notReady > 0) throw new CliError(`${notReady} pod(s) not ready or missing`);
    });

  program
    .command('graph')
    .description('the identity graph of dist/: each workload identity and who may call whom')
    .action((_opts, cmd: Command) => printGraph(loadIndex(ctx, globals(cmd).dist), ctx.io));

  const entries = program.command('entries').description("SPIRE registration entries, through the server's admin socket");
  const spire = async (cmd: Command, args: string[], what: string) => {
    const { index, planOptions, dryRun, runner } = await prepare(ctx, globals(cmd), 'kubectl');
    const find = spireServerPodsCommand(index, planOptions);
    if (dryRun) {
      ctx.io.out(`$ ${commandLine(find)}\n$ ${commandLine(spireServerCommand(index, planOptions, '<ready server pod>', ...args))}`);
      return;
    }
    const pod = await findReadyPod(runner, find, 'SPIRE server', 'is SPIRE installed and running? (npm run mesh -- status)');
    const command = spireServerCommand(index, planOptions, pod, ...args);
    ctx.io.out(`$ ${commandLine(command)}`);
    const result = await runner.execOrThrow(command, { passThrough: true });
    if (result.code !== 0) throw new CliError(`${what} failed; is the SPIRE server running? (npm run mesh -- status)`);
  };
  entries
    .command('list')
    .description('show every registration entry (spire-server entry show)')
    .action((_opts, cmd: Command) => spire(cmd, ['entry', 'show'], 'entry show'));
  entries
    .command('delete')
    .argument('<id>', 'the entry ID, as `entries list` shows it')
    .description('delete one registration entry (the failure demo)')
    .action((id: string, _opts, cmd: Command) => spire(cmd, ['entry', 'delete', '-entryID', id], `deleting entry ${id}`));
  entries
    .command('create')
    .description('re-run the registration Job, re-creating every entry')
    .action(planAction('entries create', entriesCreatePlan, 'kubectl'));

  program
    .command('gitops')
    .description('checks for a mesh that Argo CD syncs (docs/gitops.md)')
    .command('check')
    .description("whether argocd-cm holds the Application health check synth generated; if not, prints the kubectl patch and exits 1")
    .action(async (_opts, cmd: Command) => {
      const { index, planOptions, dryRun, runner } = await prepare(ctx, globals(cmd), 'kubectl');
      await checkGitOps(index, planOptions, runner, ctx.io, dryRun);
    });

  program
    .command('forward')
    .description("port-forward the ingress gateway's HTTP port to localhost and print the product page URL; runs until Ctrl-C")
    .option('--port <port>', 'local port', port, 8000)
    .action(async (opts: { port: number }, cmd: Command) => {
      const { index, planOptions, dryRun, runner } = await prepare(ctx, globals(cmd), 'kubectl');
      const { findPod, forward } = forwardCommands(index, planOptions, opts.port);
      const url = `http://localhost:${opts.port}/productpage`;
      if (dryRun) {
        ctx.io.out(`$ ${commandLine(findPod)}\n$ ${commandLine(forward('<ready gateway pod>'))}\nthen open ${url}`);
        return;
      }
      const pod = await findReadyPod(runner, findPod, 'ingress gateway', 'run `npm run mesh -- up` first');
      ctx.io.out(`forwarding ${pod} → localhost:${opts.port}; open ${url} (Ctrl-C stops)`);
      // --timeout bounds the start; once kubectl says it is forwarding, it runs until Ctrl-C.
      const result = await runner.execOrThrow(forward(pod), { passThrough: true, startedWhen: /Forwarding from/ });
      if (result.code !== 0) throw new CliError(`port-forward stopped (exit ${result.code}); is port ${opts.port} free? (--port picks another)`);
    });

  program
    .command('vm')
    .description('workloads on VMs (docs/vms.md)')
    .command('bundle')
    .argument('<name>', 'the VM workload, as declared in `vms` (or <namespace>/<name>)')
    .description("write what one VM needs (SPIRE agent and Istio sidecar files, README); reads dist/meta/index.json and the cluster's trust bundle, istiod root and addresses")
    .option('--out <dir>', 'output directory (default: vm-<name>)')
    .option('--spire-server-address <address>', "the SPIRE server address the VM reaches (default: the spire-server-vms Service's load-balancer address)")
    .option('--gateway-address <ip>', "the east-west gateway IP the VM reaches istiod at (default: its Service's load-balancer address)")
    .action(async (name: string, opts: { out?: string; spireServerAddress?: string; gatewayAddress?: string }, cmd: Command) => {
      const global = globals(cmd);
      const { index, dryRun, runner } = await prepare(ctx, global, 'kubectl');
      await vmBundle({ index, name, ...opts, dryRun, context: global.context, runner, io: ctx.io, cwd: ctx.cwd });
    });

  program
    .command('init')
    .description('scaffold a mesh repository of your own in <dir> (new or empty): config, main.ts, tests, dist/')
    .argument('<dir>', 'the directory to create')
    .action((dir: string) => {
      const result = initMeshRepository(path.resolve(ctx.cwd, dir));
      ctx.io.out(
        [
          `spire-mesh init: ${dir}`,
          ...result.files.map((f) => `  ${f}`),
          '  dist/ (a synth of spire-mesh.config.yaml)',
          `next: cd ${dir} && npm install && npm test; edit spire-mesh.config.yaml, \`npm run synth\`, commit with dist/`,
        ].join('\n'),
      );
    });

  return program;
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: readonly string[], ctx: MainContext): Promise<number> {
  try {
    await buildProgram(ctx).parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof StepFailure) {
      ctx.io.err(`✗ ${err.message}`);
      ctx.io.err(`  command: ${err.command}`);
      ctx.io.err(`  error:\n${err.detail.replace(/^/gm, '    ')}`);
      ctx.io.err(`  hint:\n${err.hint.replace(/^/gm, '    ')}`);
      return 1;
    }
    if (err instanceof CliError || err instanceof PrerequisiteError || err instanceof IndexError || err instanceof DeadlineError) {
      ctx.io.err(`spire-mesh: ${err.message}`);
      return 1;
    }
    ctx.io.err(`spire-mesh: unexpected error: ${err instanceof Error ? err.message : String(err)} (please report it with the command you ran)`);
    return 1;
  }
}

/** The process entry: real argv, environment and output. */
export function cli(): void {
  // A reader that stops early (`| head`) closes the pipe; that ends the output, it is not a failure.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    stopAllChildren();
    process.exit(0);
  });
  // Children run in their own process groups, out of reach of the terminal's Ctrl-C: stop them here.
  for (const [signal, number] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]] as const) {
    process.on(signal, () => {
      stopAllChildren();
      process.stderr.write(`\nspire-mesh: stopped by ${signal}; every command it started was stopped too\n`);
      process.exit(128 + number);
    });
  }
  const io: Io = { out: (text) => process.stdout.write(`${text}\n`), err: (text) => process.stderr.write(`${text}\n`) };
  main(process.argv.slice(2), { env: process.env, cwd: process.cwd(), io }).then((code) => {
    process.exitCode = code;
  });
}

if (require.main === module) cli();
