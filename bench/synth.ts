/**
 * Synth benchmark: prints how long building and writing the mesh takes, in process and
 * through `npm run synth`, for the default config and for meshes grown by adding bookinfo
 * namespaces. Run with `npm run bench`; figures only, no pass/fail.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { resolveMeshConfig } from '../lib/config/load';
import { buildMesh } from '../lib/composition-root';
import { synthMesh } from '../lib/synth';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(runs: number, fn: () => void): { median: number; min: number; max: number } {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return { median: median(samples), min: Math.min(...samples), max: Math.max(...samples) };
}

const fmt = (ms: number) => `${ms.toFixed(1).padStart(8)} ms`;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spire-mesh-bench-'));

console.log(`spire-mesh synth benchmark (node ${process.version}, ${os.cpus().length} cpus)`);
console.log('\nin process: build + synth to a temp dir (median of 5, after 1 warm-up)');
console.log('bookinfo namespaces   objects   median        min        max');
for (const count of [1, 10, 50, 100]) {
  const namespaces = Array.from({ length: count }, (_, i) => (i === 0 ? 'default' : `team-${i}`));
  const config = resolveMeshConfig({ bookinfo: { namespaces } });
  let objects = 0;
  const run = () => {
    const mesh = buildMesh(config, { outdir: path.join(tmp, `n${count}`) });
    objects = synthMesh(mesh).steps.reduce((n, s) => n + s.objects.length, 0);
  };
  run();
  const t = time(5, run);
  console.log(`${String(count).padStart(18)}   ${String(objects).padStart(7)} ${fmt(t.median)} ${fmt(t.min)} ${fmt(t.max)}`);
}

console.log('\nend to end: `npm run synth` of the default config (median of 3)');
const root = path.join(__dirname, '..');
const e2e = time(3, () => {
  execFileSync('npm', ['run', '--silent', 'synth'], { cwd: root, stdio: 'ignore' });
});
console.log(`npm run synth ${fmt(e2e.median)} (min ${fmt(e2e.min).trim()}, max ${fmt(e2e.max).trim()})`);
fs.rmSync(tmp, { recursive: true, force: true });
