import { spawn } from 'child_process';
import { commandLine, Plan, PlanCommand, PlanStep, Tool } from './plan';

/** Where the CLI writes; injected so tests read what a user would see. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
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
  /**
   * While a command runs longer than this, print that it is alive, this often.
   * @default 5
   */
  readonly heartbeatSeconds?: number;
}

/** `1.2s`, `2m05s`. */
export function formatElapsed(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
}

const TIMED_OUT = /timed out waiting for the condition/;
const INDENT = '      ';

/** Hints from the error text itself, more precise than the step's own hint. */
const ERROR_HINTS: ReadonlyArray<[RegExp, string]> = [
  [/ensure CRDs are installed first|no matches for kind/, "a kind's CRD is missing: Istio's objects need `istioctl install` first; run the whole `up`, which keeps the order"],
  [/Unable to connect to the server|connection refused|was refused|context .* does not exist|no configuration has been provided/, 'kubectl cannot reach the cluster: check --context and KUBECONFIG (kubectl config current-context)'],
  [/Forbidden|forbidden:/, 'your user lacks a permission; the mesh needs cluster-admin to install CRDs, ClusterRoles and the CSIDriver'],
];

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

/** Runs plans and single commands with the real tools, printing progress. */
export class Runner {
  private readonly heartbeatMs: number;

  constructor(private readonly options: RunnerOptions) {
    this.heartbeatMs = (options.heartbeatSeconds ?? 5) * 1000;
  }

  /** Prints the plan, or runs it step by step: `[n/N] title`, each command, the elapsed time. Throws {@link StepFailure}. */
  public async run(plan: Plan): Promise<void> {
    const { io } = this.options;
    const total = plan.steps.length;
    for (const [i, step] of plan.steps.entries()) {
      const label = `[${i + 1}/${total}] ${step.title}`;
      io.out(label);
      const started = Date.now();
      for (const cmd of step.commands) {
        const repeat = cmd.wait ? `   (repeated while not ready, at most ${cmd.wait.attempts} times)` : '';
        io.out(`${INDENT}$ ${commandLine(cmd)}${repeat}`);
        if (!this.options.dryRun) await this.runCommand(cmd, step, label, started);
      }
      if (!this.options.dryRun) io.out(`${INDENT}done in ${formatElapsed(Date.now() - started)}`);
    }
  }

  private async runCommand(cmd: PlanCommand, step: PlanStep, label: string, started: number): Promise<void> {
    const { io } = this.options;
    const attempts = cmd.wait?.attempts ?? 1;
    for (let attempt = 1; ; attempt++) {
      const result = await this.exec(cmd, cmd.wait ? `still waiting for ${cmd.wait.what}` : 'still running');
      if (result.code === 0) {
        if (result.stdout.trim()) io.out(indent(result.stdout));
        return;
      }
      const errorLines = result.stderr.split('\n').filter((line) => line.trim() !== '');
      if (cmd.alreadyDone && errorLines.length > 0 && errorLines.every((line) => cmd.alreadyDone!.some((re) => re.test(line)))) {
        io.out(`${INDENT}already gone (${lastLines(result.stderr, 1)})`);
        return;
      }
      const timedOut = cmd.wait !== undefined && TIMED_OUT.test(result.stderr);
      if (timedOut && attempt < attempts) {
        io.out(`${INDENT}… ${cmd.wait!.what} not ready yet (${formatElapsed(Date.now() - started)})`);
        continue;
      }
      const detail = timedOut
        ? `${cmd.wait!.what} not ready after ${attempts} attempts: ${lastLines(result.stdout + result.stderr, 3)}`
        : lastLines(result.stderr || result.stdout, 20);
      const hint = ERROR_HINTS.find(([re]) => re.test(result.stderr))?.[1] ?? step.hint;
      throw new StepFailure(label, commandLine(cmd), detail, hint, Date.now() - started);
    }
  }

  /** Runs one command, capturing its output; prints a line every heartbeat while it runs. */
  public exec(cmd: PlanCommand, aliveMessage = 'still running'): Promise<CommandResult> {
    return this.spawn(cmd, aliveMessage, false);
  }

  /** Runs one command with its output passed straight through (long-running: port-forward, entry listings). */
  public async stream(cmd: PlanCommand): Promise<CommandResult> {
    return this.spawn(cmd, undefined, true);
  }

  private spawn(cmd: PlanCommand, aliveMessage: string | undefined, passThrough: boolean): Promise<CommandResult> {
    const { io } = this.options;
    const executable = this.options.tools[cmd.tool];
    if (!executable) throw new Error(`internal: ${cmd.tool} was not resolved before running`);
    const started = Date.now();
    return new Promise((resolve) => {
      const child = spawn(executable, [...cmd.args], { env: this.options.env, cwd: this.options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (passThrough) io.out(chunk.toString().replace(/\n$/, ''));
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (passThrough) io.err(chunk.toString().replace(/\n$/, ''));
      });
      const heartbeat = aliveMessage
        ? setInterval(() => io.out(`${INDENT}… ${aliveMessage} (${formatElapsed(Date.now() - started)})`), this.heartbeatMs)
        : undefined;
      const finish = (code: number, extraErr = '') => {
        if (heartbeat) clearInterval(heartbeat);
        resolve({ code, stdout, stderr: stderr + extraErr });
      };
      child.on('error', (err) => finish(127, `${cmd.tool}: ${err.message}`));
      child.on('close', (code, signal) => finish(code ?? (signal ? 128 : 1)));
    });
  }
}
