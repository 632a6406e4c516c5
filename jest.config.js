/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // V8's compiled code of each module reused by the next test files of a worker (see the file).
  runtime: '<rootDir>/__tests__/support/code-cache-runtime.js',
  // The default mesh synthesized once per run into a temporary dist/ (see the file).
  globalSetup: '<rootDir>/__tests__/support/global-setup.js',
  globalTeardown: '<rootDir>/__tests__/support/global-teardown.js',
  roots: ['<rootDir>/__tests__', '<rootDir>/examples'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // A snapshot, where a test keeps one, is a reviewed diff: never let CI write a missing one.
  ci: process.env.CI === 'true',
  // jest's default is one worker fewer than the cores: on the 2-core machines this project
  // targets that runs every file in series. Two workers halve the wall time.
  maxWorkers: 2,
  // Synths and spawned tools take far longer than jest's 5 s default when other processes share
  // the two cores; no test measures speed (bench/ does), so only a hang should time out.
  testTimeout: 30_000,
  // The CLI's cases run as one concurrent group, and its deadline cases mostly wait for their
  // --timeout to run out: 16 at once lets those waits overlap the other cases' work instead of
  // queueing behind jest's default of 5. Cases that spawn scripts bound their own parallelism
  // (register-entries.test.ts runs one script per core).
  maxConcurrency: 16,
};
