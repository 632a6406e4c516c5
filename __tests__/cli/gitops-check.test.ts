import * as fs from 'fs';
import * as path from 'path';
import { defaultDist, defaultDistWithGitOps, fakeEnv, run as runIn, writeCluster } from '../support/cli';
import { tempDir } from '../support/temp';

// `gitops check` against the fake kubectl, answering with an argocd-cm written per case.
jest.setTimeout(60_000);

const { cwd, index } = defaultDistWithGitOps();
const gitops = index.gitops!;
const cluster = writeCluster(index);
const PATCH = 'kubectl patch configmap argocd-cm -n argocd --type merge --patch-file dist/argocd/argocd-cm-health.k8s.yaml';
const GET = 'kubectl get configmap argocd-cm -n argocd -o json';

/** The live argocd-cm kubectl answers with: Argo CD's own keys plus `data`. */
function argocdCm(data: Record<string, string>): string {
  const file = path.join(tempDir('argocd-cm'), 'argocd-cm.json');
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-cm', namespace: 'argocd' }, data: { 'timeout.reconciliation': '180s', ...data } };
  fs.writeFileSync(file, JSON.stringify(cm));
  return file;
}
const run = (args: string[], extra: Record<string, string> = {}, dir = cwd) => runIn(['gitops', 'check', ...args], fakeEnv(cluster, extra), dir);

test.concurrent('GIVEN argocd-cm holds the health check synth generated WHEN checking THEN it says so and exits 0, after one read', async () => {
  const result = await run([], { FAKE_ARGOCD_CM: argocdCm({ [gitops.healthKey]: gitops.healthScript }) });
  expect(result.err).toBe('');
  expect(result.code).toBe(0);
  expect(result.out).toBe(`✓ argocd-cm in argocd: ${gitops.healthKey} is the health check synth generated; child Applications report their health, so each sync wave waits for them`);
  expect(result.calls).toEqual([GET]);
});

test.concurrent('GIVEN argocd-cm without the health key WHEN checking THEN it prints the exact patch to apply and exits 1', async () => {
  const result = await run([], { FAKE_ARGOCD_CM: argocdCm({}) });
  expect(result.code).toBe(1);
  expect(result.err).toBe(
    `spire-mesh: argocd-cm in argocd has no ${gitops.healthKey}: without it Argo CD gives a child Application no health, so its sync wave passes at once ` +
      `and workloads can start before the sidecar injector exists. Apply it:\n  ${PATCH}\nthen run \`npm run mesh -- gitops check\` again`,
  );
});

test.concurrent('GIVEN a health check that differs from synth’s WHEN checking THEN it names the first different line and prints the patch', async () => {
  const edited = gitops.healthScript.replace('hs.status = "Progressing"', 'hs.status = "Healthy"');
  expect(edited).not.toBe(gitops.healthScript);
  const result = await run([], { FAKE_ARGOCD_CM: argocdCm({ [gitops.healthKey]: edited }) });
  expect(result.code).toBe(1);
  expect(result.err).toContain(`has a ${gitops.healthKey} that differs from the one synth generated (from line 2)`);
  expect(result.err).toContain(`\n  ${PATCH}\n`);
});

test.concurrent('GIVEN only a missing final newline WHEN checking THEN that is a difference too: Argo CD runs what is stored, and the patch makes it exact', async () => {
  const result = await run([], { FAKE_ARGOCD_CM: argocdCm({ [gitops.healthKey]: gitops.healthScript.trimEnd() }) });
  expect(result.code).toBe(1);
  expect(result.err).toContain('differs from the one synth generated');
});

test.concurrent('GIVEN an unreachable cluster WHEN checking THEN one line says so, with kubectl’s words', async () => {
  const refused = 'The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?';
  const result = await run([], { FAKE_FAIL: 'get configmap', FAKE_FAIL_MESSAGE: refused });
  expect(result.code).toBe(1);
  expect(result.err).toBe(`spire-mesh: cannot reach the cluster (${GET}: ${refused}); check that the cluster is reachable: kubectl cluster-info, --context and KUBECONFIG (kubectl config current-context)`);
});

test.concurrent('GIVEN no argocd-cm in the namespace WHEN checking THEN it asks whether Argo CD is installed there', async () => {
  const result = await run([]);
  expect(result.code).toBe(1);
  expect(result.err).toMatch(/^spire-mesh: no ConfigMap argocd-cm in argocd \(kubectl get configmap argocd-cm -n argocd -o json\): is Argo CD installed in argocd\? .*gitops\.argocd\.namespace/);
});

test.concurrent('GIVEN kubectl answering something other than a ConfigMap WHEN checking THEN it says so, without a stack trace', async () => {
  const file = path.join(tempDir('argocd-cm'), 'garbage.json');
  fs.writeFileSync(file, '<html>proxy login</html>');
  const result = await run([], { FAKE_ARGOCD_CM: file });
  expect(result.code).toBe(1);
  expect(result.err).toBe("spire-mesh: kubectl's answer for argocd-cm in argocd is not a ConfigMap: <html>proxy login</html>");
});

test.concurrent('GIVEN --dry-run and a context WHEN checking THEN it shows the read and the patch, both with the context, and runs nothing', async () => {
  const result = await run(['--dry-run', '--context', 'kind-demo']);
  expect(result.code).toBe(0);
  expect(result.calls).toEqual([]);
  expect(result.out).toBe(
    '$ kubectl --context=kind-demo get configmap argocd-cm -n argocd -o json\n' +
      `then, when ${gitops.healthKey} is missing or differs from dist/argocd/argocd-cm-health.k8s.yaml, it prints: ` +
      'kubectl --context=kind-demo patch configmap argocd-cm -n argocd --type merge --patch-file dist/argocd/argocd-cm-health.k8s.yaml',
  );
});

test.concurrent('GIVEN a dist/ synthesized without gitops.repoURL WHEN checking THEN it says how to get the Argo CD files, calling nothing', async () => {
  const plain = defaultDist();
  const result = await run([], {}, plain.cwd);
  expect(result.code).toBe(1);
  expect(result.calls).toEqual([]);
  expect(result.err).toBe('spire-mesh: dist/meta/index.json names no Argo CD files: synth writes them only with gitops.repoURL set (docs/gitops.md); set it and run `npm run synth`');
});
