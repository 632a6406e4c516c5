import { checkNoDuplicateEntries, ENTRY_ID_PREFIX, RegistrationEntry, spireEntriesJson } from '../../lib/registration/entry';

const ID = 'spiffe://example.org/ns/default/sa/details';
const PARENT = 'spiffe://example.org/k8s-cluster/demo';
const base = { spiffeId: ID, parentId: PARENT, selectors: ['k8s:ns:default', 'k8s:sa:details'] };

test('serialises to SPIRE\'s -data JSON, optional fields only when set', () => {
  // GIVEN an entry with every optional field
  const full = new RegistrationEntry({ ...base, x509SvidTtl: 600, jwtSvidTtl: 300, dnsNames: ['details.default.svc'], admin: true, downstream: true });
  // THEN spiffe_id and parent_id are strings, selectors {type,value}, names as SPIRE's JSON tags
  expect(spireEntriesJson([new RegistrationEntry(base), full])).toEqual({
    entries: [
      {
        entry_id: new RegistrationEntry(base).entryId,
        spiffe_id: ID,
        parent_id: PARENT,
        selectors: [{ type: 'k8s', value: 'ns:default' }, { type: 'k8s', value: 'sa:details' }],
      },
      {
        entry_id: full.entryId,
        spiffe_id: ID,
        parent_id: PARENT,
        selectors: [{ type: 'k8s', value: 'ns:default' }, { type: 'k8s', value: 'sa:details' }],
        x509_svid_ttl: 600,
        jwt_svid_ttl: 300,
        dns_names: ['details.default.svc'],
        admin: true,
        downstream: true,
      },
    ],
  });
});

test.each<[string, object, string]>([
  ['bad SPIFFE ID', { spiffeId: 'spiffe://example.org/ns//x' }, "entry 'spiffe://example.org/ns//x' spiffeId: 'spiffe://example.org/ns//x' path segments must not be empty"],
  ['no path', { spiffeId: 'spiffe://example.org' }, "entry 'spiffe://example.org' spiffeId: 'spiffe://example.org' must have a path"],
  ['bad parent', { parentId: 'spiffe://example.org:1/x' }, `entry '${ID}' parentId: 'spiffe://example.org:1/x' must not have a port`],
  ['parent is itself', { parentId: ID }, `entry '${ID}' parentId: '${ID}' must differ from the entry's own SPIFFE ID`],
  ['no selector', { selectors: [] }, `entry '${ID}' selectors: [] must list at least one selector`],
  ['unknown selector type', { selectors: ['k8s:ns:default', 'pod:sa:x'] }, `entry '${ID}' selectors[1]: 'pod:sa:x' has unknown selector type 'pod'`],
  ['repeated selector', { selectors: ['k8s:ns:default', 'k8s:ns:default'] }, `entry '${ID}' selectors: 'k8s:ns:default' is listed twice`],
  ['zero TTL', { x509SvidTtl: 0 }, `entry '${ID}' x509SvidTtl: 0 must be a whole number of seconds between 1 and 2147483647`],
  ['fractional TTL', { jwtSvidTtl: 1.5 }, `entry '${ID}' jwtSvidTtl: 1.5 must be a whole number of seconds`],
  ['bad DNS name', { dnsNames: ['Details'] }, `entry '${ID}' dnsNames[0]: 'Details' must be a DNS-1123 subdomain`],
])('an invalid entry (%s) names the entry and the rule', (_, override, message) => {
  expect(() => new RegistrationEntry({ ...base, ...override })).toThrow(message);
});

describe('duplicates', () => {
  test('the same SPIFFE ID with the same selectors, in any order, is refused', () => {
    const a = new RegistrationEntry(base);
    const b = new RegistrationEntry({ ...base, selectors: ['k8s:sa:details', 'k8s:ns:default'] });
    expect(() => checkNoDuplicateEntries([a, b])).toThrow(
      `entry '${ID}': 'k8s:ns:default k8s:sa:details' is registered twice with the same SPIFFE ID and selectors`,
    );
  });

  test('the same SPIFFE ID with different selectors is allowed (SPIRE issues it to either workload)', () => {
    const a = new RegistrationEntry(base);
    const b = new RegistrationEntry({ ...base, selectors: ['k8s:ns:default', 'k8s:sa:details', 'unix:uid:1337'] });
    expect(() => checkNoDuplicateEntries([a, b])).not.toThrow();
  });
});

describe('the entry ID: the prefix this mesh owns, and a hash of the whole entry', () => {
  const id = (props: Partial<typeof base> & Record<string, unknown> = {}) => new RegistrationEntry({ ...base, ...props }).entryId;

  test('uses only the characters SPIRE 1.15 accepts in an entry ID, within its 255', () => {
    expect(id()).toMatch(new RegExp(`^${ENTRY_ID_PREFIX}[0-9a-f]{32}$`));
    expect(id()).toMatch(/^[-._A-Za-z0-9]{1,255}$/);
  });

  test('is the same for the same entry, whatever the order of its selectors', () => {
    expect(id()).toBe(id());
    expect(id({ selectors: ['k8s:sa:details', 'k8s:ns:default'] })).toBe(id());
  });

  test.each<[string, Record<string, unknown>]>([
    ['SPIFFE ID', { spiffeId: 'spiffe://example.org/ns/default/sa/ratings' }],
    ['parent', { parentId: 'spiffe://example.org/k8s-cluster/other' }],
    ['selector set', { selectors: ['k8s:ns:default', 'k8s:sa:details', 'k8s:pod-label:app:details'] }],
    ['X.509-SVID TTL', { x509SvidTtl: 600 }],
    ['JWT-SVID TTL', { jwtSvidTtl: 600 }],
    ['DNS names', { dnsNames: ['details.default.svc'] }],
    ['admin flag', { admin: true }],
    ['downstream flag', { downstream: true }],
  ])('changes with the %s, so the Job replaces the old entry', (_, change) => {
    expect(id(change)).not.toBe(id());
  });
});
