import { HclBody, HclValue } from '../../lib/spire/hcl';

/**
 * What `@cdktf/hcl2json` returns for a body, derived from the model alone: a block becomes
 * a list of bodies, nested under one key per label; attributes keep their values.
 */
export function expectedJson(body: HclBody): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(body.attributes as Record<string, HclValue>) };
  for (const block of body.blocks ?? []) {
    let node = out;
    const keys = [block.type, ...(block.labels ?? [])];
    keys.slice(0, -1).forEach((key) => {
      node[key] = node[key] ?? {};
      node = node[key] as Record<string, unknown>;
    });
    const last = keys[keys.length - 1];
    node[last] = [...((node[last] as unknown[]) ?? []), expectedJson(block)];
  }
  return out;
}
