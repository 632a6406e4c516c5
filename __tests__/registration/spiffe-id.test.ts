import { parseSpiffeId, SPIFFE_ID_MAX_BYTES } from '../../lib/registration/spiffe-id';

describe('a valid SPIFFE ID', () => {
  test.each([
    ['spiffe://example.org/ns/default/sa/bookinfo-details', 'example.org', '/ns/default/sa/bookinfo-details'],
    ['spiffe://my_td-1.example/A.b_c-9', 'my_td-1.example', '/A.b_c-9'],
    ['spiffe://example.org', 'example.org', ''],
  ])('%s parses into trust domain and path', (id, trustDomain, path) => {
    expect(parseSpiffeId('id', id)).toEqual({ trustDomain, path, text: id });
  });

  test(`of exactly ${SPIFFE_ID_MAX_BYTES} bytes is accepted`, () => {
    const id = `spiffe://example.org/${'a'.repeat(SPIFFE_ID_MAX_BYTES - 'spiffe://example.org/'.length)}`;
    expect(parseSpiffeId('id', id).text).toHaveLength(SPIFFE_ID_MAX_BYTES);
  });
});

describe('an invalid SPIFFE ID names the field, the value and the rule', () => {
  test.each<[string, string, string]>([
    ['no scheme', 'example.org/ns/a', 'must start with the scheme "spiffe://" (lowercase)'],
    ['another scheme', 'https://example.org/ns/a', 'must start with the scheme "spiffe://"'],
    ['uppercase scheme', 'SPIFFE://example.org/ns/a', 'must start with the scheme "spiffe://"'],
    ['empty trust domain', 'spiffe:///ns/a', 'must name a trust domain after "spiffe://"'],
    ['uppercase trust domain', 'spiffe://Example.org/ns/a', 'trust domain must use only lowercase letters, digits, ".", "-" and "_"'],
    ['trust domain with a bad character', 'spiffe://exa$mple.org/ns/a', 'trust domain must use only lowercase letters'],
    ['port', 'spiffe://example.org:8443/ns/a', 'must not have a port in the trust domain'],
    ['user info', 'spiffe://admin@example.org/ns/a', 'must not have user info ("@") in the trust domain'],
    ['query', 'spiffe://example.org/ns/a?x=1', 'must not have a query ("?")'],
    ['fragment', 'spiffe://example.org/ns/a#x', 'must not have a fragment ("#")'],
    ['empty segment', 'spiffe://example.org/ns//a', 'path segments must not be empty'],
    ['trailing slash', 'spiffe://example.org/ns/a/', 'path segments must not be empty (no "//" and no trailing "/")'],
    ['dot segment', 'spiffe://example.org/ns/./a', 'path segments must not be "." or ".."'],
    ['dot-dot segment', 'spiffe://example.org/ns/../a', 'path segments must not be "." or ".."'],
    ['percent-encoding', 'spiffe://example.org/ns/a%20b', "path segment 'a%20b' must use only letters, digits"],
    ['space in path', 'spiffe://example.org/ns/a b', "path segment 'a b' must use only letters, digits"],
  ])('%s', (_, id, rule) => {
    expect(() => parseSpiffeId("entry 'x' spiffeId", id)).toThrow(`entry 'x' spiffeId: '${id}' ${rule}`);
  });

  test(`longer than ${SPIFFE_ID_MAX_BYTES} bytes (counted in UTF-8 bytes, not characters)`, () => {
    const id = `spiffe://example.org/${'a'.repeat(SPIFFE_ID_MAX_BYTES)}`;
    expect(() => parseSpiffeId('id', id)).toThrow(/must be at most 2048 bytes \(SPIFFE ID spec\)/);
  });
});
