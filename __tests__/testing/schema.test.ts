import { Manifest, podSpecProblems, schemaProblems } from '../support/schema';

/**
 * The schema check is what makes "every object passes its schema" mean something: if it
 * accepted everything, every schema test would pass. These prove it rejects what it must.
 */
const deployment = (container: Record<string, unknown>): Manifest => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd' },
  spec: { selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [container] } } },
});

test('a valid built-in object and a valid Istio object pass', () => {
  expect(
    schemaProblems([
      deployment({ name: 'c', image: 'ghcr.io/x/y:1', ports: [{ containerPort: 80 }] }),
      { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default' }, spec: { mtls: { mode: 'STRICT' } } },
    ]),
  ).toEqual([]);
});

test('a field the Kubernetes schema does not define is refused, with its path', () => {
  expect(schemaProblems([deployment({ name: 'c', image: 'ghcr.io/x/y:1', mountPropagaton: 'Bidirectional' })])).toEqual([
    'Deployment/d: /spec/template/spec/containers/0/mountPropagaton: field is not defined by the Deployment schema',
  ]);
});

test('a wrong type or a missing required field in a built-in object is refused', () => {
  expect(schemaProblems([deployment({ name: 'c', ports: [{ containerPort: '80' }] })]).join('\n')).toMatch(/containerPort must be integer/);
  expect(podSpecProblems({ containers: [{ image: 'ghcr.io/x/y:1' }] }).join('\n')).toMatch(/containers\/0 must have required property name/);
});

test('an unknown field or a bad enum value in an Istio object is refused', () => {
  const problems = schemaProblems([
    { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'p' }, spec: { mtls: { mode: 'STRICTER', extra: true } } },
  ]);
  expect(problems).toContain("PeerAuthentication/p: /spec/mtls must NOT have additional properties 'extra'");
  expect(problems.join('\n')).toMatch(/\/spec\/mtls\/mode must be equal to one of the allowed values/);
});

test('a kind without a schema is reported, not passed', () => {
  expect(schemaProblems([{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }])).toEqual([
    'Widget/w: no Kubernetes schema for example.com/v1 Widget',
  ]);
});
