import { identityGraphMarkdown, identityGraphMermaid } from '../../lib/authorization/identity-graph';
import { istioPrincipal } from '../../lib/authorization/principal';
import { workloadIdentity } from '../../lib/identity';

describe('istioPrincipal', () => {
  test('is the SPIFFE ID without its scheme', () => {
    expect(istioPrincipal(workloadIdentity('corp.example', 'team-a', 'api'))).toBe('corp.example/ns/team-a/sa/api');
  });

  test.each([
    ['a wildcard', 'spiffe://corp.example/ns/*/sa/api', /must use only letters, digits/],
    ['a bare trust domain', 'spiffe://corp.example', /must name one workload/],
    ['no scheme', 'corp.example/ns/a/sa/b', /must start with the scheme "spiffe:\/\/"/],
  ])('refuses %s', (_, spiffeId, message) => {
    const identity = { ...workloadIdentity('corp.example', 'a', 'b'), spiffeId };
    expect(() => istioPrincipal(identity)).toThrow(message);
  });
});

describe('the identity graph as Mermaid', () => {
  const graph = {
    nodes: [
      { id: 'ingress', namespace: 'istio-system', serviceAccount: 'gw', spiffeId: 'spiffe://td/ns/istio-system/sa/gw' },
      { id: 'shop/web', namespace: 'shop', serviceAccount: 'web', spiffeId: 'spiffe://td/ns/shop/sa/web' },
      { id: 'shop/audit', namespace: 'shop', serviceAccount: 'audit', spiffeId: 'spiffe://td/ns/shop/sa/audit' },
    ],
    edges: [{ from: 'ingress', to: 'shop/web' }],
  };

  test('has a subgraph per namespace, nodes labelled with their SPIFFE IDs, one arrow per edge', () => {
    expect(identityGraphMermaid(graph)).toBe(
      [
        'flowchart LR',
        '  subgraph ns_istio_system["namespace istio-system"]',
        '    n0["ingress<br/>spiffe://td/ns/istio-system/sa/gw"]',
        '  end',
        '  subgraph ns_shop["namespace shop"]',
        '    n1["shop/web<br/>spiffe://td/ns/shop/sa/web"]',
        '    n2["shop/audit<br/>spiffe://td/ns/shop/sa/audit"]',
        '  end',
        '  n0 --> n1',
        '',
      ].join('\n'),
    );
  });

  test('the Markdown file names the services nobody may call', () => {
    expect(identityGraphMarkdown(graph)).toContain('```mermaid\nflowchart LR\n');
    expect(identityGraphMarkdown(graph)).toContain('No caller declared (unreachable): shop/audit.');
  });
});
