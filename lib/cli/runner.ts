import { ChildProcess, spawn } from 'child_process';
import { CliError } from './errors';
import { foreignObjects, ObjectListError } from './namespace-contents';
import { commandLine, NamespaceCheck, Plan, PlanCommand, PlanStep, Tool } from './plan';

/** Where the CLI writes; injected so tests read what a user would see. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The command outlived its deadline and was killed, with its process group. */
  readonly timedOut: boolean;
}

/** A step that failed: names the step and the command, carries the tool's error and a hint. */
export class StepFailure extends Error {
  constructor(
    public readonly step: string,
    public readonly command: string,
    public readonly detail: string,
    public readonly hint: string,
    public readonly elapsedMs: number,
  ) {
    super(`${step} failed after ${formatElapsed(elapsedMs)}`);
    this.name = 'StepFailure';
  }
}

/** A command that did not answer in time: names it, how long it was given and what to check. */
export class DeadlineError extends Error {
  /** @param limit what ran out: its own limit, or the command-wide `--timeout` */
  constructor(
    public readonly command: string,
    limit: string,
    hint: string,
  ) {
    super(`\`${command}\` did not finish within ${limit} and was stopped; ${hint}`);
    this.name = 'DeadlineError';
  }
}

export interface RunnerOptions {
  /** Print every command, run none. */
  readonly dryRun: boolean;
  /** The environment of every command (KUBECONFIG reaches kubectl and istioctl through it). */
  readonly env: NodeJS.ProcessEnv;
  /** Directory the index's relative file paths are resolved from. */
  readonly cwd: string;
  /** Resolved executables; may be empty for a dry run. */
  readonly tools: Partial<Record<Tool, string>>;
  readonly io: Io;
  /** The whole CLI command must end by then (ms since the epoch): `--timeout` from its start. */
  readonly deadline: number;
  /** `--timeout`, for messages. */
  readonly timeoutSeconds: number;
  /**
   * While a command runs longer than this, print that it is alive, this often.
   * @default 5
   */
  readonly heartbeatSeconds?: number;
}

/** `1.2s`, `2m05s`. */
function formatElapsed(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
}

function formatSeconds(seconds: number): string {
  return `${Number(seconds.toFixed(1))}s`;
}

const TIMED_OUT = /timed out waiting for the condition/;
const INDENT = '      ';
/** How long a killed command gets to exit on SIGTERM before SIGKILL. */
const KILL_GRACE_MS = 2000;
/** A wait's own `--timeout` is the poll; the process gets this much longer to report it before it counts as hung. */
const WAIT_SLACK_MS = 15000;
/** After the tool exits, how long its pipes may stay open (held by a process that left its group) before the result is taken. */
const EXIT_FLUSH_MS = 2000;
/** How many of the objects that keep a namespace are named. */
const SHOWN_OTHERS = 5;
/** setTimeout's largest delay; a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** kubectl's own words for "the cluster is not there": the API server refuses, cannot be resolved or never answers. */
const UNREACHABLE = /Unable to connect to the server|connection refused|was refused|no such host|i\/o timeout|no configuration has been provided|dial tcp/;
/** The same words from a kubelet (`kubectl exec`, `port-forward` into a pod): the API server answered, a node did not. */
const NODE_UNREACHABLE = /unable to upgrade connection|error dialing backend/;
/** The context named by --context (or KUBECONFIG's current one) is not in KUBECONFIG. */
const CONTEXT_MISSING = /context "([^"]+)" does not exist|context was not found for specified context: (\S+)/;
/** kubectl's own summary of an unreachable API server: the one line worth showing. */
const SUMMARY_LINE = /^(The connection to the server .* was refused|Unable to connect to the server: )/;
/** A klog line (`E1203 14:10:57.085638   18052 memcache.go:265] …`): kubectl repeats these for each discovery retry. */
const KLOG_LINE = /^[IWEF]\d{4} \d{2}:\d{2}:\d{2}\.\d+\s+\d+ \S+:\d+\]/;

/** A tool's error output without kubectl's klog lines (all of it when there is nothing else), trimmed. */
export function toolError(stderr: string): string {
  const lines = stderr.split('\n').filter((line) => line.trim() !== '');
  const own = lines.filter((line) => !KLOG_LINE.test(line));
  return (own.length > 0 ? own : lines).join('\n').trim();
}
export const REACH_HINT = 'check that the cluster is reachable: kubectl cluster-info, --context and KUBECONFIG (kubectl config current-context)';
/** The cluster cannot be reached, or the context does not exist: one line naming the command and the one useful line of its error. */
export class ClusterError extends CliError {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterError';
  }
}

/**
 * A {@link ClusterError} when a failed command's error says the cluster is not there, else
 * undefined. Of kubectl's lines (five retries of discovery, then its summary) it keeps the
 * summary, or the last line that names the connection error.
 */
export function clusterError(cmd: PlanCommand, stderr: string): ClusterError | undefined {
  const lines = stderr.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  const missing = lines.map((line) => CONTEXT_MISSING.exec(line)).find((m) => m !== null);
  if (missing) {
    return new ClusterError(`context ${missing[1] ?? missing[2]} not found (${commandLine(cmd)}: ${missing.input}); kubectl config get-contexts lists the contexts of KUBECONFIG`);
  }
  if (lines.some((line) => NODE_UNREACHABLE.test(line)) || !lines.some((line) => UNREACHABLE.test(line))) return undefined;
  const plain = lines.filter((line) => !KLOG_LINE.test(line));
  const useful = plain.find((line) => SUMMARY_LINE.test(line)) ?? [...plain].reverse().find((line) => UNREACHABLE.test(line)) ?? [...lines].reverse().find((line) => UNREACHABLE.test(line))!;
  return new ClusterError(`cannot reach the cluster (${commandLine(cmd)}: ${useful}); ${REACH_HINT}`);
}

/** Hints from the error text itself, more precise than the step's own hint. */
const ERROR_HINTS: ReadonlyArray<[RegExp, string]> = [
  [/ensure CRDs are installed first|no matches for kind/, "a kind's CRD is missing: Istio's objects need `istioctl install` first; run the whole `up`, which keeps the order"],
  [/Forbidden|forbidden:/, 'your user lacks a permission; the mesh needs cluster-admin to install CRDs, ClusterRoles and the CSIDriver'],
];

/** What to check when a tool hangs, by tool. */
const HANG_HINT: Record<Tool, string> = {
  kubectl: `a kubectl that never answers usually means an unreachable or overloaded API server: ${REACH_HINT}`,
  istioctl: `check that the istioctl on PATH runs (istioctl version --remote=false), and ${REACH_HINT.replace('check that ', '')}`,
};

function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => `${INDENT}${line}`)
    .join('\n');
}

function lastLines(text: string, count: number): string {
  return text.trim().split('\n').slice(-count).join('\n');
}

/** Every child still running, so an interrupt can stop them all. */
const live = new Set<ChildProcess>();

/** Signals a child's whole process group (it was spawned detached, as its own group leader). */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** Stops every running child and its descendants: for Ctrl-C, so nothing outlives the CLI. */
export function stopAllChildren(): void {
  for (const child of live) killGroup(child, 'SIGKILL');
  live.clear();
}

export interface ExecOptions {
  /** The longest this command may run, in ms; the command-wide deadline applies too. */
  readonly limitMs?: number;
  /** Print a line every heartbeat while it runs. */
  readonly alive?: string;
  /** Pass its output straight through (long-running: port-forward, entry listings). */
  readonly passThrough?: boolean;
  /** Once a line of output matches, the deadline no longer applies (a port-forward that started runs until Ctrl-C). */
  readonly startedWhen?: RegExp;
}

/** Runs plans and single commands with the real tools, printing progress; every command has a deadline. */
export class Runner {
  private readonly heartbeatMs: number;

  constructor(private readonly options: RunnerOptions) {
    this.heartbeatMs = (options.heartbeatSeconds ?? 5) * 1000;
  }

  /** Milliseconds left of the command-wide deadline. */
  public remainingMs(): number {
    return Math.max(0, this.options.deadline - Date.now());
  }

  /**
   * Prints the plan, or runs it step by step: `[n/N] title`, each command, the elapsed time.
   * Resolves to what was left in place (skipped steps, kept namespaces), one line each.
   * Throws {@link StepFailure}.
   */
  public async run(plan: Plan): Promise<string[]> {
    const { io } = this.options;
    const total = plan.steps.length;
    const leftInPlace: string[] = [];
    for (const [i, step] of plan.steps.entries()) {
      const label = `[${i + 1}/${total}] ${step.title}`;
      io.out(label);
      if (step.skipped !== undefined) {
        io.out(`${INDENT}skipped: ${step.skipped}`);
        leftInPlace.push(`${step.title}: skipped: ${step.skipped}`);
        continue;
      }
      const started = Date.now();
      for (const cmd of step.commands) {
        if (cmd.onlyIfEmpty) {
          io.out(`${INDENT}$ ${commandLine(cmd.onlyIfEmpty.check)}`);
          io.out(`${INDENT}$ ${commandLine(cmd)}   (only if ${cmd.onlyIfEmpty.namespace} holds nothing else)`);
          const kept = this.options.dryRun ? undefined : await this.namespaceKept(cmd.onlyIfEmpty, step, label, started);
          if (kept) {
            io.out(`${INDENT}${kept}`);
            leftInPlace.push(kept);
            continue;
          }
        } else {
          const repeat = cmd.wait ? `   (repeated while not ready, at most ${cmd.wait.attempts} times)` : '';
          io.out(`${INDENT}$ ${commandLine(cmd)}${repeat}`);
        }
        if (!this.options.dryRun) await this.runCommand(cmd, step, label, started);
      }
      if (!this.options.dryRun) io.out(`${INDENT}done in ${formatElapsed(Date.now() - started)}`);
    }
    return leftInPlace;
  }

  /** Why a namespace is kept (what else is in it), or undefined when it holds only the mesh's objects. */
  private async namespaceKept(check: NamespaceCheck, step: PlanStep, label: string, started: number): Promise<string | undefined> {
    const listed = await this.runCommand(check.check, step, label, started, { quiet: true });
    try {
      const others = foreignObjects(listed.stdout, check.known, `namespace ${check.namespace}`);
      if (others.length === 0) return undefined;
      const shown = others.length > SHOWN_OTHERS + 1 ? [...others.slice(0, SHOWN_OTHERS), `${others.length - SHOWN_OTHERS} more`] : others;
      return `kept namespace ${check.namespace}: it still holds ${shown.join(', ')}, which dist/ does not list`;
    } catch (err) {
      if (!(err instanceof ObjectListError)) throw err;
      throw new StepFailure(label, commandLine(check.check), err.message, step.hint, Date.now() - started);
    }
  }

  /** Runs one command of a step (repeating a wait), printing its output unless `quiet`; throws {@link StepFailure}. */
  private async runCommand(cmd: PlanCommand, step: PlanStep, label: string, started: number, { quiet = false } = {}): Promise<CommandResult> {
    const { io } = this.options;
    const attempts = cmd.wait?.attempts ?? 1;
    for (let attempt = 1; ; attempt++) {
      const limitMs = cmd.wait ? cmd.wait.pollSeconds * 1000 + WAIT_SLACK_MS : undefined;
      const result = await this.exec(cmd, { limitMs, alive: cmd.wait ? `still waiting for ${cmd.wait.what}` : 'still running' });
      if (result.timedOut) {
        const why = this.remainingMs() === 0 || limitMs === undefined ? `--timeout (${formatSeconds(this.options.timeoutSeconds)}) ran out` : `no answer within ${formatElapsed(limitMs)}`;
        throw new StepFailure(label, commandLine(cmd), `${why}: stopped after ${formatElapsed(Date.now() - started)}`, HANG_HINT[cmd.tool], Date.now() - started);
      }
      if (result.code === 0) {
        if (result.stdout.trim() && !quiet) io.out(indent(result.stdout));
        return result;
      }
      // Checked first: kubectl's "unable to recognize" without a cluster would otherwise read as already gone.
      const unreachable = clusterError(cmd, result.stderr);
      if (unreachable) throw unreachable;
      const errorLines = result.stderr.split('\n').filter((line) => line.trim() !== '');
      // A line that says the cluster cannot be reached never means "already gone" (`unable to recognize "…": … connection refused`).
      const gone = (line: string) => !UNREACHABLE.test(line) && cmd.alreadyDone!.some((re) => re.test(line));
      if (cmd.alreadyDone && errorLines.length > 0 && errorLines.every(gone)) {
        io.out(`${INDENT}already gone (${lastLines(result.stderr, 1)})`);
        return result;
      }
      const timedOut = cmd.wait !== undefined && TIMED_OUT.test(result.stderr);
      if (timedOut && attempt < attempts && this.remainingMs() > 0) {
        io.out(`${INDENT}… ${cmd.wait!.what} not ready yet (${formatElapsed(Date.now() - started)})`);
        continue;
      }
      const detail = timedOut
        ? `${cmd.wait!.what} not ready after ${attempt} attempt${attempt === 1 ? '' : 's'} (${formatElapsed(Date.now() - started)}): ${lastLines(result.stdout + result.stderr, 3)}`
        : lastLines(toolError(result.stderr) || result.stdout, 20);
      const hint = ERROR_HINTS.find(([re]) => re.test(result.stderr))?.[1] ?? step.hint;
      throw new StepFailure(label, commandLine(cmd), detail, hint, Date.now() - started);
    }
  }

  /**
   * Runs one command, capturing its output. It is killed, with its process group, when it
   * outlives `limitMs` or the command-wide deadline; the result then says `timedOut`.
   */
  public exec(cmd: PlanCommand, options: ExecOptions = {}): Promise<CommandResult> {
    const { io } = this.options;
    const executable = this.options.tools[cmd.tool];
    if (!executable) throw new Error(`internal: ${cmd.tool} was not resolved before running`);
    const started = Date.now();
    const limitMs = Math.min(options.limitMs ?? Infinity, this.remainingMs(), MAX_TIMER_MS);
    return new Promise((resolve) => {
      // detached: the child leads its own process group, so a kill reaches what it started too.
      const child = spawn(executable, [...cmd.args], { env: this.options.env, cwd: this.options.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      live.add(child);
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      let settled = false;
      const onOutput = (chunk: Buffer, toErr: boolean) => {
        const text = chunk.toString();
        if (toErr) stderr += text;
        else stdout += text;
        if (options.passThrough) (toErr ? io.err : io.out)(text.replace(/\n$/, ''));
        if (options.startedWhen?.test(text)) clearTimeout(deadline);
      };
      child.stdout!.on('data', (chunk: Buffer) => onOutput(chunk, false));
      child.stderr!.on('data', (chunk: Buffer) => onOutput(chunk, true));
      const heartbeat = options.alive
        ? setInterval(() => io.out(`${INDENT}… ${options.alive} (${formatElapsed(Date.now() - started)})`), this.heartbeatMs)
        : undefined;
      let forceKill: NodeJS.Timeout | undefined;
      let drained: NodeJS.Timeout | undefined;
      const deadline = setTimeout(() => {
        timedOut = true;
        killGroup(child, 'SIGTERM');
        forceKill = setTimeout(() => killGroup(child, 'SIGKILL'), KILL_GRACE_MS);
      }, limitMs);
      const finish = (code: number, extraErr = '') => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        if (forceKill) clearTimeout(forceKill);
        if (drained) clearTimeout(drained);
        if (heartbeat) clearInterval(heartbeat);
        // Anything the tool left behind in its group goes with it.
        killGroup(child, 'SIGKILL');
        live.delete(child);
        resolve({ code, stdout, stderr: stderr + extraErr, timedOut });
      };
      child.on('error', (err) => finish(127, `${cmd.tool}: ${err.message}`));
      const exitCode = (code: number | null, signal: NodeJS.Signals | null) => code ?? (signal ? 128 : 1);
      // 'close' comes once the pipes are drained: the whole output is in.
      child.on('close', (code, signal) => finish(exitCode(code, signal)));
      child.on('exit', (code, signal) => {
        // The tool is done; what it left in its group would hold the pipes open: stop it, so 'close' follows.
        killGroup(child, 'SIGKILL');
        // A process outside the group (one that left it) may still hold them: then take what arrived.
        drained = setTimeout(() => finish(exitCode(code, signal)), EXIT_FLUSH_MS);
      });
    });
  }

  /**
   * {@link exec}, throwing a {@link DeadlineError} that names the command when it hangs, and a
   * {@link ClusterError} when it failed because the cluster cannot be reached.
   */
  public async execOrThrow(cmd: PlanCommand, options: ExecOptions = {}): Promise<CommandResult> {
    const own = options.limitMs !== undefined && options.limitMs < this.remainingMs();
    const result = await this.exec(cmd, options);
    const limit = own ? formatSeconds(options.limitMs! / 1000) : `--timeout (${formatSeconds(this.options.timeoutSeconds)})`;
    if (result.timedOut) throw new DeadlineError(commandLine(cmd), limit, HANG_HINT[cmd.tool]);
    const unreachable = result.code === 0 ? undefined : clusterError(cmd, result.stderr);
    if (unreachable) throw unreachable;
    return result;
  }
}
