import * as path from 'path';
import { MeshIndex } from '../../lib/core/index-contract';
import { meshIndex } from '../../lib/synth';
import { commandLine, downPlan, entriesCreatePlan, forwardCommands, Plan, spireServerCommand, spireServerPodsCommand, statusParts, upPlan } from '../../lib/cli/plan';
import { synthesize } from '../support/synth';

// The index of a real build of the default mesh; chart order itself is asserted in composition-root.test.ts.
const fixtureIndex: MeshIndex = meshIndex(synthesize().mesh);
const stepOf = (chart: string) => fixtureIndex.steps.find((s) => s.chart === chart)!;
const job = stepOf('registration').objects.find((o) => o.kind === 'Job')!.name;
const options = { distDir: 'dist', pollSeconds: 10, timeoutSeconds: 300 };
const lines = (plan: Plan) => plan.steps.flatMap((s) => s.commands.map(commandLine));

describe('upPlan', () => {
  test('GIVEN a timeout and a poll interval WHEN planning THEN each wait repeats at most timeout/poll times', () => {
    const plan = upPlan(fixtureIndex, { distDir: 'out', pollSeconds: 7, timeoutSeconds: 60 });
    const waits = plan.steps.flatMap((s) => s.commands).filter((c) => c.wait);
    expect(waits).toHaveLength(12);
    for (const wait of waits) {
      expect(wait.wait?.attempts).toBe(9);
      expect(wait.args).toContain('--timeout=7s');
    }
  });

  test('GIVEN a context WHEN planning THEN every kubectl and istioctl call names it first', () => {
    const plan = upPlan(fixtureIndex, { ...options, context: 'kind-demo' });
    for (const cmd of plan.steps.flatMap((s) => s.commands)) expect(cmd.args[0]).toBe('--context=kind-demo');
  });

  test('GIVEN an IstioOperator in another namespace WHEN planning THEN istiod is awaited there', () => {
    const index: MeshIndex = {
      ...fixtureIndex,
      steps: fixtureIndex.steps.map((s) => (s.tool === 'istioctl' ? { ...s, objects: [{ ...s.objects[0], namespace: 'mesh-system' }] } : s)),
    };
    expect(lines(upPlan(index, options))).toContain('kubectl rollout status deployment/istiod -n mesh-system --timeout=10s');
  });

  test('GIVEN a SPIRE wait WHEN it fails THEN the hint points at the agent logs for attestation errors', () => {
    const wait = upPlan(fixtureIndex, options).steps.find((s) => s.title.startsWith('wait for spire'))!;
    expect(wait.hint).toMatch(/attestation/);
    expect(wait.hint).toContain('kubectl -n spire logs daemonset/spire-agent --all-containers');
  });
});

describe('downPlan', () => {
  test('GIVEN a chart that labels the built-in default namespace WHEN planning down THEN its other objects are deleted by name and default is kept', () => {
    const index: MeshIndex = {
      ...fixtureIndex,
      steps: [
        {
          chart: 'bookinfo',
          description: 'bookinfo',
          file: '0004-bookinfo.k8s.yaml',
          tool: 'kubectl',
          wave: 0,
          objects: [
            { apiVersion: 'v1', kind: 'Namespace', name: 'default' },
            { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'details-v1' },
            { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', namespace: 'default', name: 'bookinfo-gateway' },
          ],
        },
      ],
    };
    const plan = downPlan(index, options);
    expect(lines(plan)).toEqual(['kubectl delete -n default deployment.apps/details-v1 gateway.networking.istio.io/bookinfo-gateway --ignore-not-found --cascade=foreground']);
    expect(plan.steps[0].title).toContain('keeping namespace default');
  });

  test('GIVEN the namespaces the mesh creates WHEN planning down THEN each is deleted last, only after a look at what else is in it', () => {
    const plan = downPlan(fixtureIndex, options);
    const last = plan.steps[plan.steps.length - 1];
    expect(last.commands.map((c) => [commandLine(c), commandLine(c.onlyIfEmpty!.check)])).toEqual([
      ['kubectl delete namespace istio-system --ignore-not-found', 'kubectl get pods,deployments,statefulsets,daemonsets,replicasets,jobs,cronjobs,services,persistentvolumeclaims -n istio-system -o json'],
      ['kubectl delete namespace spire --ignore-not-found', 'kubectl get pods,deployments,statefulsets,daemonsets,replicasets,jobs,cronjobs,services,persistentvolumeclaims -n spire -o json'],
    ]);
    const spire = last.commands.find((c) => c.onlyIfEmpty!.namespace === 'spire')!.onlyIfEmpty!;
    expect(spire.known.map((o) => o.name)).toContain('spire-server');
    expect(spire.known.every((o) => o.namespace === 'spire')).toBe(true);
  });

  test('GIVEN no istioctl WHEN planning down THEN the Istio step is skipped, saying how to remove Istio, and the kubectl steps stay', () => {
    const withIt = downPlan(fixtureIndex, options);
    const without = downPlan(fixtureIndex, options, { istioctl: false });
    const istio = without.steps.find((s) => s.title.startsWith('uninstall Istio'))!;
    expect(istio.commands).toEqual([]);
    expect(istio.skipped).toBe(`istioctl not found on PATH, so Istio is still installed; to remove it, install istioctl ${fixtureIndex.istioVersion} and run: istioctl uninstall -f dist/istioctl/istio-operator.k8s.yaml -y`);
    expect(lines(without)).toEqual(lines(withIt).filter((l) => !l.startsWith('istioctl')));
  });

  test('GIVEN a delete whose CRD is gone WHEN checking its tolerated errors THEN kubectl\'s CRD messages count as already gone', () => {
    const del = downPlan(fixtureIndex, options).steps[0].commands[0];
    const stderr = [
      'error: resource mapping not found for name: "bookinfo-gateway" namespace: "default" from "dist/0004-bookinfo.k8s.yaml": no matches for kind "Gateway" in version "networking.istio.io/v1"',
      'ensure CRDs are installed first',
    ];
    for (const line of stderr) expect(del.alreadyDone!.some((re) => re.test(line))).toBe(true);
    expect(del.alreadyDone!.some((re) => re.test('error: You must be logged in to the server (Unauthorized)'))).toBe(false);
  });
});

describe('entries, forward and status', () => {
  test('GIVEN the registration step WHEN planning entries create THEN the Job is deleted, re-applied and awaited', () => {
    expect(lines(entriesCreatePlan(fixtureIndex, options))).toEqual([
      `kubectl delete -n spire job/${job} --ignore-not-found`,
      `kubectl apply -f ${path.join('dist', stepOf('registration').file)}`,
      `kubectl wait --for=condition=complete job/${job} -n spire --timeout=10s`,
    ]);
  });

  test('GIVEN the admin section WHEN building a spire-server command THEN it finds the pods by selector and execs into one with the admin socket', () => {
    const { selector, adminSocketPath } = fixtureIndex.admin.spireServer;
    expect(commandLine(spireServerPodsCommand(fixtureIndex, options))).toBe(
      `kubectl get pods -n spire -l ${Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',')} -o json`,
    );
    expect(commandLine(spireServerCommand(fixtureIndex, options, 'spire-server-1', 'entry', 'show'))).toBe(
      `kubectl exec -n spire spire-server-1 -c spire-server -- /opt/spire/bin/spire-server entry show -socketPath ${adminSocketPath}`,
    );
  });

  test('GIVEN the gateway WHEN planning forward THEN a running gateway pod\'s HTTP port is forwarded to the local port', () => {
    const { findPod, forward } = forwardCommands(fixtureIndex, options, 9000);
    expect(commandLine(findPod)).toBe('kubectl get pods -n istio-system -l istio=ingressgateway -o json');
    expect(commandLine(forward('gw-1'))).toBe('kubectl port-forward -n istio-system pod/gw-1 9000:8080');
  });

  test('GIVEN an index without a gateway or a Job WHEN a command needs them THEN it says which part is missing', () => {
    const bare: MeshIndex = { ...fixtureIndex, steps: fixtureIndex.steps.filter((s) => s.chart === 'namespaces'), admin: { spireServer: fixtureIndex.admin.spireServer } };
    expect(() => forwardCommands(bare, options, 8000)).toThrow(/no admin.ingressGateway/);
    expect(() => entriesCreatePlan(bare, options)).toThrow(/no step of the index holds a Job/);
  });

  test('GIVEN the index WHEN listing status parts THEN each part with pods appears in apply order, Istio as its whole namespace', () => {
    const parts = statusParts(fixtureIndex);
    expect(parts.map((p) => p.title)).toEqual(fixtureIndex.steps.filter((s) => s.chart !== 'namespaces' && s.chart !== 'mesh-policy').map((s) => s.chart));
    expect(parts.find((p) => p.title === 'istio-operator')!.namespaces.get('istio-system')).toEqual([]);
  });
});

describe('every step of the index', () => {
  test('GIVEN the mesh built from the defaults WHEN planning up and down THEN every step of its index is covered, in order', () => {
    const index = fixtureIndex;
    const up = upPlan(index, options);
    const applied = up.steps.flatMap((s) => s.commands).filter((c) => c.args[0] === 'apply' || c.args[0] === 'install');
    expect(applied.map((c) => c.args[2])).toEqual(index.steps.map((s) => path.join('dist', s.file)));
    // Istio by its own file, never --purge (every revision); the namespaces' file never whole: each namespace last, on its own.
    const namespaces = index.steps.flatMap((s) => s.objects).filter((o) => o.kind === 'Namespace').map((o) => o.name);
    expect(lines(downPlan(index, options))).toEqual([
      ...[...index.steps]
        .reverse()
        .filter((s) => s.objects.some((o) => o.kind !== 'Namespace'))
        .map((s) => (s.tool === 'istioctl' ? `istioctl uninstall -f ${path.join('dist', s.file)} -y` : `kubectl delete -f ${path.join('dist', s.file)} --ignore-not-found --cascade=foreground`)),
      ...namespaces.reverse().map((ns) => `kubectl delete namespace ${ns} --ignore-not-found`),
    ]);
  });
});
