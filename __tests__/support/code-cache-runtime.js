'use strict';
/**
 * jest's module runtime, compiling each module with V8's code cache shared by the test files a
 * worker runs. jest 30 compiles every module anew in every test file (vm.compileFunction, no
 * cache), so the same cdk8s, cdk8s-plus-25, validators and jest internals were parsed and their
 * functions compiled once per file: measured ~2.5 s of the suite's CPU. Modules still run anew
 * in each file's own context, as before; only V8's compiled code is reused. The cache is made
 * when a file ends, so it holds the functions that file compiled lazily too.
 *
 * Plain JavaScript: jest loads a runtime without transforming it. Set as `runtime` in
 * jest.config.js; it replaces the executor's `compile` (jest-runtime 30, pinned in package.json).
 */
const vm = require('vm');
const Runtime = require('jest-runtime').default;

/** Per worker process: the wrapped source of each module and its code cache, by file name. */
const codeCache = new Map();

class CodeCacheRuntime extends Runtime {
  constructor(config, environment, ...rest) {
    super(config, environment, ...rest);
    const executor = this.executor;
    if (typeof executor?.compile !== 'function' || !Array.isArray(executor.injectedModuleParameters)) {
      throw new Error('code-cache-runtime.js: jest-runtime no longer has executor.compile; update this file or drop `runtime` from jest.config.js');
    }
    /** Modules compiled without a usable cache during this test file. */
    this.uncached = [];
    executor.compile = (source, filename) => {
      const context = environment.getVmContext();
      if (context == null) return null;
      // The same parameters jest's compileFunction gets, on the first line: line numbers are unchanged.
      const wrapped = `(function (${executor.injectedModuleParameters.join(', ')}) {${source}\n})`;
      const cached = codeCache.get(filename);
      const cachedData = cached && cached.wrapped === wrapped ? cached.data : undefined;
      const script = new vm.Script(wrapped, { filename, cachedData });
      if (cachedData === undefined || script.cachedDataRejected) this.uncached.push({ filename, wrapped, script });
      return script.runInContext(context);
    };
  }

  teardown() {
    for (const { filename, wrapped, script } of this.uncached.splice(0)) {
      codeCache.set(filename, { wrapped, data: script.createCachedData() });
    }
    super.teardown();
  }
}

module.exports = CodeCacheRuntime;
module.exports.default = CodeCacheRuntime;
