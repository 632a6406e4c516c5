import * as fs from 'fs';
import * as path from 'path';
import { parse } from '../support/hcl';
import * as YAML from 'yaml';
import * as kplus from 'cdk8s-plus-25';
import { SpireAgent } from '../../lib/spire/agent';
import { SpiffeCsiDriver } from '../../lib/spire/csi-driver';
import { SpireAgentIdentity } from '../../lib/spire/agent-identity';
import { schemaProblems } from '../support/schema';
import { find, synthesize } from '../support/synth';
import { testChart } from '../support/test-app';

const HA = { spire: { server: { replicas: 3, datastore: { type: 'postgres', connectionStringSecret: { name: 'spire-db' } } } } };

describe('three servers on PostgreSQL from a Secret', () => {
  const { charts, mesh } = synthesize(HA);
  const spire = charts.get('spire')!;
  const statefulSet = find(spire, 'StatefulSet', 'spire-server', 'spire');
  const pod = statefulSet.spec.template.spec;
  const selector = mesh.spire.server.selector;

  test('synthesizes valid manifests', () => {
    expect(schemaProblems(spire)).toEqual([]);
  });

  test('runs 3 replicas, each with its own PVC for its own CA key (no shared key material)', async () => {
    expect(statefulSet.spec.replicas).toBe(3);
    const serverConf = await parse('server.conf', find(spire, 'ConfigMap', 'spire-server', 'spire').data['server.conf']);
    const keysPath: string = serverConf.plugins[0].KeyManager.disk[0].plugin_data[0].keys_path;
    const mount = pod.containers[0].volumeMounts.find((m: any) => keysPath.startsWith(`${m.mountPath}/`));
    // The keys file lies on a volume claim template (one PVC per pod), not a pod volume.
    expect(statefulSet.spec.volumeClaimTemplates.map((t: any) => t.metadata.name)).toEqual([mount.name]);
    expect(pod.volumes.map((v: any) => v.name)).not.toContain(mount.name);
  });

  test('a PodDisruptionBudget lets voluntary disruptions take one server at a time', () => {
    const pdb = find(spire, 'PodDisruptionBudget', 'spire-server', 'spire');
    expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: selector } });
    expect(statefulSet.spec.template.metadata.labels).toMatchObject(selector);
  });

  test('the replicas spread over nodes and zones, softly, selecting the server pods', () => {
    expect(pod.topologySpreadConstraints.map((c: any) => [c.topologyKey, c.maxSkew, c.whenUnsatisfiable, c.labelSelector.matchLabels])).toEqual([
      ['kubernetes.io/hostname', 1, 'ScheduleAnyway', selector],
      ['topology.kubernetes.io/zone', 1, 'ScheduleAnyway', selector],
    ]);
  });

  test('agents reach the servers through the one Service that selects them all', () => {
    const service = find(spire, 'Service', 'spire-server', 'spire');
    expect(service.spec.selector).toEqual(selector);
    expect(mesh.spire.agent.conf.serverAddress).toBe(`${service.metadata.name}.spire.svc`);
    expect(service.spec.clusterIP).toBeUndefined();
  });

  test('the connection string never lands in a ConfigMap, only a reference to the Secret', () => {
    const configMaps = [...charts.values()].flat().filter((o) => o.kind === 'ConfigMap');
    expect(JSON.stringify(configMaps)).not.toMatch(/postgres:\/\/|password|sslmode/i);
    expect(pod.containers[0].env).toEqual([
      { name: 'SPIRE_DATASTORE_CONNECTION_STRING', valueFrom: { secretKeyRef: { name: 'spire-db', key: 'connection-string' } } },
    ]);
    expect(find(spire, 'ConfigMap', 'spire-server', 'spire').data['server.conf']).toContain('connection_string = "$SPIRE_DATASTORE_CONNECTION_STRING"');
  });

  test('the server needs no new RBAC for the Secret: the kubelet reads it, not SPIRE', () => {
    const rules = spire.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole').flatMap((o: any) => o.rules);
    expect(JSON.stringify(rules)).not.toContain('secrets');
  });
});

test('the default is one server without a PDB (it would block every drain) or spread', () => {
  const spire = synthesize().charts.get('spire')!;
  expect(spire.filter((o) => o.kind === 'PodDisruptionBudget')).toEqual([]);
  const statefulSet = find(spire, 'StatefulSet', 'spire-server', 'spire');
  expect(statefulSet.spec.replicas).toBe(1);
  expect(statefulSet.spec.template.spec.topologySpreadConstraints).toBeUndefined();
});

test('replicas: 3 with SQLite is refused at synth time, naming the field and why', () => {
  expect(() => synthesize({ spire: { server: { replicas: 3 } } })).toThrow(
    "spire.server.replicas: 3 needs an external datastore (postgres or mysql): SQLite is one file on one pod's volume, servers cannot share it",
  );
});

test('the server has a writable /tmp (emptyDir) under its read-only root, for SQLite and Go temp files', () => {
  const pod = find(synthesize().charts.get('spire')!, 'StatefulSet', 'spire-server', 'spire').spec.template.spec;
  const container = pod.containers[0];
  expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
  const mount = container.volumeMounts.find((m: any) => m.mountPath === '/tmp');
  expect(mount).toBeDefined();
  expect(pod.volumes.find((v: any) => v.name === mount.name).emptyDir).toBeDefined();
});

test('the agent on the host network serves health on its own port, not 8080', () => {
  const { charts, mesh } = synthesize();
  const pod = find(charts.get('spire')!, 'DaemonSet', 'spire-agent', 'spire').spec.template.spec;
  expect(pod.hostNetwork).toBe(true);
  expect(mesh.spire.agent.conf.healthChecks.bindPort).toBe(9980);
  expect(pod.containers[0].ports).toEqual([{ name: 'healthz', containerPort: 9980, protocol: 'TCP' }]);
});

test('an agent can point at a server built elsewhere, and a CSI driver at an agent built elsewhere (interfaces)', () => {
  const chart = testChart('c');
  const namespace = new kplus.Namespace(chart, 'ns', { metadata: { name: 'spire' } });
  const identity = new SpireAgentIdentity(chart, 'identity', { namespace, clusterName: 'edge' });
  const agent = new SpireAgent(chart, 'agent', {
    identity,
    server: { trustDomain: 'corp.example', serviceDnsName: 'spire.identity.example.com', agentApiPort: 443, bundleConfigMapName: 'bundle', bundleKey: 'ca.pem' },
    image: 'ghcr.io/spiffe/spire-agent:1.15.3',
  });
  expect(agent.conf).toMatchObject({ trustDomain: 'corp.example', serverAddress: 'spire.identity.example.com', serverPort: 443, trustBundlePath: '/run/spire/bundle/ca.pem' });
  const csi = new SpiffeCsiDriver(chart, 'csi', {
    agent: { namespace: 'node-agents', socketHostDir: '/run/other-agent', socketFileName: 'socket' },
    image: 'ghcr.io/spiffe/spiffe-csi-driver:0.2.12',
    registrarImage: 'registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.17.0',
  });
  expect(csi.workloadApiSocketHostDir).toBe('/run/other-agent');
  expect(csi.daemonSet.metadata.namespace).toBe('node-agents');
});

test("the README's production example synthesizes three servers on PostgreSQL", () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const production = readme.slice(readme.indexOf('## Production'));
  const example = /```yaml\n# spire-mesh\.config\.yaml\n([\s\S]*?)```/.exec(production)!;
  const { mesh } = synthesize(YAML.parse(example[1]));
  expect(mesh.spire.server.replicas).toBe(3);
  expect(mesh.spire.server.conf.datastore.databaseType).toBe('postgres');
});
