import * as fs from 'fs';
import * as path from 'path';

// Reads SPIRE's reference configurations (server_full.conf, agent_full.conf) for the keys they document.

export const REFERENCE_DIR = path.join(__dirname, 'reference', 'spire-1.15.3');

/** The keys a SPIRE reference file documents: per plugin (`Type "name"`), and everything outside plugins. */
export interface ReferenceKeys {
  readonly plugins: ReadonlyMap<string, ReadonlySet<string>>;
  readonly core: ReadonlySet<string>;
}

/**
 * Reads keys from the reference file, commented-out ones included (most options are
 * documented commented out): `key =`, `key {` and `Type "name" {` at the start of a line,
 * after any number of `#`. A plugin's keys are those between its header and the next one.
 */
export function referenceKeys(file: string): ReferenceKeys {
  const plugins = new Map<string, Set<string>>();
  const core = new Set<string>();
  let current: Set<string> = core;
  for (const line of fs.readFileSync(path.join(REFERENCE_DIR, file), 'utf8').split('\n')) {
    const stripped = line.replace(/^\s*(#\s*)*/, '');
    // Plugin names may hold "-" (UpstreamAuthority "cert-manager").
    const plugin = /^([A-Z]\w*)\s+"([\w-]+)"\s*\{/.exec(stripped);
    if (plugin) {
      current = new Set();
      plugins.set(`${plugin[1]} "${plugin[2]}"`, current);
      continue;
    }
    // A top-level block after `plugins { … }` (telemetry, health_checks) is core again.
    if (/^#?\s*[a-z_]+\s*\{/.test(line) && !/^\s/.test(line)) current = core;
    const key = /^([a-z_][a-z0-9_]*)\s*(=|\{)/.exec(stripped);
    if (key) current.add(key[1]);
  }
  return { plugins, core };
}

/** Keys of a parsed body; the values of `clusters` are maps keyed by a cluster name (data), whose own keys count. */
function keysOf(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => keysOf(v, out));
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      out.add(key);
      if (key === 'clusters') Object.values(inner as object).forEach((v) => keysOf(v, out));
      else keysOf(inner, out);
    }
  }
  return out;
}

/** Every block, key and plugin of a parsed conf that the reference does not document. */
export function unknownKeys(parsed: Record<string, unknown>, reference: ReferenceKeys): string[] {
  const unknown: string[] = [];
  for (const [block, bodies] of Object.entries(parsed)) {
    if (block !== 'plugins') {
      for (const key of [block, ...keysOf(bodies)]) if (!reference.core.has(key)) unknown.push(key);
      continue;
    }
    for (const body of bodies as Record<string, Record<string, unknown>>[]) {
      for (const [type, byName] of Object.entries(body)) {
        for (const [name, pluginBodies] of Object.entries(byName)) {
          const plugin = `${type} "${name}"`;
          const keys = reference.plugins.get(plugin);
          if (!keys) {
            unknown.push(plugin);
            continue;
          }
          for (const key of keysOf(pluginBodies)) if (key !== 'plugin_data' && !keys.has(key)) unknown.push(`${plugin} ${key}`);
        }
      }
    }
  }
  return unknown;
}
