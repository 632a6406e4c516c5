import { spawn, SpawnOptions } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { INDEX_FILE, MeshIndex } from '../../lib/core/index-contract';
import { defaultDist, FAKE_BIN, fakeEnv, hungPidsAlive, run as runIn, writeCluster } from '../support/cli';
import { tempDir } from '../support/temp';

// Each case spawns up to ~40 fake tools, several at once: on a loaded 2-core machine that can
// take far longer than jest's 5 s default, though no case depends on the time it takes.
jest.setTimeout(60_000);
/** The --timeout of the hang cases: short, yet long enough for the commands before the hanging one on a loaded machine. */
const HANG_TIMEOUT = '2';

const root = path.join(__dirname, '..', '..');
// The fixture is a real synth of the default mesh, not a hand-kept copy (nor the committed dist/: that is the config of whoever runs the suite).
const { cwd, index } = defaultDist();
const cluster = writeCluster(index, ['details-v1']);
const env = (extra: Record<string, string> = {}) => fakeEnv(cluster, extra);
const run = (args: string[], e: NodeJS.ProcessEnv, heartbeatSeconds?: number) => runIn(args, e, cwd, heartbeatSeconds);

const fileOf = (chart: string) => path.join('dist', index.steps.find((s) => s.chart === chart)!.file);
const job = index.steps.flatMap((s) => s.objects).find((o) => o.kind === 'Job')!.name;
const BOOKINFO_DEPLOYMENTS = ['details-v1', 'ratings-v1', 'reviews-v1', 'reviews-v2', 'reviews-v3', 'productpage-v1'];
/** What `up` runs for each step, by chart; the order of the steps is the index's (asserted in composition-root.test.ts). */
const CALLS_BY_CHART: Record<string, string[]> = {
  namespaces: [`kubectl --context=kind-demo apply -f ${fileOf('namespaces')}`],
  spire: [
    `kubectl --context=kind-demo apply -f ${fileOf('spire')}`,
    'kubectl --context=kind-demo rollout status statefulset/spire-server -n spire --timeout=10s',
    'kubectl --context=kind-demo rollout status daemonset/spire-agent -n spire --timeout=10s',
    'kubectl --context=kind-demo rollout status daemonset/spiffe-csi-driver -n spire --timeout=10s',
  ],
  registration: [
    `kubectl --context=kind-demo apply -f ${fileOf('registration')}`,
    `kubectl --context=kind-demo wait --for=condition=complete job/${job} -n spire --timeout=10s`,
  ],
  'istio-operator': [
    `istioctl --context=kind-demo install -f ${fileOf('istio-operator')} -y`,
    'kubectl --context=kind-demo rollout status deployment/istiod -n istio-system --timeout=10s',
    'kubectl --context=kind-demo wait --for=condition=available deployment -l istio=ingressgateway -n istio-system --timeout=10s',
  ],
  'mesh-policy': [`kubectl --context=kind-demo apply -f ${fileOf('mesh-policy')}`],
  'bookinfo-default': [
    `kubectl --context=kind-demo apply -f ${fileOf('bookinfo-default')}`,
    ...BOOKINFO_DEPLOYMENTS.map((d) => `kubectl --context=kind-demo rollout status deployment/${d} -n default --timeout=10s`),
  ],
};
const UP_CALLS = ['istioctl version --remote=false --short', ...index.steps.flatMap((s) => CALLS_BY_CHART[s.chart])];

/** A copy of the synthesized dist/ whose index is `text`, for the contract cases. */
function distWithIndex(text: string): string {
  const dir = tempDir('bad-index');
  fs.cpSync(path.join(cwd, 'dist'), path.join(dir, 'dist'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'dist', INDEX_FILE), text);
  return dir;
}

// Every case is concurrent, each with its own fake tools' log and state (the CLI's only shared
// state is the set of running children), and in one group: jest runs the concurrent cases of a
// describe block together but the blocks one after another, which would leave the worker idle
// while the deadline cases wait out their --timeout.
// up
test.concurrent('GIVEN healthy tools WHEN running up THEN every step runs in index order with waits, printing [n/N] and elapsed time', async () => {
  const result = await run(['up', '--context', 'kind-demo'], env());
  expect(result.err).toBe('');
  expect(result.code).toBe(0);
  expect(result.calls).toEqual(UP_CALLS);
  expect(result.out).toMatch(/^\[1\/10\] apply /m);
  expect(result.out).toMatch(/^\[\d+\/10\] install Istio/m);
  expect(result.out).toMatch(/^\[10\/10\] /m);
  expect(result.out).toMatch(/done in \d+\.\ds/);
  expect(result.out).toContain('npm run mesh -- forward');
});

test.concurrent('GIVEN an agent DaemonSet not ready at first WHEN running up THEN it shows it is waiting and polls again', async () => {
  const result = await run(['up'], env({ FAKE_NOT_READY_ONCE: 'daemonset/spire-agent' }));
  expect(result.code).toBe(0);
  expect(result.calls.filter((c) => c.includes('rollout status daemonset/spire-agent'))).toHaveLength(2);
  expect(result.out).toMatch(/… daemonset\/spire-agent in spire not ready yet \(\d+\.\ds\)/);
});

test.concurrent('GIVEN a Job that never completes WHEN the wait budget is spent THEN up fails naming the step, the wait and the Job log', async () => {
  const result = await run(['up', '--timeout', '12', '--poll', '4'], env({ FAKE_TIMEOUT: 'job/spire-registration' }));
  expect(result.code).toBe(1);
  expect(result.calls.filter((c) => c.includes('wait --for=condition=complete')).length).toBeLessThanOrEqual(3);
  expect(result.calls.some((c) => c.startsWith('istioctl install'))).toBe(false);
  expect(result.err).toMatch(new RegExp(`✗ \\[\\d+/10\\] wait for registration: job/${job} failed after`));
  expect(result.err).toMatch(new RegExp(`job/${job} in spire not ready after \\d attempts?`));
  expect(result.err).toContain(`kubectl -n spire logs job/${job} --all-containers`);
});

test.concurrent('GIVEN a failing istioctl install WHEN running up THEN it stops there, showing the command, its error and a hint', async () => {
  const result = await run(['up'], env({ FAKE_FAIL: 'install -f', FAKE_FAIL_MESSAGE: 'Error: failed to install manifests: webhook timed out' }));
  expect(result.code).toBe(1);
  expect(result.calls[result.calls.length - 1]).toBe(`istioctl install -f ${fileOf('istio-operator')} -y`);
  expect(result.err).toMatch(/✗ \[\d+\/10\] install Istio/);
  expect(result.err).toContain(`command: istioctl install -f ${fileOf('istio-operator')} -y`);
  expect(result.err).toContain('Error: failed to install manifests: webhook timed out');
  expect(result.err).toContain('kubectl -n istio-system get events --sort-by=.lastTimestamp');
});

test.concurrent('GIVEN an unreachable cluster WHEN the first apply fails THEN the hint is about context and KUBECONFIG', async () => {
  const result = await run(['up'], env({ FAKE_FAIL: 'apply', FAKE_FAIL_MESSAGE: 'The connection to the server localhost:8080 was refused' }));
  expect(result.code).toBe(1);
  expect(result.err).toContain('--context and KUBECONFIG');
});

// no cluster: one line that says so, never kubectl's discovery retries or a guess about SPIRE
/** What kubectl 1.32 prints without a cluster (KUBECONFIG pointing nowhere): five discovery retries, then its summary. */
const NO_CLUSTER = [
  ...Array.from({ length: 5 }, (_, i) => `E1203 14:11:06.19781${i}   18667 memcache.go:265] "Unhandled Error" err="couldn't get current server API group list: Get \\"http://localhost:8080/api?timeout=32s\\": dial tcp 127.0.0.1:8080: connect: connection refused"`),
  'The connection to the server localhost:8080 was refused - did you specify the right host or port?',
].join('\\n');

test.concurrent.each([
  [['up'], 'apply', 'kubectl apply -f dist/0000-namespaces.k8s.yaml'],
  [['down'], 'delete', `kubectl delete -f ${fileOf('bookinfo-default')}`],
  [['status'], 'get', 'kubectl get pods -n spire -o json'],
  [['entries', 'list'], 'get pods', 'kubectl get pods -n spire -l app=spire-server -o json'],
  [['entries', 'delete', 'x'], 'get pods', 'kubectl get pods -n spire -l app=spire-server -o json'],
  [['entries', 'create'], 'delete', `kubectl delete -n spire job/${job}`],
  [['forward'], 'get pods', 'kubectl get pods -n istio-system -l istio=ingressgateway -o json'],
])('GIVEN no cluster WHEN running %j THEN one line says the cluster cannot be reached, with kubectl\'s summary line', async (args, fail, command) => {
  const result = await run(args, env({ FAKE_FAIL: fail, FAKE_FAIL_MESSAGE: NO_CLUSTER }));
  expect(result.code).toBe(1);
  expect(result.err.split('\n')).toEqual([
    expect.stringMatching(/^spire-mesh: cannot reach the cluster \(/),
  ]);
  expect(result.err).toContain(`(${command}`);
  expect(result.err).toContain(': The connection to the server localhost:8080 was refused - did you specify the right host or port?); check that the cluster is reachable');
  expect(result.err).not.toMatch(/memcache|SPIRE installed|is the SPIRE server running/);
});

test.concurrent('GIVEN a --context that KUBECONFIG lacks WHEN running a command THEN it says the context is not found', async () => {
  const result = await run(['entries', 'list', '--context', 'kind-demo'], env({ FAKE_FAIL: 'get pods', FAKE_FAIL_MESSAGE: 'error: context "kind-demo" does not exist' }));
  expect(result.code).toBe(1);
  expect(result.err).toBe(
    'spire-mesh: context kind-demo not found (kubectl --context=kind-demo get pods -n spire -l app=spire-server -o json: error: context "kind-demo" does not exist); kubectl config get-contexts lists the contexts of KUBECONFIG',
  );
});

test.concurrent('GIVEN a slow command WHEN it runs longer than the heartbeat THEN the CLI prints that it is alive', async () => {
  const result = await run(['up'], env({ FAKE_SLOW: 'install -f', FAKE_SLOW_SECONDS: '0.3' }), 0.1);
  expect(result.code).toBe(0);
  expect(result.out).toMatch(/… still running \(\d+\.\ds\)/);
});

// deadlines: a tool that never answers ends in a message naming it, and nothing is left running
test.concurrent.each<[string, string[], string, RegExp]>([
  ['istioctl version in the prerequisite check', ['up'], 'version --remote=false', /`istioctl version --remote=false --short` did not finish within --timeout \(2s\) and was stopped; check that the istioctl on PATH runs/],
  ['status listing pods', ['status'], 'get pods', /`kubectl get pods -n spire -o json` did not finish within --timeout \(2s\) and was stopped; .*kubectl cluster-info/],
  ['entries list finding the server', ['entries', 'list'], 'get pods', /`kubectl get pods -n spire -l app=spire-server -o json` did not finish within --timeout \(2s\)/],
  ['entries list in the server', ['entries', 'list'], 'entry show', /`kubectl exec -n spire spire-server-0 .* entry show .*` did not finish within --timeout \(2s\)/],
  ['forward before it forwards', ['forward'], 'port-forward', /`kubectl port-forward -n istio-system pod\/istio-ingressgateway-5c8d7f9b4-x2x9q 8000:8080` did not finish within --timeout \(2s\)/],
])('GIVEN a hang in %s WHEN --timeout runs out THEN it ends in a message naming the command, and nothing is left running', async (_name, args, hang, message) => {
  const e = env({ FAKE_HANG: hang });
  const started = Date.now();
  const result = await run([...args, '--timeout', HANG_TIMEOUT], e);
  expect(result.code).toBe(1);
  expect(result.err).toMatch(message);
  // Killed at the deadline, not left to jest's timeout.
  expect(Date.now() - started).toBeLessThan(30_000);
  expect(await hungPidsAlive(e)).toEqual([]);
});

test.concurrent.each([['up', 'apply -f'], ['down', 'delete -f']])('GIVEN `%s` whose first %s hangs WHEN --timeout runs out THEN the step fails as not answering, and its process group is gone', async (verb, hang) => {
  const e = env({ FAKE_HANG: hang });
  const result = await run([verb, '--timeout', HANG_TIMEOUT], e);
  expect(result.code).toBe(1);
  expect(result.err).toMatch(/✗ \[1\/\d+\] .* failed after/);
  expect(result.err).toContain(`--timeout (${HANG_TIMEOUT}s) ran out: stopped after`);
  expect(result.err).toContain('kubectl cluster-info');
  expect(await hungPidsAlive(e)).toEqual([]);
});

test.concurrent('GIVEN --timeout shorter than --poll WHEN planning waits THEN each wait blocks at most the timeout', async () => {
  const result = await run(['up', '--dry-run', '--timeout', '4', '--poll', '30'], env());
  expect(result.out).toContain('--timeout=4s');
  expect(result.out).not.toContain('--timeout=30s');
});

// prerequisites
test.concurrent('GIVEN no kubectl on PATH WHEN running up THEN it says kubectl is missing and how to install it, running nothing', async () => {
  const onlyIstioctl = tempDir('path');
  fs.symlinkSync(path.join(FAKE_BIN, 'istioctl'), path.join(onlyIstioctl, 'istioctl'));
  const e = fakeEnv(cluster, {}, [onlyIstioctl]);
  const result = await run(['up'], e);
  expect(result.code).toBe(1);
  expect(result.err).toBe('spire-mesh: kubectl not found on PATH; install it: https://kubernetes.io/docs/tasks/tools/');
  expect(result.calls).toEqual([]);
});

test.concurrent('GIVEN istioctl of another version than dist/ WHEN running up THEN it names both versions and applies nothing', async () => {
  const result = await run(['up'], env({ FAKE_ISTIO_VERSION: '1.29.1' }));
  expect(result.code).toBe(1);
  expect(result.err).toMatch(new RegExp(`istioctl on PATH \\(.*istioctl\\) is 1\\.29\\.1, but dist/ was synthesized for Istio ${index.istioVersion.replace(/\./g, '\\.')}`));
  expect(result.calls).toEqual(['istioctl version --remote=false --short']);
});

test.concurrent('GIVEN istioctl matching dist/ but not the config file WHEN running up THEN dist/ decides and up runs', async () => {
  const dir = distWithIndex(JSON.stringify({ ...index, istioVersion: '1.29.1' }));
  fs.writeFileSync(path.join(dir, 'spire-mesh.config.yaml'), 'istio:\n  version: 1.30.3\n  bogus: true\n');
  const result = await runIn(['up'], env({ FAKE_ISTIO_VERSION: '1.29.1' }), dir);
  expect(result.err).toBe('');
  expect(result.code).toBe(0);
});

test.concurrent('GIVEN istioctl of another version and an invalid config file WHEN running down THEN down needs neither and runs', async () => {
  const dir = distWithIndex(JSON.stringify(index));
  fs.writeFileSync(path.join(dir, 'spire-mesh.config.yaml'), 'trustDomain: Not Valid\n');
  const result = await runIn(['down'], env({ FAKE_ISTIO_VERSION: '1.29.1' }), dir);
  expect(result.code).toBe(0);
  expect(result.calls).not.toContain('istioctl version --remote=false --short');
});

test.concurrent('GIVEN a directory without a synth WHEN running up THEN it asks for npm run synth', async () => {
  const result = await run(['up', '--dist', 'nowhere'], env());
  expect(result.code).toBe(1);
  expect(result.err).toContain('nowhere/meta/index.json not found: run `npm run synth` first');
});

test.concurrent('GIVEN a bad flag value WHEN parsing THEN commander refuses it', async () => {
  const result = await run(['up', '--timeout', '0'], env());
  expect(result.code).toBe(1);
  expect(result.err).toContain("'0' must be a number of seconds greater than 0");
});

test.concurrent.each(['up', 'down', 'status', 'graph', 'entries list', 'entries delete', 'entries create', 'forward'])(
  'GIVEN `%s --help` WHEN printing the help THEN it lists the global options too',
  async (command) => {
    const result = await run([...command.split(' '), '--help'], env());
    expect(result.code).toBe(0);
    expect(result.calls).toEqual([]);
    const globals = result.out.slice(result.out.indexOf('Global Options:'));
    for (const flag of ['--dry-run', '--context <name>', '--dist <dir>', '--timeout <seconds>', '--poll <seconds>']) expect(globals).toContain(flag);
  },
);

// a broken index ends in one message naming the field, never a stack trace
test.concurrent.each<[string, string, RegExp]>([
  ['empty object', '{}', /version missing: .*run `npm run synth`/],
  ['truncated', JSON.stringify(index).slice(0, 200), /is not valid JSON .*run `npm run synth`/],
  ['steps of the wrong type', JSON.stringify({ ...index, steps: 'all' }), /steps: 'all' must be a list; run `npm run synth`/],
  ['no steps', JSON.stringify({ ...index, steps: [] }), /steps: \[\] must list at least one step: there is nothing to apply/],
])('GIVEN an index that is %s WHEN running up, even with --dry-run, THEN one message names the field, never a stack trace', async (_name, text, message) => {
  const dir = distWithIndex(text);
  const result = await runIn(['up', '--dry-run'], env(), dir);
  expect(result.code).toBe(1);
  expect(result.err).toMatch(message);
  expect(result.err).not.toMatch(/\n\s+at /);
});

// --dry-run
test.concurrent('GIVEN --dry-run WHEN running up THEN the full ordered plan is printed and no tool is called', async () => {
  const result = await run(['--dry-run', 'up'], env());
  expect(result.code).toBe(0);
  expect(result.calls).toEqual([]);
  const printed = result.out.split('\n').filter((l) => l.trim().startsWith('$ ')).map((l) => l.trim().slice(2).replace(/ {3}\(repeated.*$/, ''));
  expect(printed).toEqual(UP_CALLS.slice(1).map((c) => c.replace(' --context=kind-demo', '')));
  expect(result.out).toContain('dry run, nothing is run');
});

test.concurrent.each([['down'], ['status'], ['entries', 'list'], ['entries', 'delete', 'x'], ['entries', 'create'], ['forward']])('GIVEN --dry-run WHEN running %s THEN no tool is called', async (...args) => {
  const result = await run([...args, '--dry-run'], env());
  expect(result.code).toBe(0);
  expect(result.calls).toEqual([]);
  expect(result.out).toMatch(/\$ kubectl|\$ istioctl/);
});

// down
/** The namespaces the mesh creates, as the namespaces file of dist/ lists them (not read from the index). */
const MESH_NAMESPACES = [...fs.readFileSync(path.join(cwd, fileOf('namespaces')), 'utf8').matchAll(/^kind: Namespace\nmetadata:\n(?:  .*\n)*?  name: (\S+)$/gm)].map((m) => m[1]);
const CONTENT_KINDS = 'pods,deployments,statefulsets,daemonsets,replicasets,jobs,cronjobs,services,persistentvolumeclaims';
/** What down runs: each file but the namespaces' in reverse, Istio by its own file, then each namespace, looked into first. */
const downCalls = (namespaces = [...MESH_NAMESPACES].reverse()) => [
  ...[...index.steps]
    .reverse()
    .filter((s) => s.chart !== 'namespaces')
    .map((s) => (s.tool === 'istioctl' ? `istioctl uninstall -f ${path.join('dist', s.file)} -y` : `kubectl delete -f ${path.join('dist', s.file)} --ignore-not-found --cascade=foreground`)),
  ...namespaces.flatMap((ns) => [`kubectl get ${CONTENT_KINDS} -n ${ns} -o json`, `kubectl delete namespace ${ns} --ignore-not-found`]),
];

test.concurrent('GIVEN a running mesh WHEN running down THEN parts are removed in reverse order, without checking the istioctl version', async () => {
  const result = await run(['down'], env());
  expect(result.code).toBe(0);
  expect(result.calls).toEqual(downCalls());
});

test.concurrent("GIVEN Istio's CRDs already gone WHEN deleting Istio-typed objects THEN down reports them gone and carries on", async () => {
  const result = await run(['down'], env({
    FAKE_FAIL: `delete -f ${fileOf('mesh-policy')}`,
    FAKE_FAIL_MESSAGE: `error: resource mapping not found for name: "default" namespace: "istio-system" from "${fileOf('mesh-policy')}": no matches for kind "PeerAuthentication" in version "security.istio.io/v1"\nensure CRDs are installed first`,
  }));
  expect(result.code).toBe(0);
  expect(result.calls).toEqual(downCalls());
  expect(result.out).toContain('already gone');
});

test.concurrent('GIVEN a cluster gone mid-down WHEN kubectl says "unable to recognize" because the connection was refused THEN that is a failure, not "already gone"', async () => {
  // kubectl 1.34.5's words when discovery fails without its klog lines (those come only from some code paths).
  const refused = `unable to recognize "${fileOf('mesh-policy')}": Get "https://127.0.0.1:6443/api?timeout=32s": dial tcp 127.0.0.1:6443: connect: connection refused`;
  const result = await run(['down'], env({ FAKE_FAIL: `delete -f ${fileOf('mesh-policy')}`, FAKE_FAIL_MESSAGE: `${refused}\n${refused}` }));
  expect(result.code).toBe(1);
  expect(result.out).not.toContain('already gone');
  expect(result.err).toMatch(/^spire-mesh: cannot reach the cluster \(kubectl delete -f /);
});

test.concurrent('GIVEN a delete that fails for another reason WHEN running down THEN it stops and shows the error', async () => {
  const result = await run(['down'], env({ FAKE_FAIL: `delete -f ${fileOf('spire')}`, FAKE_FAIL_MESSAGE: 'Error from server (Forbidden): clusterroles is forbidden' }));
  expect(result.code).toBe(1);
  expect(result.err).toMatch(/✗ \[\d\/6\] delete spire/);
  expect(result.err).toContain('needs cluster-admin');
  expect(result.calls.some((c) => c.includes('namespace'))).toBe(false);
});

test.concurrent('GIVEN down --dry-run WHEN reading the plan THEN it lists every command in order, deletes only the namespaces the mesh created, and never purges Istio', async () => {
  const result = await run(['down', '--dry-run'], env());
  expect(result.code).toBe(0);
  expect(result.calls).toEqual([]);
  const printed = result.out.split('\n').filter((l) => l.trim().startsWith('$ ')).map((l) => l.trim().slice(2).replace(/ {3}\(only if .*$/, ''));
  expect(printed).toEqual(downCalls());
  expect(MESH_NAMESPACES).toEqual(['spire', 'istio-system']);
  expect(result.out).not.toContain('--purge');
  expect(result.out).not.toMatch(/delete namespace (default|kube-)/);
});

test.concurrent('GIVEN an index whose workloads live in default and a namespace of their own WHEN planning down THEN default is never deleted, the own one last', async () => {
  const steps = index.steps.map((s) =>
    s.chart === 'namespaces' ? { ...s, objects: [...s.objects, { apiVersion: 'v1', kind: 'Namespace', name: 'shop' }] }
    : s.chart === 'bookinfo-default' ? { ...s, objects: [{ apiVersion: 'v1', kind: 'Namespace', name: 'default' }, { apiVersion: 'v1', kind: 'Namespace', name: 'kube-system' }, ...s.objects] }
    : s,
  );
  const dir = distWithIndex(JSON.stringify({ ...index, steps }));
  const result = await runIn(['down', '--dry-run'], env(), dir);
  expect(result.code).toBe(0);
  const deleted = [...result.out.matchAll(/\$ kubectl delete namespace (\S+)/g)].map((m) => m[1]);
  expect(deleted).toEqual(['shop', 'istio-system', 'spire']);
  expect(result.out).toContain('keeping namespace default, kube-system');
});

test.concurrent('GIVEN istio-system also runs another team\'s pod WHEN running down THEN that namespace is kept with a message naming what remains, the others go', async () => {
  const cluster = writeCluster(index);
  const pod = (name: string, extra: Record<string, unknown> = {}) => ({ kind: 'Pod', metadata: { name, uid: `uid-${name}`, ...extra } });
  fs.writeFileSync(path.join(cluster, 'contents-istio-system.json'), JSON.stringify({
    kind: 'List',
    items: [
      pod('telemetry-agent-7d9f'),
      // istiod's, on its way out after the uninstall: never a reason to keep the namespace
      { kind: 'Deployment', metadata: { name: 'istiod', uid: 'uid-istiod', deletionTimestamp: '2026-01-01T00:00:00Z' } },
      { kind: 'ReplicaSet', metadata: { name: 'istiod-5c8d', uid: 'uid-rs', ownerReferences: [{ kind: 'Deployment', name: 'istiod', uid: 'uid-istiod', controller: true }] } },
      pod('istiod-5c8d-x2x9q', { ownerReferences: [{ kind: 'ReplicaSet', name: 'istiod-5c8d', uid: 'uid-rs', controller: true }] }),
    ],
  }));
  const result = await run(['down'], fakeEnv(cluster));
  expect(result.code).toBe(0);
  expect(result.calls).toContain('kubectl delete namespace spire --ignore-not-found');
  expect(result.calls).not.toContain('kubectl delete namespace istio-system --ignore-not-found');
  expect(result.out).toContain('kept namespace istio-system: it still holds pod/telemetry-agent-7d9f, which dist/ does not list');
  expect(result.out).not.toMatch(/holds .*istiod/);
  expect(result.out).toMatch(/left in place:\n {2}- kept namespace istio-system/);
});

test.concurrent('GIVEN no istioctl on PATH WHEN running down THEN the kubectl part runs and it says Istio was skipped and how to remove it', async () => {
  const onlyKubectl = tempDir('path');
  // Not a symlink: the fake finds its shared part beside its own path.
  fs.writeFileSync(path.join(onlyKubectl, 'kubectl'), `#!/bin/bash\nexec '${path.join(FAKE_BIN, 'kubectl')}' "$@"\n`, { mode: 0o755 });
  const result = await run(['down'], fakeEnv(cluster, {}, [onlyKubectl]));
  expect(result.err).toBe('');
  expect(result.code).toBe(0);
  expect(result.calls).toEqual(downCalls().filter((c) => !c.startsWith('istioctl')));
  const skipped = `istioctl not found on PATH, so Istio is still installed; to remove it, install istioctl ${index.istioVersion} and run: istioctl uninstall -f ${fileOf('istio-operator')} -y`;
  expect(result.out).toMatch(new RegExp(`\\] uninstall Istio: .*\\n {6}skipped: ${skipped.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  expect(result.out).toContain(`left in place:\n  - uninstall Istio: ${index.steps.find((s) => s.tool === 'istioctl')!.description}: skipped: ${skipped}`);
});

test.concurrent('GIVEN kubectl answering garbage for a namespace WHEN down looks into it THEN the step fails and the namespace stays', async () => {
  const cluster = writeCluster(index);
  fs.writeFileSync(path.join(cluster, 'contents-spire.json'), '<html>proxy login</html>');
  const result = await run(['down'], fakeEnv(cluster));
  expect(result.code).toBe(1);
  expect(result.err).toContain("kubectl's answer for namespace spire is not an object list");
  expect(result.calls).not.toContain('kubectl delete namespace spire --ignore-not-found');
});

// status, entries, graph and forward
test.concurrent('GIVEN a cluster with one bookinfo pod not ready WHEN running status THEN each part lists its pods, the entry count and the mTLS mode', async () => {
  const result = await run(['status'], env());
  expect(result.code).toBe(1);
  expect(result.out).toContain('✓ spire/spire-server-0: ready');
  expect(result.out).toContain(`✓ spire/${job}-h7m2d: completed`);
  expect(result.out).toContain('✓ istio-system/istio-ingressgateway-5c8d7f9b4-x2x9q: ready');
  expect(result.out).toContain('✗ default/details-v1-5c8d7f9b4-x2x9q: not ready (Running)');
  expect(result.out).not.toContain('default/unrelated-pod');
  expect(result.out).toContain('registration entries: 6');
  expect(result.out).toContain('PeerAuthentication istio-system/default: mtls mode STRICT');
  expect(result.err).toBe('spire-mesh: 1 pod(s) not ready or missing');
});

test.concurrent('GIVEN an unreachable cluster WHEN running status THEN it says the cluster cannot be reached, not that pods are missing', async () => {
  const result = await run(['status'], env({ FAKE_FAIL: 'get', FAKE_FAIL_MESSAGE: 'The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?' }));
  expect(result.code).toBe(1);
  expect(result.err).toMatch(/^spire-mesh: cannot reach the cluster \(kubectl get pods -n spire -o json: .*was refused.*\); check that the cluster is reachable/);
  expect(result.err).not.toMatch(/not ready|mtls mode/);
  expect(result.out).not.toMatch(/no pods|not found/);
});

test.concurrent.each([['garbage', 'Error: <html>proxy login</html>'], ['the wrong shape', '{"kind": "Status", "items": "none"}'], ['items without names', '{"items": [{}]}']])(
  'GIVEN kubectl answering %s WHEN running status THEN it reports the unreadable answer, without a stack trace',
  async (_name, answer) => {
    const result = await run(['status'], env({ FAKE_PODS_ANSWER: answer }));
    expect(result.code).toBe(1);
    expect(result.out).toContain("? cannot list pods in spire: kubectl's answer for pods in spire is not a pod list");
    expect(result.out).toContain("registration entries: unknown (kubectl's answer for the SPIRE server pods is not a pod list");
    expect(result.err).not.toMatch(/\n\s+at /);
  },
);

test.concurrent('GIVEN the SPIRE server WHEN listing and deleting entries THEN spire-server runs in a Ready pod its selector matches, against the admin socket', async () => {
  const e = env();
  const list = await run(['entries', 'list'], e);
  const del = await run(['entries', 'delete', '5b3b1f0e-6a1c-4c4e-9d7a-2f1e6f0b9a11'], e);
  expect([list.code, del.code]).toEqual([0, 0]);
  expect(list.out).toContain('SPIFFE ID        : spiffe://example.org/ns/default/sa/bookinfo-details');
  expect(del.out).toContain('Deleted entry with ID: 5b3b1f0e-6a1c-4c4e-9d7a-2f1e6f0b9a11');
  const { spireServer: admin } = index.admin;
  const find = 'kubectl get pods -n spire -l app=spire-server -o json';
  const exec = `kubectl exec -n spire spire-server-0 -c ${admin.containerName} -- ${admin.binaryPath}`;
  expect(del.calls).toEqual([
    find,
    `${exec} entry show -socketPath ${admin.adminSocketPath}`,
    find,
    `${exec} entry delete -entryID 5b3b1f0e-6a1c-4c4e-9d7a-2f1e6f0b9a11 -socketPath ${admin.adminSocketPath}`,
  ]);
});

test.concurrent('GIVEN no Ready server pod WHEN listing entries THEN it says so and runs no exec', async () => {
  const notReady = writeCluster(index, ['spire-server']);
  const e = fakeEnv(notReady);
  const result = await run(['entries', 'list'], e);
  expect(result.code).toBe(1);
  expect(result.err).toContain('no Ready SPIRE server pod (kubectl get pods -n spire -l app=spire-server -o json)');
  expect(result.calls.some((c) => c.includes(' exec '))).toBe(false);
});

test.concurrent('GIVEN entries create WHEN run THEN the registration Job is deleted, re-applied and awaited', async () => {
  const result = await run(['entries', 'create'], env());
  expect(result.code).toBe(0);
  expect(result.calls).toEqual([
    `kubectl delete -n spire job/${job} --ignore-not-found`,
    `kubectl apply -f ${fileOf('registration')}`,
    `kubectl wait --for=condition=complete job/${job} -n spire --timeout=10s`,
  ]);
});

test.concurrent('GIVEN a server exec that fails WHEN listing entries THEN it says so', async () => {
  const result = await run(['entries', 'list'], env({ FAKE_FAIL: 'exec', FAKE_FAIL_MESSAGE: 'error: unable to upgrade connection: container not found' }));
  expect(result.code).toBe(1);
  expect(result.err).toContain('error: unable to upgrade connection: container not found');
  expect(result.err).toContain('is the SPIRE server running?');
});

test.concurrent('GIVEN the gateway WHEN forwarding to another port THEN a Ready gateway pod is forwarded and the product page URL printed', async () => {
  const result = await run(['forward', '--port', '9000'], env());
  expect(result.code).toBe(0);
  expect(result.calls[0]).toBe('kubectl get pods -n istio-system -l istio=ingressgateway -o json');
  expect(result.calls[1]).toBe('kubectl port-forward -n istio-system pod/istio-ingressgateway-5c8d7f9b4-x2x9q 9000:8080');
  expect(result.out).toContain('open http://localhost:9000/productpage');
  expect(result.out).toContain('Forwarding from 127.0.0.1:9000 -> 8080');
});

test.concurrent('GIVEN an index with an identity graph WHEN running graph THEN each identity and each allowed call is printed', async () => {
  const graph = {
    nodes: [
      { id: 'default/productpage', namespace: 'default', serviceAccount: 'bookinfo-productpage', spiffeId: 'spiffe://example.org/ns/default/sa/bookinfo-productpage' },
      { id: 'default/details', namespace: 'default', serviceAccount: 'bookinfo-details', spiffeId: 'spiffe://example.org/ns/default/sa/bookinfo-details' },
      { id: 'default/ratings', namespace: 'default', serviceAccount: 'bookinfo-ratings', spiffeId: 'spiffe://example.org/ns/default/sa/bookinfo-ratings' },
    ],
    edges: [{ from: 'default/productpage', to: 'default/details' }],
  };
  const dir = distWithIndex(JSON.stringify({ ...index, identityGraph: graph } satisfies MeshIndex));
  const result = await runIn(['graph'], env(), dir);
  expect(result.code).toBe(0);
  expect(result.out.split('\n')).toEqual([
    'identities (3):',
    '  default/productpage  spiffe://example.org/ns/default/sa/bookinfo-productpage  (service account default/bookinfo-productpage)',
    '  default/details      spiffe://example.org/ns/default/sa/bookinfo-details  (service account default/bookinfo-details)',
    '  default/ratings      spiffe://example.org/ns/default/sa/bookinfo-ratings  (service account default/bookinfo-ratings)',
    'allowed calls (1):',
    '  default/productpage  → default/details',
    'no calls to or from: default/ratings',
  ]);
});

test.concurrent('GIVEN an index without an identity graph WHEN running graph THEN it says there is none and exits 0', async () => {
  const dir = distWithIndex(JSON.stringify({ ...index, identityGraph: undefined }));
  const result = await runIn(['graph'], env(), dir);
  expect(result.code).toBe(0);
  expect(result.out).toContain('has no identity graph');
});

/**
 * Runs a program to its end, or kills it after 20 s (a hang, not slowness): its exit status,
 * stdout and stderr. Not spawnSync, which would hold up the concurrent cases.
 */
function runProgram(file: string, args: string[], options: SpawnOptions): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

// the real entry, bin/spire-mesh
const entry = path.join(root, 'bin', 'spire-mesh');

test.concurrent('GIVEN a fresh synth WHEN running `up --dry-run` THEN it prints the plan of dist/; --version prints the version', async () => {
  const [result, version] = await Promise.all([
    runProgram(process.execPath, [entry, 'up', '--dry-run'], { cwd, env: { ...process.env, PATH: FAKE_BIN } }),
    runProgram(process.execPath, [entry, '--version'], {}),
  ]);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  for (const step of index.steps) expect(result.stdout).toContain(path.join('dist', step.file));
  expect(version.stdout).toBe(`spire-mesh ${JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version} (reads index version 1)\n`);
});

test.concurrent('GIVEN a reader that stops early (`| head -1`) WHEN the real entry prints the plan THEN it exits 0 without a stack trace', async () => {
  const result = await runProgram('sh', ['-c', `"${process.execPath}" "${entry}" up --dry-run | head -1`], {
    cwd,
    env: { ...process.env, PATH: `${FAKE_BIN}:${path.dirname(process.execPath)}:/usr/bin:/bin` },
  });
  expect(result.stdout.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).not.toMatch(/EPIPE|Unhandled/);
});

test.concurrent('GIVEN a kubectl that hangs WHEN the user presses Ctrl-C THEN the CLI exits 130 and nothing it started is left running', async () => {
  const e = env({ FAKE_HANG: 'get pods' });
  const child = spawn(process.execPath, [entry, 'status'], { cwd, env: { ...process.env, ...e }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const pids = path.join(e.FAKE_STATE!, 'hung.pids');
  for (let waited = 0; !(fs.existsSync(pids) && fs.readFileSync(pids, 'utf8').split('\n').filter(Boolean).length >= 2) && waited < 8000; waited += 50) {
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  expect(code).toBe(130);
  expect(stderr).toContain('stopped by SIGINT');
  expect(await hungPidsAlive(e)).toEqual([]);
});
