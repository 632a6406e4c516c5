import * as fs from 'fs';
import * as path from 'path';

const tsRun: { compiled(entry: string): string; UNUSED_MS: number } = require('../../scripts/ts-run.js');
const root = path.join(__dirname, '..', '..');
const entry = (file: string) => path.join(root, file);

test('GIVEN two entries WHEN each is transpiled THEN neither removes the tree the other may still be loading from', () => {
  // The synth and the CLI start side by side (the suite does it): each has its own tree.
  const synth = tsRun.compiled(entry('main.ts'));
  const cli = tsRun.compiled(entry('lib/cli/main.ts'));
  expect(cli).not.toBe(synth);
  expect(fs.existsSync(path.join(synth, 'lib', 'cli', 'status.js'))).toBe(true);
  expect(fs.existsSync(path.join(cli, 'lib', 'cli', 'status.js'))).toBe(true);
});

test('GIVEN a tree unused for longer than the limit WHEN another is transpiled THEN the stale one is removed', () => {
  const synth = tsRun.compiled(entry('main.ts'));
  const stale = path.join(path.dirname(synth), 'stale-from-earlier-sources');
  fs.mkdirSync(stale, { recursive: true });
  const longAgo = new Date(Date.now() - tsRun.UNUSED_MS - 60_000);
  fs.utimesSync(stale, longAgo, longAgo);
  tsRun.compiled(entry('lib/cli/main.ts'));
  expect(fs.existsSync(stale)).toBe(false);
  expect(fs.existsSync(synth)).toBe(true);
});
