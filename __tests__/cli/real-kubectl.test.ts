import * as fs from 'fs';
import * as path from 'path';
import { defaultDistWithGitOps, FAKE_BIN, fakeEnv, run as runIn, writeCluster } from '../support/cli';
import { realTool } from '../support/real-tools';
import { tempDir } from '../support/temp';

// The CLI's cluster-error cases against the real kubectl (__tests__/support/real-tools.ts):
// its messages are checked against what kubectl really prints, not a fake's wording. The
// texts below are kubectl 1.34.5's (and 1.32's). Only loopback is ever dialled: port 1 refuses
// at once. Each call is bounded twice: kubectl's --request-timeout, and the CLI's --timeout.
jest.setTimeout(60_000);

const kubectl = realTool('kubectl');
// With the Argo CD entry, so `gitops check` runs too.
const { cwd, index } = defaultDistWithGitOps();
const cluster = writeCluster(index);

/** A kubectl on PATH that records its call as the fakes do, then runs the real one with a request timeout. */
function realKubectlDir(): string {
  const dir = tempDir('real-kubectl');
  const script = `#!/bin/sh\necho "kubectl $*" >> "$FAKE_LOG"\nexec '${kubectl.path}' --request-timeout=5s "$@"\n`;
  fs.writeFileSync(path.join(dir, 'kubectl'), script, { mode: 0o755 });
  return dir;
}

/** A kubeconfig whose only context, `unreachable` (the current one), points at a loopback port nothing listens on. */
function unreachableKubeconfig(): string {
  const file = path.join(tempDir('kubeconfig'), 'config');
  fs.writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: unreachable, cluster: {server: "https://127.0.0.1:1"}}]',
      'users: [{name: nobody, user: {token: not-a-token}}]',
      'contexts: [{name: unreachable, context: {cluster: unreachable, user: nobody}}]',
      'current-context: unreachable',
      '',
    ].join('\n'),
  );
  return file;
}

const bin = realKubectlDir();
const kubeconfig = unreachableKubeconfig();
// istioctl stays the fake (up checks its version first); HOME keeps kubectl's cache out of the user's.
const env = () => fakeEnv(cluster, { KUBECONFIG: kubeconfig, HOME: tempDir('home') }, [bin, FAKE_BIN]);
const run = (args: string[]) => runIn([...args, '--timeout', '30'], env(), cwd);

const REFUSED = 'The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?';
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** kubectl's discovery log lines (`E1203 14:05:26.131531 31775 memcache.go:265] …`): never part of a message. */
const KLOG = /^\s*E\d{4} |memcache\.go/m;

describe(`the CLI against the real kubectl (${kubectl.source}: ${kubectl.path})`, () => {
  test.concurrent('GIVEN an unreachable cluster WHEN running status THEN kubectl’s refusal is the one line, after the first call', async () => {
    const result = await run(['status']);
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      `spire-mesh: cannot reach the cluster (kubectl get pods -n spire -o json: ${REFUSED}); check that the cluster is reachable: kubectl cluster-info, --context and KUBECONFIG (kubectl config current-context)`,
    );
    expect(result.calls).toEqual(['kubectl get pods -n spire -o json']);
  });

  test.concurrent.each([
    ['entries list', 'kubectl get pods -n spire -l app=spire-server -o json'],
    ['forward', 'kubectl get pods -n istio-system -l istio=ingressgateway -o json'],
    ['gitops check', 'kubectl get configmap argocd-cm -n argocd -o json'],
  ])('GIVEN an unreachable cluster WHEN running %s THEN it says the cluster cannot be reached, without kubectl’s discovery log', async (command, call) => {
    const result = await run(command.split(' '));
    expect(result.code).toBe(1);
    expect(result.err).toMatch(new RegExp(`^spire-mesh: cannot reach the cluster \\(${escape(call)}: ${escape(REFUSED)}\\); check that the cluster is reachable`));
    expect(result.err).not.toMatch(KLOG);
    expect(result.err).not.toMatch(/is SPIRE installed|run `npm run mesh -- up` first/);
  });

  test.concurrent('GIVEN an unreachable cluster WHEN up applies the first file THEN it stops there, in one line with kubectl’s error and the reachability hint', async () => {
    const result = await run(['up']);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^spire-mesh: cannot reach the cluster \(kubectl apply -f dist\/0000-namespaces\.k8s\.yaml: /);
    expect(result.err).toContain('failed to download openapi: Get "https://127.0.0.1:1/openapi/v2?timeout=5s": dial tcp 127.0.0.1:1: connect: connection refused');
    expect(result.err).toContain('check that the cluster is reachable: kubectl cluster-info, --context and KUBECONFIG');
    expect(result.err.trim().split('\n')).toHaveLength(1);
    expect(result.calls.filter((c) => c.startsWith('kubectl'))).toHaveLength(1);
  });

  test.concurrent('GIVEN an unreachable cluster WHEN running down THEN its "unable to recognize …: connection refused" is a failure, not "already gone"', async () => {
    const result = await run(['down']);
    expect(result.code).toBe(1);
    expect(result.out).not.toContain('already gone');
    expect(result.err).toMatch(/^spire-mesh: cannot reach the cluster \(kubectl delete -f /);
    expect(result.err).not.toMatch(KLOG);
  });

  test.concurrent('GIVEN a --context the kubeconfig lacks WHEN running status THEN it says so, naming get-contexts, not that the cluster is down', async () => {
    const result = await run(['status', '--context', 'kind-missing']);
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      'spire-mesh: context kind-missing not found (kubectl --context=kind-missing get pods -n spire -o json: error: context "kind-missing" does not exist); ' +
        'kubectl config get-contexts lists the contexts of KUBECONFIG',
    );
  });

  test.concurrent.each([['entries list'], ['forward'], ['gitops check']])('GIVEN a --context the kubeconfig lacks WHEN running %s THEN it names the context problem', async (command) => {
    const result = await run([...command.split(' '), '--context', 'kind-missing']);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^spire-mesh: context kind-missing not found \(kubectl --context=kind-missing get (pods|configmap) .*: error: context "kind-missing" does not exist\); kubectl config get-contexts/);
  });

  test.concurrent('GIVEN a --context the kubeconfig lacks WHEN up applies the first file THEN it names the context, in one line', async () => {
    const result = await run(['up', '--context', 'kind-missing']);
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      'spire-mesh: context kind-missing not found (kubectl --context=kind-missing apply -f dist/0000-namespaces.k8s.yaml: error: context "kind-missing" does not exist); ' +
        'kubectl config get-contexts lists the contexts of KUBECONFIG',
    );
  });
});
