/**
 * Whether the suite's one custom jest piece earns its place (`npm run bench:jest`): the
 * code-cache runtime (`__tests__/support/code-cache-runtime.js`, jest.config.js `runtime`)
 * against jest's own runtime, over the test files of the constructs (they load cdk8s and
 * cdk8s-plus-25 in every file, which is what the cache saves). Each run is one jest process in
 * band (`-i`), so its wall time is its CPU time; the CPU time of the process tree is read from
 * /proc (user + system of the waited-for children). Runs alternate, after one warm-up each
 * (jest's transform cache warm for both); each figure is a median. Figures only: no test depends on them.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const projectRoot = process.cwd();
const runs = Number(process.env.BENCH_RUNS ?? 3);
/** The construct tests: no spawned tools, so the figure is module loading and synthesis. */
const TEST_PATHS = ['__tests__/spire/', '__tests__/istio/', '__tests__/mesh/', '__tests__/bookinfo/', '__tests__/authorization/', '__tests__/argocd/'];

interface Run {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly tests: number;
}

/** CPU time (user + system) of this process's waited-for children so far, in ms, from /proc. */
function childrenCpuMs(): number {
  const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  // Fields 16 and 17 (cutime, cstime) of proc(5), counted from the state field (3).
  const ticks = Number(fields[16 - 3]) + Number(fields[17 - 3]);
  // Clock ticks of USER_HZ, which Linux fixes at 100 for what /proc reports (proc(5)).
  return (ticks * 1000) / 100;
}

function jestOnce(configFile: string): Run {
  const cpuBefore = childrenCpuMs();
  const start = process.hrtime.bigint();
  const result = spawnSync(
    process.execPath,
    [path.join(projectRoot, 'node_modules', 'jest', 'bin', 'jest.js'), '--config', configFile, '-i', '--silent', '--json', '--outputFile', `${configFile}.json`, ...TEST_PATHS],
    // A deadline, so a hung jest ends the benchmark with a message instead of hanging it.
    { cwd: projectRoot, stdio: 'ignore', env: { ...process.env, CI: 'true' }, timeout: 600_000 },
  );
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.error) throw new Error(`jest --config ${configFile} did not finish: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`jest --config ${configFile} failed (exit ${result.status}): run it by hand to see why`);
  const report = JSON.parse(fs.readFileSync(`${configFile}.json`, 'utf8')) as { numPassedTests: number };
  return { wallMs, cpuMs: childrenCpuMs() - cpuBefore, tests: report.numPassedTests };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function main(): void {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spire-mesh-bench-jest-'));
  try {
    const config = require(path.join(projectRoot, 'jest.config.js')) as Record<string, unknown>;
    const withCache = path.join(tmp, 'with-cache.config.json');
    const withoutCache = path.join(tmp, 'jest-runtime.config.json');
    fs.writeFileSync(withCache, JSON.stringify({ ...config, rootDir: projectRoot }));
    const plain: Record<string, unknown> = { ...config, rootDir: projectRoot };
    delete plain.runtime;
    fs.writeFileSync(withoutCache, JSON.stringify(plain));

    console.log(`jest runtime benchmark (node ${process.version}, ${os.cpus().length} cpus, medians of ${runs} alternating in-band runs of ${TEST_PATHS.join(' ')})\n`);
    jestOnce(withCache);
    jestOnce(withoutCache);
    const cached: Run[] = [];
    const plainRuns: Run[] = [];
    for (let i = 0; i < runs; i++) {
      cached.push(jestOnce(withCache));
      plainRuns.push(jestOnce(withoutCache));
    }
    const line = (name: string, rs: Run[]) =>
      `${name.padEnd(34)} ${(median(rs.map((r) => r.wallMs)) / 1000).toFixed(2).padStart(6)} s wall  ${(median(rs.map((r) => r.cpuMs)) / 1000).toFixed(2).padStart(6)} s CPU  (${rs[0].tests} tests)`;
    console.log(line('code-cache runtime (jest.config.js)', cached));
    console.log(line("jest's own runtime", plainRuns));
    const saved = median(plainRuns.map((r) => r.cpuMs)) - median(cached.map((r) => r.cpuMs));
    const share = saved / median(plainRuns.map((r) => r.cpuMs));
    console.log(`\n   the cache saves ${(saved / 1000).toFixed(2)} s of CPU (${(share * 100).toFixed(0)}%) on these files`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main();
