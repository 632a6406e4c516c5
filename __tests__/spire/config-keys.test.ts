import { synthesize } from '../support/synth';
import { differingPaths, flatten } from './flatten';

/**
 * For each config key SPIRE uses: change it, synthesize, and compare every leaf of the
 * namespaces and spire charts (SPIRE configs parsed key by key) with the defaults. The set of
 * leaves that differ must be exactly the places that use the key: nothing missed, nothing else.
 */
const CONFIG_SHA = (kind: string, name: string) => `${kind}/${name}.spec.template.metadata.annotations.spire-mesh/config-sha256`;
const SERVER_CONF = 'ConfigMap/spire-server.data.server.conf';
const AGENT_CONF = 'ConfigMap/spire-agent.data.agent.conf';
const PSAT_CLUSTERS = `${SERVER_CONF}.plugins[0].NodeAttestor.k8s_psat[0].plugin_data[0].clusters`;

const base = synthesize();

async function changes(overrides: unknown): Promise<{ paths: string[]; after: Map<string, unknown> }> {
  const changed = synthesize(overrides);
  const paths: string[] = [];
  let after = new Map<string, unknown>();
  for (const chart of ['namespaces', 'spire']) {
    const a = await flatten(base.charts.get(chart)!);
    const b = await flatten(changed.charts.get(chart)!);
    paths.push(...differingPaths(a, b));
    after = new Map([...after, ...b]);
  }
  return { paths: paths.sort(), after };
}

test('trustDomain reaches both configs (and rolls both pods), nothing else', async () => {
  const { paths, after } = await changes({ trustDomain: 'corp.example' });
  expect(paths).toEqual(
    [
      `${AGENT_CONF}.agent[0].trust_domain`,
      `${SERVER_CONF}.server[0].trust_domain`,
      CONFIG_SHA('DaemonSet', 'spire-agent'),
      CONFIG_SHA('StatefulSet', 'spire-server'),
    ].sort(),
  );
  expect(after.get(`${AGENT_CONF}.agent[0].trust_domain`)).toBe('corp.example');
  expect(after.get(`${SERVER_CONF}.server[0].trust_domain`)).toBe('corp.example');
});

test('clusterName reaches the agent attestor and the server k8s_psat cluster key, nothing else', async () => {
  const { paths, after } = await changes({ clusterName: 'prod-east' });
  expect(paths).toEqual(
    [
      `${AGENT_CONF}.plugins[0].NodeAttestor.k8s_psat[0].plugin_data[0].cluster`,
      `${PSAT_CLUSTERS}.demo-cluster.audience[0]`,
      `${PSAT_CLUSTERS}.demo-cluster.service_account_allow_list[0]`,
      `${PSAT_CLUSTERS}.prod-east.audience[0]`,
      `${PSAT_CLUSTERS}.prod-east.service_account_allow_list[0]`,
      CONFIG_SHA('DaemonSet', 'spire-agent'),
      CONFIG_SHA('StatefulSet', 'spire-server'),
    ].sort(),
  );
  expect(after.get(`${AGENT_CONF}.plugins[0].NodeAttestor.k8s_psat[0].plugin_data[0].cluster`)).toBe('prod-east');
  expect(after.has(`${PSAT_CLUSTERS}.demo-cluster.audience[0]`)).toBe(false);
});

test('namespaces.spire reaches every namespaced object, subject, DNS name, allow list and bundle namespace, nothing else', async () => {
  const { paths, after } = await changes({ namespaces: { spire: 'identity' } });
  const namespaced = [
    'ConfigMap/spire-agent',
    'ConfigMap/spire-server',
    'ConfigMap/trust-bundle',
    'DaemonSet/spiffe-csi-driver',
    'DaemonSet/spire-agent',
    'Role/spire-server-bundle',
    'RoleBinding/spire-server-bundle',
    'Service/spire-server',
    'ServiceAccount/spiffe-csi-driver',
    'ServiceAccount/spire-agent',
    'ServiceAccount/spire-server',
    'StatefulSet/spire-server',
  ];
  const namespaceObject = (name: string) =>
    ['apiVersion', 'kind', 'metadata.annotations.argocd.argoproj.io/sync-wave', 'metadata.name'].concat(
      ['audit', 'enforce', 'warn'].map((mode) => `metadata.labels.pod-security.kubernetes.io/${mode}`),
    ).map((leaf) => `Namespace/${name}.${leaf}`);
  expect(paths).toEqual(
    [
      ...namespaceObject('spire'),
      ...namespaceObject('identity'),
      ...namespaced.map((o) => `${o}.metadata.namespace`),
      'ClusterRoleBinding/spire-agent.subjects[0].namespace',
      'ClusterRoleBinding/spire-server.subjects[0].namespace',
      'RoleBinding/spire-server-bundle.subjects[0].namespace',
      `${AGENT_CONF}.agent[0].server_address`,
      `${PSAT_CLUSTERS}.demo-cluster.service_account_allow_list[0]`,
      `${SERVER_CONF}.plugins[0].Notifier.k8sbundle[0].plugin_data[0].namespace`,
      CONFIG_SHA('DaemonSet', 'spire-agent'),
      CONFIG_SHA('StatefulSet', 'spire-server'),
    ].sort(),
  );
  expect(after.get(`${AGENT_CONF}.agent[0].server_address`)).toBe('spire-server.identity.svc');
  expect(after.get(`${PSAT_CLUSTERS}.demo-cluster.service_account_allow_list[0]`)).toBe('identity:spire-agent');
  expect(after.get('Namespace/identity.metadata.labels.pod-security.kubernetes.io/enforce')).toBe('privileged');
});

test.each([
  ['spireServer', 'ghcr.io/spiffe/spire-server:1.15.4', 'StatefulSet/spire-server.spec.template.spec.containers[0].image'],
  ['spireAgent', 'ghcr.io/spiffe/spire-agent:1.15.4', 'DaemonSet/spire-agent.spec.template.spec.containers[0].image'],
  ['spiffeCsiDriver', 'ghcr.io/spiffe/spiffe-csi-driver:0.2.13', 'DaemonSet/spiffe-csi-driver.spec.template.spec.containers[0].image'],
  ['csiNodeDriverRegistrar', 'registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.16.0', 'DaemonSet/spiffe-csi-driver.spec.template.spec.containers[1].image'],
])('images.%s reaches its one container, nothing else', async (key, image, path) => {
  const { paths, after } = await changes({ images: { [key]: image } });
  expect(paths).toEqual([path]);
  expect(after.get(path)).toBe(image);
});

test('spire.server.storageSize reaches the PVC template, nothing else', async () => {
  const path = 'StatefulSet/spire-server.spec.volumeClaimTemplates[0].spec.resources.requests.storage';
  const { paths, after } = await changes({ spire: { server: { storageSize: '5Gi' } } });
  expect(paths).toEqual([path]);
  expect(after.get(path)).toBe('5Gi');
});

test('spire.server.caTtl reaches ca_ttl and the agent_ttl derived from it (and rolls the server), nothing else', async () => {
  const { paths, after } = await changes({ spire: { server: { caTtl: '24h' } } });
  expect(paths).toEqual([`${SERVER_CONF}.server[0].agent_ttl`, `${SERVER_CONF}.server[0].ca_ttl`, CONFIG_SHA('StatefulSet', 'spire-server')].sort());
  expect(after.get(`${SERVER_CONF}.server[0].ca_ttl`)).toBe('24h');
  // The default agent TTL, 24h, shortened to a sixth of the CA's.
  expect(after.get(`${SERVER_CONF}.server[0].agent_ttl`)).toBe('4h');
});

test.each([
  ['defaultX509SvidTtl', '5m', 'default_x509_svid_ttl'],
  ['agentTtl', '5m', 'agent_ttl'],
])('spire.server.%s reaches server.conf (and rolls the server), nothing else', async (key, value, confKey) => {
  const { paths, after } = await changes({ spire: { server: { [key]: value } } });
  expect(paths).toEqual([`${SERVER_CONF}.server[0].${confKey}`, CONFIG_SHA('StatefulSet', 'spire-server')].sort());
  expect(after.get(`${SERVER_CONF}.server[0].${confKey}`)).toBe(value);
});

test('spire.server.logLevel reaches server.conf only; spire.agent.logLevel reaches agent.conf only', async () => {
  const server = await changes({ spire: { server: { logLevel: 'DEBUG' } } });
  expect(server.paths).toEqual([`${SERVER_CONF}.server[0].log_level`, CONFIG_SHA('StatefulSet', 'spire-server')].sort());
  expect(server.after.get(`${SERVER_CONF}.server[0].log_level`)).toBe('DEBUG');
  const agent = await changes({ spire: { agent: { logLevel: 'WARN' } } });
  expect(agent.paths).toEqual([`${AGENT_CONF}.agent[0].log_level`, CONFIG_SHA('DaemonSet', 'spire-agent')].sort());
  expect(agent.after.get(`${AGENT_CONF}.agent[0].log_level`)).toBe('WARN');
});

test('spire.server.caKeyType and caSubject reach server.conf only', async () => {
  const { paths } = await changes({ spire: { server: { caKeyType: 'ec-p256', caSubject: { country: 'DE', organization: 'Acme Labs' } } } });
  expect(paths).toEqual(
    [
      `${SERVER_CONF}.server[0].ca_key_type`,
      `${SERVER_CONF}.server[0].ca_subject[0].country[0]`,
      `${SERVER_CONF}.server[0].ca_subject[0].organization[0]`,
      CONFIG_SHA('StatefulSet', 'spire-server'),
    ].sort(),
  );
});

test('spire.agent.skipKubeletVerification reaches the k8s workload attestor only', async () => {
  const { paths, after } = await changes({ spire: { agent: { skipKubeletVerification: false } } });
  const path = `${AGENT_CONF}.plugins[0].WorkloadAttestor.k8s[0].plugin_data[0].skip_kubelet_verification`;
  expect(paths).toEqual([path, CONFIG_SHA('DaemonSet', 'spire-agent')].sort());
  expect(after.get(path)).toBe(false);
});

const POSTGRES = { type: 'postgres', connectionStringSecret: { name: 'spire-db', key: 'dsn' } };
const SQL = `${SERVER_CONF}.plugins[0].DataStore.sql[0].plugin_data[0]`;
const SERVER_CONTAINER = 'StatefulSet/spire-server.spec.template.spec.containers[0]';

test('spire.server.datastore reaches the sql plugin, -expandEnv and the Secret-backed env, nothing else', async () => {
  const { paths, after } = await changes({ spire: { server: { datastore: POSTGRES } } });
  expect(paths).toEqual(
    [
      `${SQL}.connection_string`,
      `${SQL}.database_type`,
      CONFIG_SHA('StatefulSet', 'spire-server'),
      `${SERVER_CONTAINER}.args[2]`,
      `${SERVER_CONTAINER}.env[0].name`,
      `${SERVER_CONTAINER}.env[0].valueFrom.secretKeyRef.key`,
      `${SERVER_CONTAINER}.env[0].valueFrom.secretKeyRef.name`,
    ].sort(),
  );
  expect(after.get(`${SQL}.database_type`)).toBe('postgres');
  expect(after.get(`${SERVER_CONTAINER}.args[2]`)).toBe('-expandEnv');
  expect(after.get(`${SERVER_CONTAINER}.env[0].valueFrom.secretKeyRef.name`)).toBe('spire-db');
});

test('spire.server.replicas (on postgres) adds the replicas, the PDB and the spread, nothing else', async () => {
  const postgres = (await changes({ spire: { server: { datastore: POSTGRES } } })).paths;
  const { paths, after } = await changes({ spire: { server: { replicas: 3, datastore: POSTGRES } } });
  const added = paths.filter((p) => !postgres.includes(p));
  expect(added.filter((p) => !p.startsWith('PodDisruptionBudget/spire-server.') && !p.includes('.topologySpreadConstraints['))).toEqual([
    'StatefulSet/spire-server.spec.replicas',
  ]);
  expect(after.get('StatefulSet/spire-server.spec.replicas')).toBe(3);
  expect(after.get('PodDisruptionBudget/spire-server.spec.maxUnavailable')).toBe(1);
  expect(after.get('StatefulSet/spire-server.spec.template.spec.topologySpreadConstraints[0].topologyKey')).toBe('kubernetes.io/hostname');
});

const POD_SPEC = (name: string) => `DaemonSet/${name}.spec.template.spec`;

test.each([
  ['agent', 'spire-agent'],
  ['csiDriver', 'spiffe-csi-driver'],
])('spire.%s.tolerations and priorityClassName reach its DaemonSet only', async (key, daemonSet) => {
  const tolerations = [{ key: 'dedicated', operator: 'Equal', value: 'mesh', effect: 'NoExecute', tolerationSeconds: 300 }];
  const { paths, after } = await changes({ spire: { [key]: { tolerations, priorityClassName: 'mesh-node-critical' } } });
  const toleration = `${POD_SPEC(daemonSet)}.tolerations[0]`;
  // The default `{ operator: Exists }` changes to Equal; the other four fields are new.
  expect(paths).toEqual(
    [`${POD_SPEC(daemonSet)}.priorityClassName`, ...['effect', 'key', 'operator', 'tolerationSeconds', 'value'].map((f) => `${toleration}.${f}`)].sort(),
  );
  expect(after.get(`${POD_SPEC(daemonSet)}.priorityClassName`)).toBe('mesh-node-critical');
  expect(after.get(`${toleration}.operator`)).toBe('Equal');
  expect(after.get(`${toleration}.tolerationSeconds`)).toBe(300);
});
