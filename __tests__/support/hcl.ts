import * as v8 from 'v8';

/**
 * `@cdktf/hcl2json`'s parser: HashiCorp's HCL in Go, compiled to ~10 MB of WebAssembly that is
 * compiled again in every test file that loads it. V8's optimising tier (TurboFan, on background
 * threads) then costs ~0.7 s of CPU per file for a parser that runs a few times; the baseline
 * compiler alone (Liftoff) parses the same, at a third of the cost. Set before the module loads.
 */
v8.setFlagsFromString('--liftoff-only');
// Typed here: the package's own types reference the DOM library, which would make the type check
// of the whole project load lib.dom.d.ts (~1 MB) for this one function.
const hcl2json: { parse(filename: string, contents: string): Promise<Record<string, any>> } = require('@cdktf/hcl2json');

/** Parses HCL text as hcl2json does: blocks become lists of bodies, nested by label. */
export const parse = hcl2json.parse;
