import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../lib/cli/main';

const root = path.join(__dirname, '..', '..');
const fixtures = path.join(__dirname, 'fixtures');
const fakeBin = path.join(fixtures, 'bin');

interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
  /** Every call the fake tools received, in order, as "<tool> <args>". */
  readonly calls: string[];
}

/** A fresh call log and state directory; the fakes are the only tools on PATH. */
function fakeEnv(extra: Record<string, string> = {}, pathDirs = [fakeBin]): NodeJS.ProcessEnv {
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'spire-mesh-cli-'));
  const log = path.join(state, 'calls.log');
  fs.writeFileSync(log, '');
  return { PATH: pathDirs.join(path.delimiter), FAKE_LOG: log, FAKE_STATE: state, ...extra };
}

async function run(args: string[], env: NodeJS.ProcessEnv, heartbeatSeconds = 60): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { env, cwd: fixtures, heartbeatSeconds, io: { out: (s) => out.push(s), err: (s) => err.push(s) } });
  const calls = fs.readFileSync(env.FAKE_LOG!, 'utf8').split('\n').filter(Boolean);
  return { code, out: out.join('\n'), err: err.join('\n'), calls };
}

const BOOKINFO_DEPLOYMENTS = ['details-v1', 'ratings-v1', 'reviews-v1', 'reviews-v2', 'reviews-v3', 'productpage-v1'];
const UP_CALLS = [
  'istioctl version --remote=false --short',
  'kubectl --context=kind-demo apply -f dist/0000-namespaces.k8s.yaml',
  'kubectl --context=kind-demo apply -f dist/0001-spire.k8s.yaml',
  'kubectl --context=kind-demo rollout status statefulset/spire-server -n spire --timeout=10s',
  'kubectl --context=kind-demo rollout status daemonset/spire-agent -n spire --timeout=10s',
  'kubectl --context=kind-demo rollout status daemonset/spiffe-csi-driver -n spire --timeout=10s',
  'kubectl --context=kind-demo apply -f dist/0002-registration.k8s.yaml',
  'kubectl --context=kind-demo wait --for=condition=complete job/spire-registration-3f9a1c2b -n spire --timeout=10s',
  'istioctl --context=kind-demo install -f dist/istioctl/istio-operator.k8s.yaml -y',
  'kubectl --context=kind-demo rollout status deployment/istiod -n istio-system --timeout=10s',
  'kubectl --context=kind-demo wait --for=condition=available deployment -l istio=ingressgateway -n istio-system --timeout=10s',
  'kubectl --context=kind-demo apply -f dist/0003-mesh-policy.k8s.yaml',
  'kubectl --context=kind-demo apply -f dist/0004-bookinfo.k8s.yaml',
  ...BOOKINFO_DEPLOYMENTS.map((d) => `kubectl --context=kind-demo rollout status deployment/${d} -n default --timeout=10s`),
];

describe('up', () => {
  test('GIVEN healthy tools WHEN running up THEN every step runs in index order with waits, printing [n/N] and elapsed time', async () => {
    const result = await run(['up', '--context', 'kind-demo'], fakeEnv());
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.calls).toEqual(UP_CALLS);
    expect(result.out).toMatch(/^\[1\/10\] apply namespaces/m);
    expect(result.out).toMatch(/^\[6\/10\] install Istio/m);
    expect(result.out).toMatch(/^\[10\/10\] wait for bookinfo/m);
    expect(result.out).toMatch(/done in \d+\.\ds/);
    expect(result.out).toContain('npm run mesh -- forward');
  });

  test('GIVEN a mesh already up WHEN running up again THEN it succeeds with the same calls', async () => {
    const env = fakeEnv();
    const first = await run(['up', '--context', 'kind-demo'], env);
    const second = await run(['up', '--context', 'kind-demo'], env);
    expect([first.code, second.code]).toEqual([0, 0]);
    expect(second.calls).toEqual([...UP_CALLS, ...UP_CALLS]);
  });

  test('GIVEN an agent DaemonSet not ready at first WHEN running up THEN it shows it is waiting and polls again', async () => {
    const result = await run(['up'], fakeEnv({ FAKE_NOT_READY_ONCE: 'daemonset/spire-agent' }));
    expect(result.code).toBe(0);
    expect(result.calls.filter((c) => c.includes('rollout status daemonset/spire-agent'))).toHaveLength(2);
    expect(result.out).toMatch(/… daemonset\/spire-agent in spire not ready yet \(\d+\.\ds\)/);
  });

  test('GIVEN a Job that never completes WHEN the wait budget is spent THEN up fails naming the step, the wait and the Job log', async () => {
    const result = await run(['up', '--timeout', '3', '--poll', '1'], fakeEnv({ FAKE_TIMEOUT: 'job/spire-registration' }));
    expect(result.code).toBe(1);
    expect(result.calls.filter((c) => c.includes('wait --for=condition=complete'))).toHaveLength(3);
    expect(result.calls.some((c) => c.startsWith('istioctl install'))).toBe(false);
    expect(result.err).toMatch(/✗ \[5\/10\] wait for registration: job\/spire-registration-3f9a1c2b failed after/);
    expect(result.err).toContain('job/spire-registration-3f9a1c2b in spire not ready after 3 attempts');
    expect(result.err).toContain('kubectl -n spire logs job/spire-registration-3f9a1c2b --all-containers');
  });

  test('GIVEN a failing istioctl install WHEN running up THEN it stops there, showing the command, its error and a hint', async () => {
    const result = await run(['up'], fakeEnv({ FAKE_FAIL: 'install -f', FAKE_FAIL_MESSAGE: 'Error: failed to install manifests: webhook timed out' }));
    expect(result.code).toBe(1);
    expect(result.calls[result.calls.length - 1]).toBe('istioctl install -f dist/istioctl/istio-operator.k8s.yaml -y');
    expect(result.err).toContain('✗ [6/10] install Istio');
    expect(result.err).toContain('command: istioctl install -f dist/istioctl/istio-operator.k8s.yaml -y');
    expect(result.err).toContain('Error: failed to install manifests: webhook timed out');
    expect(result.err).toContain('kubectl -n istio-system get events --sort-by=.lastTimestamp');
  });

  test('GIVEN an unreachable cluster WHEN the first apply fails THEN the hint is about context and KUBECONFIG', async () => {
    const result = await run(['up'], fakeEnv({ FAKE_FAIL: 'apply', FAKE_FAIL_MESSAGE: 'The connection to the server localhost:8080 was refused' }));
    expect(result.code).toBe(1);
    expect(result.err).toContain('check --context and KUBECONFIG');
  });

  test('GIVEN a slow command WHEN it runs longer than the heartbeat THEN the CLI prints that it is alive', async () => {
    const result = await run(['up'], fakeEnv({ FAKE_SLOW: 'install -f', FAKE_SLOW_SECONDS: '0.3' }), 0.1);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/… still running \(0\.\ds\)/);
  });
});

describe('prerequisites', () => {
  test('GIVEN no kubectl on PATH WHEN running up THEN it says kubectl is missing and how to install it, running nothing', async () => {
    const onlyIstioctl = fs.mkdtempSync(path.join(os.tmpdir(), 'spire-mesh-path-'));
    fs.symlinkSync(path.join(fakeBin, 'istioctl'), path.join(onlyIstioctl, 'istioctl'));
    const result = await run(['up'], fakeEnv({}, [onlyIstioctl]));
    expect(result.code).toBe(1);
    expect(result.err).toBe('spire-mesh: kubectl not found on PATH; install it: https://kubernetes.io/docs/tasks/tools/');
    expect(result.calls).toEqual([]);
  });

  test('GIVEN istioctl of another version WHEN running up THEN it names both versions and applies nothing', async () => {
    const result = await run(['up'], fakeEnv({ FAKE_ISTIO_VERSION: '1.29.1' }));
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/istioctl on PATH \(.*istioctl\) is 1\.29\.1, but the config's istio\.version is 1\.30\.3/);
    expect(result.err).toContain('ISTIO_VERSION=1.30.3');
    expect(result.calls).toEqual(['istioctl version --remote=false --short']);
  });

  test('GIVEN a directory without a synth WHEN running up THEN it asks for npm run synth', async () => {
    const result = await run(['up', '--dist', 'nowhere'], fakeEnv());
    expect(result.code).toBe(1);
    expect(result.err).toContain('nowhere/meta/index.json not found: run `npm run synth` first');
  });

  test('GIVEN a bad flag value WHEN parsing THEN commander refuses it', async () => {
    const result = await run(['up', '--timeout', '0'], fakeEnv());
    expect(result.code).toBe(1);
    expect(result.err).toContain("'0' must be a whole number greater than 0");
  });
});

describe('--dry-run', () => {
  test('GIVEN --dry-run WHEN running up THEN the full ordered plan is printed and no tool is called', async () => {
    const result = await run(['--dry-run', 'up'], fakeEnv());
    expect(result.code).toBe(0);
    expect(result.calls).toEqual([]);
    const printed = result.out.split('\n').filter((l) => l.trim().startsWith('$ ')).map((l) => l.trim().slice(2).replace(/ {3}\(repeated.*$/, ''));
    expect(printed).toEqual(UP_CALLS.slice(1).map((c) => c.replace(' --context=kind-demo', '')));
    expect(result.out).toContain('dry run, nothing is run');
  });

  test.each([['down'], ['status'], ['entries', 'list'], ['entries', 'delete', 'x'], ['entries', 'create'], ['forward']])('GIVEN --dry-run WHEN running %s THEN no tool is called', async (...args) => {
    const result = await run([...args, '--dry-run'], fakeEnv());
    expect(result.code).toBe(0);
    expect(result.calls).toEqual([]);
    expect(result.out).toMatch(/\$ kubectl|\$ istioctl/);
  });
});

describe('down', () => {
  const DOWN_CALLS = [
    'istioctl version --remote=false --short',
    'kubectl delete -f dist/0004-bookinfo.k8s.yaml --ignore-not-found',
    'kubectl delete -f dist/0003-mesh-policy.k8s.yaml --ignore-not-found',
    'istioctl uninstall --purge -y',
    'kubectl delete -f dist/0002-registration.k8s.yaml --ignore-not-found',
    'kubectl delete -f dist/0001-spire.k8s.yaml --ignore-not-found',
    'kubectl delete -f dist/0000-namespaces.k8s.yaml --ignore-not-found',
  ];

  test('GIVEN a running mesh WHEN running down THEN parts are removed in reverse order', async () => {
    const result = await run(['down'], fakeEnv());
    expect(result.code).toBe(0);
    expect(result.calls).toEqual(DOWN_CALLS);
  });

  test("GIVEN Istio's CRDs already gone WHEN deleting Istio-typed objects THEN down reports them gone and carries on", async () => {
    const result = await run(['down'], fakeEnv({
      FAKE_FAIL: 'delete -f dist/0003-mesh-policy',
      FAKE_FAIL_MESSAGE: 'error: resource mapping not found for name: "default" namespace: "istio-system" from "dist/0003-mesh-policy.k8s.yaml": no matches for kind "PeerAuthentication" in version "security.istio.io/v1"\nensure CRDs are installed first',
    }));
    expect(result.code).toBe(0);
    expect(result.calls).toEqual(DOWN_CALLS);
    expect(result.out).toContain('already gone');
  });

  test('GIVEN a delete that fails for another reason WHEN running down THEN it stops and shows the error', async () => {
    const result = await run(['down'], fakeEnv({ FAKE_FAIL: 'delete -f dist/0001-spire', FAKE_FAIL_MESSAGE: 'Error from server (Forbidden): clusterroles is forbidden' }));
    expect(result.code).toBe(1);
    expect(result.err).toContain('✗ [5/6] delete spire');
    expect(result.err).toContain('needs cluster-admin');
    expect(result.calls).not.toContain('kubectl delete -f dist/0000-namespaces.k8s.yaml --ignore-not-found');
  });
});

describe('status, entries and forward', () => {
  test('GIVEN a cluster with one bookinfo pod not ready WHEN running status THEN each part lists its pods, the entry count and the mTLS mode', async () => {
    const result = await run(['status'], fakeEnv());
    expect(result.code).toBe(1);
    expect(result.out).toContain('✓ spire/spire-server-0: ready');
    expect(result.out).toContain('✓ spire/spire-registration-3f9a1c2b-h7m2d: completed');
    expect(result.out).toContain('✓ istio-system/istio-ingressgateway-5c8d7f9b4-x2x9q: ready');
    expect(result.out).toContain('✗ default/details-v1-7d4d9d5fcb-2vq9l: not ready (Running)');
    expect(result.out).not.toContain('unrelated');
    expect(result.out).toContain('registration entries: 6');
    expect(result.out).toContain('PeerAuthentication istio-system/default: mtls mode STRICT');
    expect(result.err).toContain('1 pod(s) not ready');
  });

  test('GIVEN the SPIRE server WHEN listing and deleting entries THEN spire-server runs in its pod against the admin socket', async () => {
    const env = fakeEnv();
    const list = await run(['entries', 'list'], env);
    const del = await run(['entries', 'delete', '5b3b1f0e-6a1c-4c4e-9d7a-2f1e6f0b9a11'], env);
    expect([list.code, del.code]).toEqual([0, 0]);
    expect(list.out).toContain('SPIFFE ID        : spiffe://example.org/ns/default/sa/bookinfo-details');
    expect(del.out).toContain('Deleted entry with ID: 5b3b1f0e-6a1c-4c4e-9d7a-2f1e6f0b9a11');
    const exec = 'kubectl exec -n spire spire-server-0 -c spire-server -- /opt/spire/bin/spire-server';
    expect(del.calls).toEqual([
      `${exec} entry show -socketPath /tmp/spire-server/private/api.sock`,
      `${exec} entry delete -entryID 5b3b1f0e-6a1c-4c4e-9d7a-2f1e6f0b9a11 -socketPath /tmp/spire-server/private/api.sock`,
    ]);
  });

  test('GIVEN entries create WHEN run THEN the registration Job is deleted, re-applied and awaited', async () => {
    const result = await run(['entries', 'create'], fakeEnv());
    expect(result.code).toBe(0);
    expect(result.calls).toEqual([
      'kubectl delete -n spire job/spire-registration-3f9a1c2b --ignore-not-found',
      'kubectl apply -f dist/0002-registration.k8s.yaml',
      'kubectl wait --for=condition=complete job/spire-registration-3f9a1c2b -n spire --timeout=10s',
    ]);
  });

  test('GIVEN a server that is not running WHEN listing entries THEN it says so', async () => {
    const result = await run(['entries', 'list'], fakeEnv({ FAKE_FAIL: 'exec', FAKE_FAIL_MESSAGE: 'error: pod spire-server-0 not found' }));
    expect(result.code).toBe(1);
    expect(result.err).toContain('error: pod spire-server-0 not found');
    expect(result.err).toContain('is the SPIRE server running?');
  });

  test('GIVEN the gateway WHEN forwarding to another port THEN the gateway pod is forwarded and the product page URL printed', async () => {
    const result = await run(['forward', '--port', '9000'], fakeEnv());
    expect(result.code).toBe(0);
    expect(result.calls[1]).toBe('kubectl port-forward -n istio-system pod/istio-ingressgateway-5c8d7f9b4-x2x9q 9000:8080');
    expect(result.out).toContain('open http://localhost:9000/productpage');
    expect(result.out).toContain('Forwarding from 127.0.0.1:9000 -> 8080');
  });
});

test('GIVEN a fresh clone WHEN running `npm run mesh -- up --dry-run` through the real entry THEN it prints the plan of dist/', () => {
  const result = spawnSync(process.execPath, [require.resolve('tsx/cli'), 'lib/cli/main.ts', 'up', '--dry-run'], {
    cwd: root,
    env: { ...process.env, PATH: fakeEnv().PATH },
    encoding: 'utf8',
  });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  const index = JSON.parse(fs.readFileSync(path.join(root, 'dist', 'meta', 'index.json'), 'utf8')) as { steps: { file: string }[] };
  for (const step of index.steps) expect(result.stdout).toContain(path.join('dist', step.file));
  expect(result.stdout).toMatch(/^\[1\/\d+\] /m);
});

test('GIVEN a reader that stops early (`| head -1`) WHEN the real entry prints the plan THEN it exits 0 without a stack trace', () => {
  const result = spawnSync('sh', ['-c', `"${process.execPath}" --import tsx lib/cli/main.ts up --dry-run | head -1`], {
    cwd: root,
    env: { ...process.env, PATH: `${fakeEnv().PATH}:${path.dirname(process.execPath)}:/usr/bin:/bin` },
    encoding: 'utf8',
  });
  expect(result.stdout.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).not.toMatch(/EPIPE|Unhandled/);
});
