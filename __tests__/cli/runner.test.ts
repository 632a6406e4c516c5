import { clusterError } from '../../lib/cli/runner';

// What kubectl 1.32 printed on stderr, captured from real runs without a cluster (KUBECONFIG
// pointing at nothing, at a refused port, at a host that does not resolve).
const retry = (err: string) => `E1203 14:11:06.197813   18667 memcache.go:265] "Unhandled Error" err="couldn't get current server API group list: ${err}"`;
const refused = 'Get \\"http://localhost:8080/api?timeout=32s\\": dial tcp 127.0.0.1:8080: connect: connection refused';
const get = { tool: 'kubectl' as const, args: ['get', 'pods', '-n', 'spire', '-o', 'json'] };

test.each<[string, string, string]>([
  ['no kubeconfig: retries, then the summary', [...Array(5).fill(retry(refused)), 'The connection to the server localhost:8080 was refused - did you specify the right host or port?'].join('\n'),
    'The connection to the server localhost:8080 was refused - did you specify the right host or port?'],
  ['a host that does not resolve', [...Array(5).fill(retry('Get \\"https://no-such-host.invalid:6443/api?timeout=32s\\": dial tcp: lookup no-such-host.invalid on 10.255.255.53:53: no such host')), 'Unable to connect to the server: dial tcp: lookup no-such-host.invalid on 10.255.255.53:53: no such host'].join('\n'),
    'Unable to connect to the server: dial tcp: lookup no-such-host.invalid on 10.255.255.53:53: no such host'],
  ['delete -f: retries, then one line per object', [retry(refused), retry(refused), ...Array(2).fill('unable to recognize "dist/0000-namespaces.k8s.yaml": Get "http://localhost:8080/api?timeout=32s": dial tcp 127.0.0.1:8080: connect: connection refused')].join('\n'),
    'unable to recognize "dist/0000-namespaces.k8s.yaml": Get "http://localhost:8080/api?timeout=32s": dial tcp 127.0.0.1:8080: connect: connection refused'],
])('GIVEN kubectl without a cluster (%s) WHEN reading its error THEN one line says so, with its one useful line', (_name, stderr, useful) => {
  const error = clusterError(get, stderr);
  expect(error?.message).toBe(`cannot reach the cluster (kubectl get pods -n spire -o json: ${useful}); check that the cluster is reachable: kubectl cluster-info, --context and KUBECONFIG (kubectl config current-context)`);
  expect(error?.message).not.toContain('\n');
});

test('GIVEN a context KUBECONFIG lacks WHEN reading the error THEN it names the context', () => {
  expect(clusterError(get, 'error: context "kind-demo" does not exist')?.message).toMatch(/^context kind-demo not found \(kubectl get pods .*: error: context "kind-demo" does not exist\)/);
});

test.each([
  ['a node the API server cannot reach (kubectl exec)', 'error: unable to upgrade connection: error dialing backend: dial tcp 172.18.0.2:10250: i/o timeout'],
  ['a missing permission', 'Error from server (Forbidden): pods is forbidden: User "dev" cannot list resource "pods"'],
  ['a CRD that is gone', 'error: resource mapping not found for name: "default": no matches for kind "PeerAuthentication"\nensure CRDs are installed first'],
])('GIVEN %s WHEN reading the error THEN it is not called an unreachable cluster', (_name, stderr) => {
  expect(clusterError(get, stderr)).toBeUndefined();
});
