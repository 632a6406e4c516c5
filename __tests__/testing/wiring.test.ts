import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import { buildMesh, Mesh } from '../../lib/composition-root';
import { resolveMeshConfig } from '../../lib/config/load';
import { MeshedService } from '../../lib/mesh/meshed-service';
import { meshManifests } from '../../lib/testing/manifests';
import { Manifest } from '../../lib/testing/schema';
import { wiringProblems } from '../../lib/testing/wiring';
import { registeredEntries, synthesize } from '../support/synth';
import { NEVER_WRITTEN } from '../support/test-app';

/**
 * wiringProblems (spire-mesh/testing) reads the pairs one part names and another must match
 * from the synthesized manifests. Here: it finds none in meshes that are wired, finds each
 * broken pair it claims to check, and checks something (the workloads and Gateways it walks exist).
 */

const CUSTOMISED = {
  trustDomain: 'corp.example',
  clusterName: 'prod-eu-1',
  namespaces: { spire: 'identity', istio: 'mesh-system' },
  istio: { nativeSidecars: false },
  bookinfo: { namespaces: ['team-a', 'team-b'] },
};
const OWN_SERVICES = {
  bookinfo: { enabled: false },
  services: [
    { name: 'web', namespace: 'shop', port: 8080, image: 'ghcr.io/example/web:1.0.0', callers: ['ingress'], route: { hosts: ['shop.example.com'] } },
    { name: 'orders', namespace: 'shop-backend', port: 9000, protocol: 'grpc', versions: [{ name: 'v1', image: 'ghcr.io/example/orders:2.0.1' }, { name: 'v2', image: 'ghcr.io/example/orders:2.1.0' }], callers: ['shop/web'] },
  ],
};

describe.each([
  ['the default mesh', {}, 6, 2],
  ['a customised mesh (trust domain, namespaces, classic sidecars, bookinfo twice)', CUSTOMISED, 12, 4],
  ['a mesh of own services in two namespaces, bookinfo off', OWN_SERVICES, 3, 1],
])('%s', (_name, overrides, deployments, gateways) => {
  const { mesh, all } = synthesize(overrides);

  test('THEN no pair is broken', () => {
    expect(wiringProblems(mesh)).toEqual([]);
  });

  test('THEN the checks walk every workload and Gateway (so "no problem" is not "nothing checked")', () => {
    expect(all.filter((o) => o.kind === 'Deployment' && !['spire', 'identity', 'istio-system', 'mesh-system'].includes(o.metadata.namespace!))).toHaveLength(deployments);
    expect(all.filter((o) => o.kind === 'Gateway')).toHaveLength(gateways);
    expect(registeredEntries(all).length).toBeGreaterThan(deployments / 2);
  });
});

/** The ApiObject `kind/name` of the mesh, to break one value of it with a JSON patch. */
function apiObject(mesh: Mesh, kind: string, name: string, namespace?: string): ApiObject {
  const found = mesh.charts
    .flatMap((c) => c.node.findAll())
    .filter((c): c is ApiObject => c instanceof ApiObject && c.kind === kind && c.name === name && (!namespace || c.metadata.namespace === namespace));
  expect(found).toHaveLength(1);
  return found[0];
}

function replaceInData(mesh: Mesh, name: string, key: string, from: string, to: string): void {
  const cm = apiObject(mesh, 'ConfigMap', name, 'spire');
  const text = (cm.toJson() as { data: Record<string, string> }).data[key];
  expect(text).toContain(from);
  cm.addJsonPatch(JsonPatch.replace(`/data/${key.replace('/', '~1')}`, text.replace(from, to)));
}

/** The registration Job's name and the index of its main container's variable `name`. */
function jobEnvIndex(mesh: Mesh, name: string): { job: string; i: number } {
  const job = mesh.charts.flatMap((c) => c.toJson() as Array<Record<string, any>>).find((o) => o.kind === 'Job')!;
  return { job: job.metadata.name, i: job.spec.template.spec.containers[0].env.findIndex((e: { name: string }) => e.name === name) };
}

test.each<[string, (mesh: Mesh) => void, RegExp]>([
  ['the agent socket is not the file Istio opens', (m) => replaceInData(m, 'spire-agent', 'agent.conf', '/agent-sockets/socket"', '/agent-sockets/agent.sock"'), /^socket path: agent.conf socket_path '\/run\/spire\/agent-sockets\/agent.sock' is not the file 'socket'/],
  ['the CSI driver serves another host directory', (m) => apiObject(m, 'DaemonSet', 'spiffe-csi-driver', 'spire').addJsonPatch(JsonPatch.replace('/spec/template/spec/volumes/0/hostPath/path', '/elsewhere')), /^socket path: the agent writes .* the CSI driver serves '\/elsewhere'$/],
  ['server.conf has another trust domain', (m) => replaceInData(m, 'spire-server', 'server.conf', 'trust_domain = "example.org"', 'trust_domain = "other.org"'), /^trust domain: server.conf has 'other.org', the mesh 'example.org'$/],
  ['the agents run as another service account', (m) => apiObject(m, 'DaemonSet', 'spire-agent', 'spire').addJsonPatch(JsonPatch.replace('/spec/template/spec/serviceAccountName', 'default')), /^node alias: selectors .*agent_sa:spire-agent.*, the attested agents are .*agent_sa:default/],
  ['a workload runs as a service account without an entry', (m) => apiObject(m, 'Deployment', 'ratings-v1', 'default').addJsonPatch(JsonPatch.replace('/spec/template/spec/serviceAccountName', 'nobody')), /^workload Deployment default\/ratings-v1: no registration entry for its identity spiffe:\/\/example.org\/ns\/default\/sa\/nobody$/],
  ['a workload lacks the label its entry selects', (m) => apiObject(m, 'Deployment', 'ratings-v1', 'default').addJsonPatch(JsonPatch.replace('/spec/template/metadata/labels/app', 'rating')), /^workload Deployment default\/ratings-v1: entry .* has selector k8s:pod-label:app:ratings, which its pod does not satisfy$/],
  ['a Gateway selects other pods', (m) => apiObject(m, 'Gateway', 'bookinfo-gateway', 'default').addJsonPatch(JsonPatch.replace('/spec/selector', { istio: 'egressgateway' })), /^ingress gateway: Gateway default\/bookinfo-gateway selects \{"istio":"egressgateway"\}/],
  ['the registration Job names another socket', (m) => {
    const { job, i } = jobEnvIndex(m, 'SERVER_SOCKET');
    apiObject(m, 'Job', job, 'spire').addJsonPatch(JsonPatch.replace(`/spec/template/spec/containers/0/env/${i}/value`, '/tmp/api.sock'));
  }, /^registration Job: SERVER_SOCKET '\/tmp\/api.sock', server.conf's socket_path is '\/run\/spire\/sockets\/server.sock'$/],
])('GIVEN %s WHEN checking the wiring THEN the broken pair is named', (_name, breakIt, message) => {
  const { mesh } = synthesize();
  breakIt(mesh);
  const problems = wiringProblems(mesh);
  expect(problems).toEqual([expect.stringMatching(message)]);
});

test('GIVEN a part the check reads is missing WHEN checking THEN it says what it expected instead of crashing', () => {
  const { mesh } = synthesize();
  apiObject(mesh, 'ConfigMap', 'spire-agent', 'spire').addJsonPatch(JsonPatch.replace('/metadata/name', 'renamed'));
  expect(wiringProblems(mesh)).toEqual(expect.arrayContaining([expect.stringMatching(/^socket path: expected one ConfigMap 'spire-agent' in 'spire', found 0$/)]));
});

describe("GIVEN a team's chart in the user's App", () => {
  function teamMesh(image = 'docker.io/ealen/echo-server:0.9.2') {
    const app = new App({ outdir: NEVER_WRITTEN });
    const mesh = buildMesh(resolveMeshConfig({}), { app });
    const team = new Chart(app, 'team-a');
    const echo = new MeshedService(team, 'echo', {
      name: 'echo',
      namespace: 'team-a',
      port: 8080,
      versions: [{ name: 'v1', image }],
      trustDomain: mesh.trustDomain,
      injection: mesh.injection,
      authorization: mesh.authorization,
    });
    return { mesh, team, echo };
  }

  test('WHEN listing what synth writes THEN its objects are there, once, after the mesh’s', () => {
    const { mesh, team } = teamMesh();
    const names = meshManifests(mesh).map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    const teams = (team.toJson() as Manifest[]).map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    expect(teams).toContain('Deployment/team-a/echo-v1');
    for (const name of teams) expect(names.filter((n) => n === name)).toHaveLength(1);
  });

  test('WHEN its workload runs as a service account without an entry THEN the wiring check names it', () => {
    const { mesh } = teamMesh();
    expect(wiringProblems(mesh)).toEqual([]);
    const { mesh: broken, team } = teamMesh();
    const deployment = team.node.findAll().find((c): c is ApiObject => c instanceof ApiObject && c.kind === 'Deployment')!;
    deployment.addJsonPatch(JsonPatch.replace('/spec/template/spec/serviceAccountName', 'nobody'));
    expect(wiringProblems(broken)).toEqual([expect.stringMatching(/^workload Deployment team-a\/echo-v1: no registration entry for its identity spiffe:\/\/example.org\/ns\/team-a\/sa\/nobody$/)]);
  });
});
