/**
 * The benchmark of issue 12's speed bounds, side by side in one run (`npm run bench`):
 *  1. synth of the default mesh, as `npm run synth` runs it, against loading cdk8s and
 *     cdk8s-plus-25 alone (`node -e "require('cdk8s'); require('cdk8s-plus-25')"`): ≤ 3×;
 *  2. synth time per bookinfo namespace at 1000 namespaces against 100: ≤ 1.5×, with the peak
 *     memory of each;
 *  3. `node bin/spire-mesh --help` against `node -e 0` (npm's own start-up left out): ≤ 3×.
 * Commands are timed alternately with their baseline, so load from other processes hits both;
 * each figure is a median. Figures only: no test depends on them.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { resolveMeshConfig } from '../lib/config/load';
import { buildMesh } from '../lib/composition-root';
import { synthMesh } from '../lib/synth';

// npm runs scripts from the project root (this file runs transpiled, from a cache directory).
const projectRoot = process.cwd();
const node = process.execPath;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timeOnce(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const start = process.hrtime.bigint();
  execFileSync(cmd, args, { cwd: projectRoot, env, stdio: 'ignore' });
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

/** In a fresh process: build and synth `count` bookinfo namespaces; prints ms and peak RSS. */
function scaleChild(count: number): void {
  const namespaces = Array.from({ length: count }, (_, i) => (i === 0 ? 'default' : `team-${i}`));
  const config = resolveMeshConfig({ bookinfo: { namespaces } });
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'spire-mesh-bench-'));
  const start = process.hrtime.bigint();
  synthMesh(buildMesh(config, { outdir }));
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  fs.rmSync(outdir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
}

function scale(count: number): { ms: number; maxRssMb: number } {
  const out = execFileSync(node, [path.join(projectRoot, 'scripts', 'ts-run.js'), 'bench/synth.ts', 'scale', String(count)], { cwd: projectRoot, encoding: 'utf8' });
  return JSON.parse(out);
}

function row(name: string, subject: number, baseline: number, bound: number, unit = 'ms'): boolean {
  const ratio = subject / baseline;
  const ok = ratio <= bound;
  console.log(`${name.padEnd(34)} ${subject.toFixed(1).padStart(9)} ${unit}  vs ${baseline.toFixed(1).padStart(9)} ${unit}   ${ratio.toFixed(2).padStart(5)}×  (bound ${bound}×) ${ok ? 'within' : 'OVER'}`);
  return ok;
}

function benchmark(): void {
  const runs = Number(process.env.BENCH_RUNS ?? 7);
  console.log(`spire-mesh benchmark (node ${process.version}, ${os.cpus().length} cpus, medians of ${runs} alternating runs)\n`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spire-mesh-bench-'));
  const requireCdk8s = () => timeOnce(node, ['-e', "require('cdk8s'); require('cdk8s-plus-25')"]);
  const synthEnv = { ...process.env, CDK8S_OUTDIR: path.join(tmp, 'dist') };
  const npmSynth = compare(runs, () => timeOnce('npm', ['run', '--silent', 'synth'], synthEnv), requireCdk8s);
  const directSynth = compare(runs, () => timeOnce(node, ['scripts/ts-run.js', 'main.ts'], synthEnv), requireCdk8s);
  const help = compare(runs, () => timeOnce(node, ['bin/spire-mesh', '--help']), () => timeOnce(node, ['-e', '0']));
  const small = scale(100);
  const large = scale(1000);
  fs.rmSync(tmp, { recursive: true, force: true });

  console.log(`${'ratio'.padEnd(34)} ${'subject'.padStart(12)}  vs ${'baseline'.padStart(12)}   ratio`);
  const ok = [
    row('1. npm run synth / require cdk8s', npmSynth.subject, npmSynth.baseline, 3),
    row('2. per namespace: 1000 / 100', large.ms / 1000, small.ms / 100, 1.5, 'ms/ns'),
    row('3. bin/spire-mesh --help / node -e 0', help.subject, help.baseline, 3),
  ].every(Boolean);
  console.log(`\n   synth without npm's start-up (node scripts/ts-run.js main.ts): ${directSynth.subject.toFixed(1)} ms (${(directSynth.subject / directSynth.baseline).toFixed(2)}×)`);
  console.log(`   100 namespaces: ${small.ms.toFixed(0)} ms, peak memory ${small.maxRssMb.toFixed(0)} MB; 1000 namespaces: ${large.ms.toFixed(0)} ms, peak memory ${large.maxRssMb.toFixed(0)} MB`);
  console.log(ok ? '\nevery ratio is within its bound' : '\nsome ratio is over its bound (figures are noisy on a shared machine: re-run before concluding)');
}

if (process.argv[2] === 'scale') scaleChild(Number(process.argv[3]));
else benchmark();
