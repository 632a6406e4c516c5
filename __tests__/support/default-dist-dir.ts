import * as path from 'path';
const { DEFAULT_DIST_ENV } = require('./default-dist') as { DEFAULT_DIST_ENV: string };

/**
 * The default mesh's dist/ (no config file, every default), which jest's globalSetup
 * (default-dist.js) synthesized for this run. Read it, never write it: copy it first.
 */
export function defaultDistDir(): string {
  const dir = process.env[DEFAULT_DIST_ENV];
  if (!dir) throw new Error(`${DEFAULT_DIST_ENV} is not set: run the tests with jest.config.js (its globalSetup synthesizes the default mesh)`);
  return path.join(dir, 'dist');
}
