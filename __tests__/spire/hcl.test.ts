import { parse } from '../support/hcl';
import { HclBody, renderHcl } from '../../lib/spire/hcl';
import { expectedJson } from './hcl-json';

describe('renderHcl', () => {
  test('a model with blocks, labels, lists, maps, numbers and booleans parses back to the same values', async () => {
    // GIVEN a body using every construct the renderer supports
    const body: HclBody = {
      attributes: { name: 'value', port: 8081, enabled: false },
      blocks: [
        {
          type: 'server',
          attributes: { list: ['a', 'b'], empty_list: [], nested: { 'cluster-a': { keys: ['x'], count: 2 } } },
          blocks: [{ type: 'ca_subject', attributes: { country: ['US'] } }],
        },
        { type: 'Plugin', labels: ['one'], attributes: { on: true } },
        { type: 'Plugin', labels: ['two'] },
      ],
    };
    // WHEN it is rendered and parsed by an HCL parser
    const parsed = await parse('test.conf', renderHcl(body, 'test.conf'));
    // THEN the parser reads the model back
    expect(parsed).toEqual(expectedJson(body));
  });

  test.each([
    ['a double quote', 'say "hi"'],
    ['a backslash', 'C:\\path\\to'],
    ['a backslash before a quote', 'end\\"'],
    ['a trailing backslash', 'dir\\'],
    ['a lone dollar and percent', '$5 is 100% $ {x} % {y}'],
    ['non-ASCII text', 'Zürich — 東京'],
  ])('a string with %s round-trips unchanged', async (_, value) => {
    // GIVEN a string that needs escaping, as attribute, list item, map key and block label
    const body: HclBody = {
      attributes: { value, list: [value], map: { [value]: value } },
      blocks: [{ type: 'block', labels: [value] }],
    };
    // WHEN rendered and parsed
    const parsed = await parse('test.conf', renderHcl(body, 'test.conf'));
    // THEN every occurrence reads back exactly
    expect(parsed).toEqual(expectedJson(body));
    expect(parsed.value).toBe(value);
  });

  test.each([
    ['a newline', 'line1\nline2', /control characters/],
    ['a tab', 'a\tb', /control characters/],
    ['a NUL', 'a\u0000b', /control characters/],
    ['a DEL', 'a\u007fb', /control characters/],
    ['an HCL 2 interpolation', 'a ${var.x}', /"\$\{" or "%\{"/],
    ['an HCL 2 directive', '%{ if true }x%{ endif }', /"\$\{" or "%\{"/],
  ])('refuses a string with %s, naming the key path and the value', (_, value, rule) => {
    // GIVEN a value nested in a labelled block and a map
    const body: HclBody = {
      blocks: [{ type: 'plugins', blocks: [{ type: 'Notifier', labels: ['k8sbundle'], attributes: { data: { key: [value] } } }] }],
    };
    // WHEN rendered THEN it throws naming file, path, value and rule
    expect(() => renderHcl(body, 'server.conf')).toThrow(rule);
    expect(() => renderHcl(body, 'server.conf')).toThrow('server.conf plugins.Notifier "k8sbundle".data["key"][0]');
    expect(() => renderHcl(body, 'server.conf')).toThrow(JSON.stringify(value).slice(1, 4));
  });

  test('refuses an unrepresentable label and a map key, naming where they are', () => {
    expect(() => renderHcl({ blocks: [{ type: 'b', labels: ['${x}'] }] }, 'a.conf')).toThrow(/a\.conf b "\$\{x\}" \(label 0\)/);
    expect(() => renderHcl({ attributes: { m: { 'a\nb': 1 } } }, 'a.conf')).toThrow(/a\.conf m\["a\\nb"\].*control characters/);
  });

  test('refuses attribute and block names that are not identifiers', () => {
    expect(() => renderHcl({ attributes: { 'bad key': 'x' } }, 'a.conf')).toThrow(/a\.conf bad key: 'bad key' must be an HCL identifier/);
    expect(() => renderHcl({ blocks: [{ type: 'a-b' }] }, 'a.conf')).toThrow(/must be an HCL identifier/);
  });

  test('refuses numbers that HCL 1 and HCL 2 would read differently', () => {
    expect(() => renderHcl({ attributes: { n: 1.5 } }, 'a.conf')).toThrow(/a\.conf n: 1\.5 must be a safe integer/);
    expect(() => renderHcl({ attributes: { n: Number.NaN } }, 'a.conf')).toThrow(/must be a safe integer/);
  });
});
