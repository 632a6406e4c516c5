/**
 * The benchmark of issue 12's speed bounds, side by side in one run (`npm run bench`):
 *  1. synth of the default mesh, as `npm run synth` runs it, against loading cdk8s and
 *     cdk8s-plus-25 alone (`node -e "require('cdk8s'); require('cdk8s-plus-25')"`): ≤ 3×;
 *  2. synth time per bookinfo namespace at 1000 namespaces against 100: ≤ 1.5×, with the peak
 *     memory of each;
 *  3. `node bin/spire-mesh --help` against `node -e 0` (npm's own start-up left out): ≤ 3×.
 * It runs compiled, from build/ (`npm run bench` builds first), as the synth and the CLI do.
 * It also prints what synth's call into cdk8s internals saves (renderApp against its fallback),
 * and the largest object of the default mesh and at 100 and 1000 namespaces, against the limit
 * synth enforces (lib/core/object-size.ts); a scale synth refuses for it is reported as
 * refused, its size still measured.
 * Commands are timed alternately with their baseline, so load from other processes hits both;
 * each figure is a median. Figures only: no test depends on them.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readMeshConfig, resolveMeshConfig } from '../lib/config/load';
import { buildMesh } from '../lib/composition-root';
import { describeObject, formatBytes, largestObject, OBJECT_SIZE_LIMIT_BYTES, ObjectSize, ObjectSizeError } from '../lib/core/object-size';
import { meshObjectSizes, renderApp, renderMesh, synthMesh } from '../lib/synth';

// npm runs scripts from the project root (this file runs compiled, from build/bench/).
const projectRoot = process.cwd();
const node = process.execPath;
/** Every child has a deadline: a hung one ends the benchmark with an error, not a hang. */
const CHILD_TIMEOUT_MS = 600_000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timeOnce(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const start = process.hrtime.bigint();
  execFileSync(cmd, args, { cwd: projectRoot, env, stdio: 'ignore', timeout: CHILD_TIMEOUT_MS });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Medians of `subject` and `baseline`, run alternately `runs` times after one warm-up each. */
function compare(runs: number, subject: () => number, baseline: () => number): { subject: number; baseline: number } {
  subject();
  baseline();
  const s: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < runs; i++) {
    s.push(subject());
    b.push(baseline());
  }
  return { subject: median(s), baseline: median(b) };
}

interface ScaleResult {
  readonly ms: number;
  readonly maxRssMb: number;
  /** Measured whether or not synth refused it. */
  readonly largest: ObjectSize;
  /** Synth refused an object over the size limit: `ms` is build, render and check, nothing written. */
  readonly refused: boolean;
}

/** In a fresh process: build and synth `count` bookinfo namespaces; prints a ScaleResult. */
function scaleChild(count: number): void {
  const namespaces = Array.from({ length: count }, (_, i) => (i === 0 ? 'default' : `team-${i}`));
  const config = resolveMeshConfig({ bookinfo: { namespaces } });
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'spire-mesh-bench-'));
  const start = process.hrtime.bigint();
  const mesh = buildMesh(config, { outdir });
  let refused = false;
  try {
    synthMesh(mesh);
  } catch (err) {
    if (!(err instanceof ObjectSizeError)) throw err;
    refused = true;
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  fs.rmSync(outdir, { recursive: true, force: true });
  // Untimed, after the peak memory is read: every object's size, also when synth refused one.
  const largest = largestObject(meshObjectSizes(renderMesh(mesh)))!;
  const result: ScaleResult = { ms, maxRssMb, largest, refused };
  process.stdout.write(JSON.stringify(result));
}

/**
 * Whether synth's one call into cdk8s internals (App._synthChart, lib/synth.ts renderApp) earns
 * its place: the kubectl charts of `count` bookinfo namespaces rendered through it, against the
 * fallback a cdk8s without it gets (Chart.toJson per chart, which resolves and validates the whole
 * App each time). One mesh, each render timed once after the mesh is finalized.
 */
function internalsChild(count: number): void {
  const namespaces = Array.from({ length: count }, (_, i) => (i === 0 ? 'default' : `team-${i}`));
  const mesh = buildMesh(resolveMeshConfig({ bookinfo: { namespaces } }), { outdir: path.join(os.tmpdir(), 'spire-mesh-bench-never-written') });
  const charts = mesh.steps.filter((s) => s.tool === 'kubectl').map((s) => s.chart);
  const time = (render: () => unknown) => {
    const start = process.hrtime.bigint();
    render();
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  const internal = time(() => renderApp(charts));
  const fallback = time(() => renderApp(charts, null));
  process.stdout.write(JSON.stringify({ internal, fallback }));
}

function scale(count: number): ScaleResult {
  const out = execFileSync(node, [__filename, 'scale', String(count)], { cwd: projectRoot, encoding: 'utf8', timeout: CHILD_TIMEOUT_MS });
  return JSON.parse(out);
}

/** The largest object of the mesh `npm run synth` builds (the project's config, or every default). */
function defaultMeshLargest(): ObjectSize {
  const { config } = readMeshConfig({ cwd: projectRoot });
  return largestObject(meshObjectSizes(renderMesh(buildMesh(config, { outdir: path.join(os.tmpdir(), 'spire-mesh-bench-never-written') }))))!;
}

function sizeLine(name: string, largest: ObjectSize): string {
  const verdict = largest.bytes > OBJECT_SIZE_LIMIT_BYTES ? 'OVER the limit: synth refuses this mesh' : 'within the limit';
  return `   ${name.padEnd(16)} ${formatBytes(largest.bytes).padStart(26)}  ${describeObject(largest)}  ${verdict}`;
}

/** Ratio 2, when both scales have the same outcome: a refused synth writes nothing, so its time compares only with another refused one. */
function perNamespaceRow(small: ScaleResult, large: ScaleResult): boolean {
  const name = '2. per namespace: 1000 / 100';
  if (small.refused !== large.refused) {
    console.log(`${name.padEnd(38)} not comparable: synth refused ${large.refused ? '1000' : '100'} namespaces only (an object over the size limit)`);
    return true;
  }
  return row(`${name}${small.refused ? ' (refused)' : ''}`, large.ms / 1000, small.ms / 100, 1.5, 'ms/ns');
}

function row(name: string, subject: number, baseline: number, bound: number, unit = 'ms'): boolean {
  const ratio = subject / baseline;
  const ok = ratio <= bound;
  console.log(`${name.padEnd(38)} ${subject.toFixed(1).padStart(9)} ${unit}  vs ${baseline.toFixed(1).padStart(9)} ${unit}   ${ratio.toFixed(2).padStart(5)}×  (bound ${bound}×) ${ok ? 'within' : 'OVER'}`);
  return ok;
}

function benchmark(): void {
  const runs = Number(process.env.BENCH_RUNS ?? 7);
  console.log(`spire-mesh benchmark (node ${process.version}, ${os.cpus().length} cpus, medians of ${runs} alternating runs)\n`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spire-mesh-bench-'));
  const requireCdk8s = () => timeOnce(node, ['-e', "require('cdk8s'); require('cdk8s-plus-25')"]);
  const synthEnv = { ...process.env, CDK8S_OUTDIR: path.join(tmp, 'dist') };
  const npmSynth = compare(runs, () => timeOnce('npm', ['run', '--silent', 'synth'], synthEnv), requireCdk8s);
  const directSynth = compare(runs, () => timeOnce(node, ['build/main.js'], synthEnv), requireCdk8s);
  const help = compare(runs, () => timeOnce(node, ['bin/spire-mesh', '--help']), () => timeOnce(node, ['-e', '0']));
  // What `npm run synth` spends before main.js when nothing changed: the build's own check, against tsc's.
  const buildCheck = compare(runs, () => timeOnce(node, ['scripts/build.js']), () => timeOnce(node, ['node_modules/typescript/bin/tsc', '--build', 'tsconfig.build.json']));
  const small = scale(100);
  const large = scale(1000);
  const internals = JSON.parse(execFileSync(node, [__filename, 'internals', '100'], { cwd: projectRoot, encoding: 'utf8', timeout: CHILD_TIMEOUT_MS })) as { internal: number; fallback: number };
  fs.rmSync(tmp, { recursive: true, force: true });

  console.log(`${'ratio'.padEnd(38)} ${'subject'.padStart(12)}  vs ${'baseline'.padStart(12)}   ratio`);
  const ok = [
    row('1. npm run synth / require cdk8s', npmSynth.subject, npmSynth.baseline, 3),
    perNamespaceRow(small, large),
    row('3. bin/spire-mesh --help / node -e 0', help.subject, help.baseline, 3),
  ].every(Boolean);
  console.log(`\n   synth without npm's start-up or the build check (node build/main.js): ${directSynth.subject.toFixed(1)} ms (${(directSynth.subject / directSynth.baseline).toFixed(2)}×)`);
  console.log(`   the build when nothing changed: ${buildCheck.subject.toFixed(1)} ms (scripts/build.js), against ${buildCheck.baseline.toFixed(1)} ms for tsc --build alone`);
  const status = (r: ScaleResult) => (r.refused ? ' (refused before writing: build, render and size check only)' : '');
  console.log(`   100 namespaces: ${small.ms.toFixed(0)} ms${status(small)}, peak memory ${small.maxRssMb.toFixed(0)} MB; 1000 namespaces: ${large.ms.toFixed(0)} ms${status(large)}, peak memory ${large.maxRssMb.toFixed(0)} MB`);
  console.log(`   rendering the kubectl charts of 100 namespaces: ${internals.internal.toFixed(0)} ms through App._synthChart, ${internals.fallback.toFixed(0)} ms through Chart.toJson per chart (the fallback without it): ${(internals.fallback / internals.internal).toFixed(1)}×`);
  console.log(`\n   largest object, as compact JSON (client-side kubectl apply limit, lib/core/object-size.ts: ${formatBytes(OBJECT_SIZE_LIMIT_BYTES)}):`);
  console.log(sizeLine('default mesh', defaultMeshLargest()));
  console.log(sizeLine('100 namespaces', small.largest));
  console.log(sizeLine('1000 namespaces', large.largest));
  console.log(ok ? '\nevery ratio is within its bound' : '\nsome ratio is over its bound (figures are noisy on a shared machine: re-run before concluding)');
}

if (process.argv[2] === 'scale') scaleChild(Number(process.argv[3]));
else if (process.argv[2] === 'internals') internalsChild(Number(process.argv[3]));
else benchmark();
