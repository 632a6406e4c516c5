import { parse } from '../support/hcl';
import { Manifest } from '../support/schema';

/**
 * Every leaf of the manifests as `Kind/name.path.to.leaf` → value. `*.conf` entries of
 * ConfigMaps are parsed as HCL and flattened too, so a change inside a SPIRE config shows
 * as the one key it touches.
 */
export async function flatten(manifests: readonly Manifest[]): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  const walk = async (value: unknown, at: string): Promise<void> => {
    if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) await walk(item, `${at}[${i}]`);
    } else if (value && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) await walk(item, `${at}.${key}`);
    } else if (typeof value === 'string' && at.endsWith('.conf')) {
      await walk(await parse(at, value), at);
    } else {
      out.set(at, value);
    }
  };
  for (const m of manifests) await walk(m, `${m.kind}/${m.metadata.name}`);
  return out;
}

/** The leaf paths whose values differ between two flattened outputs (present in one only included). */
export function differingPaths(a: Map<string, unknown>, b: Map<string, unknown>): string[] {
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys].filter((k) => a.get(k) !== b.get(k) || a.has(k) !== b.has(k)).sort();
}
