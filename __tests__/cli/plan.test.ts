import * as fs from 'fs';
import * as path from 'path';
import { meshIndex, MeshIndex } from '../../lib/synth';
import { commandLine, downPlan, entriesCreatePlan, forwardCommands, Plan, spireServerCommand, statusParts, upPlan } from '../../lib/cli/plan';
import { synthesize } from '../support/synth';

const fixtureIndex: MeshIndex = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'dist', 'meta', 'index.json'), 'utf8'));
const options = { distDir: 'dist', pollSeconds: 10, timeoutSeconds: 300 };
const lines = (plan: Plan) => plan.steps.flatMap((s) => s.commands.map(commandLine));
const titles = (plan: Plan) => plan.steps.map((s) => s.title);

describe('upPlan', () => {
  test('GIVEN the index of every chart WHEN planning up THEN each step is applied in index order and followed by a wait for its workloads', () => {
    const plan = upPlan(fixtureIndex, options);
    expect(titles(plan)).toEqual([
      'apply namespaces: namespaces of SPIRE, Istio and the workloads',
      'apply spire: SPIRE server, agents and the SPIFFE CSI driver',
      'wait for spire: statefulset/spire-server, daemonset/spire-agent, daemonset/spiffe-csi-driver',
      'apply registration: SPIRE registration entries, created by a Job',
      'wait for registration: job/spire-registration-3f9a1c2b',
      'install Istio: Istio with the SPIRE injection template and ingress gateway',
      'wait for istiod and the ingress gateway',
      'apply mesh-policy: mesh-wide STRICT mTLS',
      'apply bookinfo: bookinfo and its gateway routing',
      'wait for bookinfo: deployment/details-v1, deployment/ratings-v1, deployment/reviews-v1, deployment/reviews-v2, deployment/reviews-v3, deployment/productpage-v1',
    ]);
    expect(lines(plan).slice(0, 11)).toEqual([
      'kubectl apply -f dist/0000-namespaces.k8s.yaml',
      'kubectl apply -f dist/0001-spire.k8s.yaml',
      'kubectl rollout status statefulset/spire-server -n spire --timeout=10s',
      'kubectl rollout status daemonset/spire-agent -n spire --timeout=10s',
      'kubectl rollout status daemonset/spiffe-csi-driver -n spire --timeout=10s',
      'kubectl apply -f dist/0002-registration.k8s.yaml',
      'kubectl wait --for=condition=complete job/spire-registration-3f9a1c2b -n spire --timeout=10s',
      'istioctl install -f dist/istioctl/istio-operator.k8s.yaml -y',
      'kubectl rollout status deployment/istiod -n istio-system --timeout=10s',
      'kubectl wait --for=condition=available deployment -l istio=ingressgateway -n istio-system --timeout=10s',
      'kubectl apply -f dist/0003-mesh-policy.k8s.yaml',
    ]);
  });

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
  test('GIVEN the index WHEN planning down THEN steps are deleted in reverse order, Istio with istioctl uninstall', () => {
    expect(lines(downPlan(fixtureIndex, options))).toEqual([
      'kubectl delete -f dist/0004-bookinfo.k8s.yaml --ignore-not-found',
      'kubectl delete -f dist/0003-mesh-policy.k8s.yaml --ignore-not-found',
      'istioctl uninstall --purge -y',
      'kubectl delete -f dist/0002-registration.k8s.yaml --ignore-not-found',
      'kubectl delete -f dist/0001-spire.k8s.yaml --ignore-not-found',
      'kubectl delete -f dist/0000-namespaces.k8s.yaml --ignore-not-found',
    ]);
  });

  test('GIVEN a chart that labels the built-in default namespace WHEN planning down THEN its other objects are deleted by name and default is kept', () => {
    const index: MeshIndex = {
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
    expect(lines(plan)).toEqual(['kubectl delete -n default deployment.apps/details-v1 gateway.networking.istio.io/bookinfo-gateway --ignore-not-found']);
    expect(plan.steps[0].title).toContain('keeping namespace default');
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
      'kubectl delete -n spire job/spire-registration-3f9a1c2b --ignore-not-found',
      'kubectl apply -f dist/0002-registration.k8s.yaml',
      'kubectl wait --for=condition=complete job/spire-registration-3f9a1c2b -n spire --timeout=10s',
    ]);
  });

  test('GIVEN the admin section WHEN building a spire-server command THEN it execs into the server pod with the admin socket', () => {
    expect(commandLine(spireServerCommand(fixtureIndex, options, 'entry', 'show'))).toBe(
      'kubectl exec -n spire spire-server-0 -c spire-server -- /opt/spire/bin/spire-server entry show -socketPath /tmp/spire-server/private/api.sock',
    );
  });

  test('GIVEN the gateway WHEN planning forward THEN a running gateway pod\'s HTTP port is forwarded to the local port', () => {
    const { findPod, forward } = forwardCommands(fixtureIndex, options, 9000);
    expect(commandLine(findPod)).toBe(
      "kubectl get pods -n istio-system -l istio=ingressgateway --field-selector=status.phase=Running -o 'jsonpath={.items[0].metadata.name}'",
    );
    expect(commandLine(forward('gw-1'))).toBe('kubectl port-forward -n istio-system pod/gw-1 9000:8080');
  });

  test('GIVEN an index without the admin section WHEN a command needs it THEN it says which part is missing', () => {
    const bare: MeshIndex = { steps: fixtureIndex.steps.filter((s) => s.chart === 'namespaces') };
    expect(() => spireServerCommand(bare, options, 'entry', 'show')).toThrow(/no admin.spireServer: this mesh has no SPIRE server/);
    expect(() => forwardCommands(bare, options, 8000)).toThrow(/no admin.ingressGateway/);
    expect(() => entriesCreatePlan(bare, options)).toThrow(/no step of the index holds a Job/);
  });

  test('GIVEN the index WHEN listing status parts THEN each part with pods appears in apply order, Istio as its whole namespace', () => {
    const parts = statusParts(fixtureIndex);
    expect(parts.map((p) => p.title)).toEqual(['spire', 'registration', 'istio-operator', 'bookinfo']);
    expect(parts.find((p) => p.title === 'istio-operator')!.namespaces.get('istio-system')).toEqual([]);
  });
});

describe('the real synthesized index of the current mesh', () => {
  test('GIVEN the mesh built from the defaults WHEN planning up and down THEN every step of its index is covered, in order', () => {
    const { mesh } = synthesize();
    const index = meshIndex(mesh);
    const up = upPlan(index, options);
    const applied = up.steps.flatMap((s) => s.commands).filter((c) => c.args[0] === 'apply' || c.args[0] === 'install');
    expect(applied.map((c) => c.args[2])).toEqual(index.steps.map((s) => path.join('dist', s.file)));
    expect(lines(downPlan(index, options))).toEqual(
      [...index.steps].reverse().map((s) => (s.tool === 'istioctl' ? 'istioctl uninstall --purge -y' : `kubectl delete -f ${path.join('dist', s.file)} --ignore-not-found`)),
    );
  });

  test('GIVEN the committed dist/ WHEN reading its index THEN it equals the index of a fresh in-memory build', () => {
    const committed = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'dist', 'meta', 'index.json'), 'utf8'));
    expect(committed).toEqual(meshIndex(synthesize().mesh));
  });
});
