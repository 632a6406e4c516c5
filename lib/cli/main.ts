import * as fs from 'fs';
import * as path from 'path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { ConfigError, loadMeshConfig } from '../config/load';
import { INDEX_FILE, MeshIndex } from '../synth';
import { commandLine, downPlan, IndexError, entriesCreatePlan, forwardCommands, Plan, PlanOptions, spireServerCommand, Tool, upPlan } from './plan';
import { checkPrerequisites, PrerequisiteError } from './prereq';
import { Io, Runner, StepFailure } from './runner';
import { printStatus } from './status';

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

/** A failure whose message is the whole story (no stack trace). */
class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`'${value}' must be a whole number greater than 0`);
  return n;
}

function port(value: string): number {
  const n = positiveInt(value);
  if (n > 65535) throw new InvalidArgumentError(`'${value}' must be a port number (1-65535)`);
  return n;
}

function loadIndex(ctx: MainContext, dist: string): MeshIndex {
  const file = path.resolve(ctx.cwd, dist, INDEX_FILE);
  if (!fs.existsSync(file)) throw new CliError(`${path.join(dist, INDEX_FILE)} not found: run \`npm run synth\` first (or point --dist at the output directory)`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as MeshIndex;
}

function checkFiles(ctx: MainContext, dist: string, index: MeshIndex): void {
  const missing = index.steps.map((s) => path.join(dist, s.file)).filter((f) => !fs.existsSync(path.resolve(ctx.cwd, f)));
  if (missing.length > 0) throw new CliError(`the index lists files that do not exist: ${missing.join(', ')}; run \`npm run synth\``);
}

/** Sets up one command run: the index, the plan options, the tools on PATH (skipped for a dry run) and the runner. */
function prepare(ctx: MainContext, opts: GlobalOptions, tools: readonly Tool[]) {
  const index = loadIndex(ctx, opts.dist);
  const planOptions: PlanOptions = { distDir: opts.dist, context: opts.context, pollSeconds: opts.poll, timeoutSeconds: opts.timeout };
  const dryRun = opts.dryRun ?? false;
  const resolved = dryRun ? {} : checkPrerequisites({ env: ctx.env, tools, istioVersion: tools.includes('istioctl') ? loadMeshConfig({ cwd: ctx.cwd, env: ctx.env }).istio.version : '' });
  const runner = new Runner({ dryRun, env: ctx.env, cwd: ctx.cwd, tools: resolved, io: ctx.io, heartbeatSeconds: ctx.heartbeatSeconds });
  const target = `context ${opts.context ?? '(current)'}${ctx.env.KUBECONFIG ? `, KUBECONFIG=${ctx.env.KUBECONFIG}` : ''}`;
  return { index, planOptions, dryRun, runner, target };
}

async function runPlan(ctx: MainContext, verb: string, plan: Plan, dryRun: boolean, runner: Runner, target: string): Promise<void> {
  ctx.io.out(`spire-mesh ${verb}: ${plan.steps.length} step${plan.steps.length === 1 ? '' : 's'}, ${target}${dryRun ? ' — dry run, nothing is run' : ''}`);
  const started = Date.now();
  await runner.run(plan);
  if (!dryRun) ctx.io.out(`spire-mesh ${verb}: done in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

function buildProgram(ctx: MainContext): Command {
  const program = new Command('spire-mesh')
    .description('Take the mesh in dist/ to a working product page and back, with kubectl and istioctl.')
    .option('--dry-run', 'print every command in order, run none')
    .option('--context <name>', 'kubectl/istioctl context (default: the current context of KUBECONFIG)')
    .option('--dist <dir>', 'the synthesized output directory', 'dist')
    .option('--timeout <seconds>', 'how long to wait for each object (rollout, Job, istiod, gateway) to become ready', positiveInt, 300)
    .option('--poll <seconds>', 'how long each wait command blocks before reporting progress', positiveInt, 10)
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.io.out(s.trimEnd()), writeErr: (s) => ctx.io.err(s.trimEnd()) });
  const globals = (cmd: Command) => cmd.optsWithGlobals<GlobalOptions>();

  // up and down: the same run over every step of the index, in opposite directions.
  const wholeMesh = (name: 'up' | 'down', description: string, plan: typeof upPlan, next?: string) =>
    program
      .command(name)
      .description(description)
      .action(async (_opts, cmd: Command) => {
        const opts = globals(cmd);
        const { index, planOptions, dryRun, runner, target } = prepare(ctx, opts, ['kubectl', 'istioctl']);
        checkFiles(ctx, opts.dist, index);
        await runPlan(ctx, name, plan(index, planOptions), dryRun, runner, target);
        if (next && !dryRun) ctx.io.out(next);
      });
  wholeMesh('up', 'apply every step in order, waiting for each to be ready; safe to re-run', upPlan, 'next: `npm run mesh -- forward`, then open the product page');
  wholeMesh('down', 'delete everything `up` created, in reverse order; safe when parts are already gone', downPlan);

  program
    .command('status')
    .description('pods of each part (ready or not), number of registration entries, PeerAuthentication mode; exits 1 when a pod is not ready')
    .action(async (_opts, cmd: Command) => {
      const { index, planOptions, dryRun, runner } = prepare(ctx, globals(cmd), ['kubectl']);
      const notReady = await printStatus(index, planOptions, runner, ctx.io, dryRun);
      if (notReady > 0) throw new CliError(`${notReady} pod(s) not ready or missing`);
    });

  const entries = program.command('entries').description("SPIRE registration entries, through the server's admin socket");
  const spire = async (cmd: Command, args: string[], what: string) => {
    const { index, planOptions, dryRun, runner } = prepare(ctx, globals(cmd), ['kubectl']);
    const command = spireServerCommand(index, planOptions, ...args);
    ctx.io.out(`$ ${commandLine(command)}`);
    if (dryRun) return;
    const result = await runner.stream(command);
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
    .action(async (_opts, cmd: Command) => {
      const opts = globals(cmd);
      const { index, planOptions, dryRun, runner, target } = prepare(ctx, opts, ['kubectl']);
      checkFiles(ctx, opts.dist, index);
      await runPlan(ctx, 'entries create', entriesCreatePlan(index, planOptions), dryRun, runner, target);
    });

  program
    .command('forward')
    .description("port-forward the ingress gateway's HTTP port to localhost and print the product page URL")
    .option('--port <port>', 'local port', port, 8000)
    .action(async (opts: { port: number }, cmd: Command) => {
      const { index, planOptions, dryRun, runner } = prepare(ctx, globals(cmd), ['kubectl']);
      const { findPod, forward } = forwardCommands(index, planOptions, opts.port);
      const url = `http://localhost:${opts.port}/productpage`;
      if (dryRun) {
        ctx.io.out(`$ ${commandLine(findPod)}\n$ ${commandLine(forward('<pod>'))}\nthen open ${url}`);
        return;
      }
      const found = await runner.exec(findPod);
      const pod = found.stdout.trim();
      if (found.code !== 0 || !pod) {
        throw new CliError(`no running ingress gateway pod (${commandLine(findPod)}): ${found.stderr.trim() || 'none found'}; run \`npm run mesh -- up\` first`);
      }
      ctx.io.out(`forwarding ${pod} → localhost:${opts.port}; open ${url} (Ctrl-C stops)`);
      const result = await runner.stream(forward(pod));
      if (result.code !== 0) throw new CliError(`port-forward stopped (exit ${result.code}); is port ${opts.port} free? (--port picks another)`);
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
    if (err instanceof CliError || err instanceof PrerequisiteError || err instanceof IndexError || err instanceof ConfigError) {
      ctx.io.err(`spire-mesh: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

/** The process entry: real argv, environment and output. */
export function cli(): void {
  // A reader that stops early (`| head`) closes the pipe; that ends the output, it is not a failure.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(0);
  });
  const io: Io = { out: (text) => process.stdout.write(`${text}\n`), err: (text) => process.stderr.write(`${text}\n`) };
  main(process.argv.slice(2), { env: process.env, cwd: process.cwd(), io }).then((code) => {
    process.exitCode = code;
  });
}

if (require.main === module) cli();
