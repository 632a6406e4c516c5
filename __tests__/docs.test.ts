import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { resolveMeshConfig } from '../lib/config/load';
import { DEFAULT_CONFIG } from '../lib/config/mesh-config';

const README = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

/** Every leaf key path of the config, as the README names it (`spire.server.caTtl`). */
function leafKeys(value: unknown, prefix = ''): string[] {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([k, v]) => leafKeys(v, prefix ? `${prefix}.${k}` : k));
  }
  return [prefix];
}

test('the README configuration table documents every config key', () => {
  const documented = new Set([...README.matchAll(/^\| `([A-Za-z0-9.]+)`/gm)].map((m) => m[1]));
  const bookinfoImages = /`bookinfo\.images\.detailsV1` … `productpageV1`/.test(README);
  const missing = leafKeys(DEFAULT_CONFIG).filter((key) => !documented.has(key) && !(bookinfoImages && key.startsWith('bookinfo.images.')));
  expect(missing).toEqual([]);
});

test('the README example configuration is valid', () => {
  const example = /```yaml\n# spire-mesh\.config\.yaml\n([\s\S]*?)```/.exec(README);
  expect(example).not.toBeNull();
  const config = resolveMeshConfig(YAML.parse(example![1]), 'README example');
  expect(config.trustDomain).not.toBe(DEFAULT_CONFIG.trustDomain);
});
