import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { Manifest } from '../support/schema';
import { registeredEntries, synthesize } from '../support/synth';
import { allowed, principalOf, reachability } from './reachability';

const ROOT = 'istio-system';
const GATEWAY_SA = 'istio-ingressgateway-service-account';
const IMAGE = (name: string) => `ghcr.io/example/${name}:1.0.0`;

/** bookinfo's call graph, as the issue states it. */
const BOOKINFO_EDGES = (ns: string) => [
  `ingress -> ${ns}/productpage`,
  `${ns}/productpage -> ${ns}/details`,
  `${ns}/productpage -> ${ns}/reviews`,
  `${ns}/reviews -> ${ns}/ratings`,
];

/** bookinfo plus services of the user's own in two namespaces, one of them called by nobody. */
const CUSTOM = {
  trustDomain: 'corp.example',
  services: [
    { name: 'web', namespace: 'shop', port: 8080, image: IMAGE('web'), callers: ['ingress'], route: { hosts: ['shop.example.com'] } },
    { name: 'cart', namespace: 'shop', port: 8080, servicePort: 80, image: IMAGE('cart'), callers: ['web'] },
    {
      name: 'payments',
      namespace: 'billing',
      port: 9000,
      protocol: 'grpc',
      versions: [
        { name: 'v1', image: IMAGE('payments') },
        { name: 'v2', image: IMAGE('payments-next') },
      ],
      callers: ['shop/cart', 'default/productpage'],
    },
    { name: 'audit', namespace: 'billing', port: 8080, image: IMAGE('audit') },
  ],
};
const CUSTOM_EDGES = [
  ...BOOKINFO_EDGES('default'),
  'ingress -> shop/web',
  'shop/web -> shop/cart',
  'shop/cart -> billing/payments',
  'default/productpage -> billing/payments',
];

const sorted = (edges: Iterable<string>) => [...edges].sort();

describe.each([
  ['bookinfo', {}, BOOKINFO_EDGES('default')],
  ['bookinfo in two namespaces', { bookinfo: { namespaces: ['default', 'team-a'] } }, [...BOOKINFO_EDGES('default'), ...BOOKINFO_EDGES('team-a')]],
  ['bookinfo and services of the user in two namespaces', CUSTOM, CUSTOM_EDGES],
  [
    'bookinfo with ratings declared as a caller of details (the failure demo, fixed)',
    { bookinfo: { extraCallers: { details: ['ratings'] } } },
    [...BOOKINFO_EDGES('default'), 'default/ratings -> default/details'],
  ],
])('%s: the AuthorizationPolicies admit exactly the declared edges', (_, overrides, expected) => {
  const { all } = synthesize(overrides);

  test('the reachability matrix equals the declared edges, neither more nor less', () => {
    expect(sorted(reachability(all, ROOT, GATEWAY_SA))).toEqual(sorted(expected));
  });

  const registered: string[] = registeredEntries(all).map((e) => principalOf(e.spiffe_id));

  test('every principal is the SPIFFE ID, without its scheme, of a registration entry; none is a wildcard', () => {
    const principals = (all as (Manifest & Record<string, any>)[])
      .filter((m) => m.kind === 'AuthorizationPolicy')
      .flatMap((p) => (p.spec.rules ?? []).flatMap((r: any) => r.from.flatMap((f: any) => f.source.principals)));
    expect(principals.length).toBeGreaterThan(0);
    for (const p of principals) {
      expect(registered).toContain(p);
      expect(p).not.toContain('*');
    }
  });

  test('a namespace the mesh created allows nothing by default: a pod nobody declared there is unreachable from every identity', () => {
    const created = new Set(all.filter((m) => m.kind === 'Namespace').map((m) => m.metadata.name));
    const namespaces = [...new Set(all.filter((m) => m.kind === 'Deployment').map((m) => m.metadata.namespace!))].filter((ns) => created.has(ns));
    for (const namespace of namespaces) {
      for (const principal of registered) expect(allowed(all, ROOT, { principal }, { namespace, labels: { app: 'stranger' } })).toBe(false);
    }
  });

  test('a namespace the mesh did not create (default) keeps its other workloads reachable: no deny-by-default cuts them off', () => {
    expect(all.some((m) => m.kind === 'Deployment' && m.metadata.namespace === 'default')).toBe(true);
    expect(all.filter((m) => m.kind === 'AuthorizationPolicy' && m.metadata.namespace === 'default' && !(m as any).spec.selector)).toEqual([]);
    for (const principal of registered) expect(allowed(all, ROOT, { principal }, { namespace: 'default', labels: { app: 'stranger' } })).toBe(true);
  });
});

test('a service with no callers is unreachable from every identity', () => {
  const edges = reachability(synthesize(CUSTOM).all, ROOT, GATEWAY_SA);
  expect([...edges].filter((e) => e.endsWith('-> billing/audit'))).toEqual([]);
});

test("with authorization.mode 'off' no AuthorizationPolicy is written, and every identity reaches every service", () => {
  const { all } = synthesize({ authorization: { mode: 'off' } });
  expect(all.filter((m) => m.kind === 'AuthorizationPolicy')).toEqual([]);
  expect(reachability(all, ROOT, GATEWAY_SA).size).toBe(5 * 4);
});

describe('the evaluator follows Istio precedence', () => {
  const policy = (namespace: string, spec: Record<string, unknown>, name = 'p'): Manifest =>
    ({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name, namespace }, spec }) as Manifest;
  const caller = { principal: 'td/ns/a/sa/client' };
  const workload = { namespace: 'b', labels: { app: 'server' } };
  const allowClient = { selector: { matchLabels: { app: 'server' } }, rules: [{ from: [{ source: { principals: ['td/ns/a/sa/client'] } }] }] };

  test('no policy allows; an allow-nothing policy denies; a matching ALLOW allows', () => {
    expect(allowed([], ROOT, caller, workload)).toBe(true);
    expect(allowed([policy('b', {})], ROOT, caller, workload)).toBe(false);
    expect(allowed([policy('b', {}), policy('b', allowClient, 'allow')], ROOT, caller, workload)).toBe(true);
  });

  test('a DENY wins over an ALLOW', () => {
    const deny = policy('b', { action: 'DENY', rules: [{ from: [{ source: { namespaces: ['a'] } }] }] }, 'deny');
    expect(allowed([policy('b', allowClient, 'allow'), deny], ROOT, caller, workload)).toBe(false);
  });

  test('a selector that does not match leaves the workload alone; another namespace does not apply', () => {
    const other = { ...allowClient, selector: { matchLabels: { app: 'other' } } };
    expect(allowed([policy('b', other)], ROOT, { principal: 'td/ns/x/sa/y' }, workload)).toBe(true);
    expect(allowed([policy('c', {})], ROOT, caller, workload)).toBe(true);
  });

  test('a root-namespace policy applies in every namespace', () => {
    expect(allowed([policy(ROOT, {})], ROOT, caller, workload)).toBe(false);
    expect(allowed([policy(ROOT, { action: 'DENY', rules: [{}] })], ROOT, caller, workload)).toBe(false);
  });

  test('an empty principals list is no constraint: anyone matches (why it is never written)', () => {
    expect(allowed([policy('b', { rules: [{ from: [{ source: {} }] }] })], ROOT, { principal: 'td/ns/z/sa/anyone' }, workload)).toBe(true);
  });
});

test("the README's example config (bookinfo and two services of the user's own) admits exactly its declared edges", () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const example = YAML.parse(/```yaml\n# spire-mesh\.config\.yaml\n([\s\S]*?)```/.exec(readme)![1]);
  const declared = (example.services as { name: string; namespace: string; callers?: string[] }[]).flatMap((s) =>
    (s.callers ?? []).map((c) => `${c === 'ingress' || c.includes('/') ? c : `${s.namespace}/${c}`} -> ${s.namespace}/${s.name}`),
  );
  expect(example.services).toHaveLength(2);
  expect(sorted(reachability(synthesize(example).all, ROOT, GATEWAY_SA))).toEqual(sorted([...BOOKINFO_EDGES('default'), ...declared]));
});

test('kubelet probes stay outside the policies: every meshed app probe is an HTTP probe, which Istio rewrites to its agent', () => {
  // The injector rewrites httpGet probes to pilot-agent on 15020 (never captured); the agent
  // calls the app from 127.0.0.6, which iptables lets past the inbound proxy. A probe of
  // another kind would not be rewritten this way.
  const { all } = synthesize(CUSTOM);
  const meshed = (all as (Manifest & Record<string, any>)[]).filter(
    (m) => m.kind === 'Deployment' && m.spec.template.metadata.labels?.['sidecar.istio.io/inject'] === 'true',
  );
  expect(meshed.length).toBeGreaterThan(0);
  for (const d of meshed) {
    for (const c of d.spec.template.spec.containers) {
      for (const probe of [c.startupProbe, c.readinessProbe, c.livenessProbe].filter(Boolean)) expect(Object.keys(probe)).toContain('httpGet');
    }
  }
});
