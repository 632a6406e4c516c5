import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { parse } from '../support/hcl';
import { schemaProblems } from '../support/schema';
import { find, synthesize } from '../support/synth';
import { referenceKeys, unknownKeys } from './reference-keys';

const README = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
const SERVER_FULL = referenceKeys('server_full.conf');

/**
 * Keys a plugin's own page documents at v1.15.3 that server_full.conf leaves out; each was read
 * in that page's configuration table.
 */
const DOCUMENTED_OUTSIDE_SERVER_FULL: Record<string, readonly string[]> = {
  // doc/plugin_server_keymanager_aws_kms.md (table "Configuration", row key_policy_file)
  'KeyManager "aws_kms"': ['key_policy_file'],
};

function undocumented(parsed: Record<string, any>): string[] {
  return unknownKeys(parsed, SERVER_FULL).filter((key) => {
    const plugin = Object.keys(DOCUMENTED_OUTSIDE_SERVER_FULL).find((p) => key.startsWith(`${p} `));
    return !plugin || !DOCUMENTED_OUTSIDE_SERVER_FULL[plugin].includes(key.slice(plugin.length + 1));
  });
}

/** The README's one complete production config, the block under "## Production". */
function productionExample(): unknown {
  const production = README.slice(README.indexOf('## Production'));
  return YAML.parse(/```yaml\n# spire-mesh\.config\.yaml\n([\s\S]*?)```/.exec(production)![1]);
}

async function serverConf(overrides: unknown): Promise<{ spire: readonly any[]; conf: Record<string, any>; plugins: Record<string, any> }> {
  const spire = synthesize(overrides).charts.get('spire')!;
  const conf = await parse('server.conf', find(spire, 'ConfigMap', 'spire-server', 'spire').data['server.conf']);
  return { spire, conf, plugins: Object.assign({}, ...conf.plugins) };
}

const pluginData = (plugins: Record<string, any>, type: string, name: string) => plugins[type][name][0].plugin_data[0];
const serverPod = (spire: readonly any[]) => find(spire, 'StatefulSet', 'spire-server', 'spire').spec.template.spec;

describe("the README's production config: three servers, PostgreSQL with its CA, cert-manager upstream, AWS KMS keys", () => {
  test('every key of its server.conf exists for its plugin in SPIRE 1.15.3 (server_full.conf)', async () => {
    const { conf, plugins } = await serverConf(productionExample());
    expect(unknownKeys(conf, SERVER_FULL)).toEqual([]);
    expect(Object.keys(plugins.UpstreamAuthority)).toEqual(['cert-manager']);
    expect(Object.keys(plugins.KeyManager)).toEqual(['aws_kms']);
    expect(conf.server[0]).toMatchObject({ ca_ttl: '168h', default_x509_svid_ttl: '1h', agent_ttl: '24h' });
  });

  test('synthesizes valid manifests for three replicas', () => {
    const { charts, mesh } = synthesize(productionExample());
    expect(schemaProblems(charts.get('spire')!)).toEqual([]);
    expect(mesh.spire.server.replicas).toBe(3);
  });

  test('cert-manager: the plugin data SPIRE requires, and exactly the CertificateRequest verbs it calls, in that namespace', async () => {
    const { spire, plugins } = await serverConf(productionExample());
    expect(pluginData(plugins, 'UpstreamAuthority', 'cert-manager')).toEqual({
      issuer_name: 'spire-upstream-ca',
      issuer_kind: 'Issuer',
      issuer_group: 'cert-manager.io',
      namespace: 'spire',
    });
    const role = find(spire, 'Role', 'spire-server-cert-manager', 'spire');
    // certmanager.go:181 Create, :201 Get (polls); api.go:76 List, :103 Delete (stale requests) at v1.15.3.
    expect(role.rules).toEqual([{ apiGroups: ['cert-manager.io'], resources: ['certificaterequests'], verbs: ['create', 'get', 'list', 'delete'] }]);
    const binding = find(spire, 'RoleBinding', 'spire-server-cert-manager', 'spire');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'spire-server', namespace: 'spire' }]);
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'spire-server-cert-manager' });
  });

  test('aws_kms: region and a key identifier file on each pod\'s PVC; access through IRSA, no keys in the config or the pod', async () => {
    const { spire, plugins } = await serverConf(productionExample());
    const kms = pluginData(plugins, 'KeyManager', 'aws_kms');
    expect(kms).toEqual({ region: 'eu-west-1', key_identifier_file: '/run/spire/data/aws-kms-key-id' });
    const pod = serverPod(spire);
    const data = pod.containers[0].volumeMounts.find((m: any) => m.name === 'spire-data');
    expect(kms.key_identifier_file.startsWith(`${data.mountPath}/`)).toBe(true);
    expect(find(spire, 'ServiceAccount', 'spire-server', 'spire').metadata.annotations).toHaveProperty(
      ['eks.amazonaws.com/role-arn'],
      'arn:aws:iam::111122223333:role/spire-server',
    );
    expect(JSON.stringify(pod)).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/);
  });

  test('the datastore CA is a read-only file the postgres connection string names as sslrootcert', async () => {
    const { spire, plugins } = await serverConf(productionExample());
    const pod = serverPod(spire);
    const mount = pod.containers[0].volumeMounts.find((m: any) => m.mountPath === '/run/spire/datastore-ca');
    expect(mount.readOnly).toBe(true);
    expect(pod.volumes.find((v: any) => v.name === mount.name).secret).toEqual({
      secretName: 'spire-datastore-ca',
      items: [{ key: 'ca.crt', path: 'ca.crt' }],
      defaultMode: 0o440,
    });
    // lib/pq reads sslrootcert from the connection string; root_ca_path is mysql's only (sqlstore/mysql.go:128).
    expect(pluginData(plugins, 'DataStore', 'sql').root_ca_path).toBeUndefined();
    expect(README).toContain('sslmode=verify-full sslrootcert=/run/spire/datastore-ca/ca.crt');
  });
});

test('UpstreamAuthority "disk": the Secret\'s keys as fixed files, mounted read-only, each key in server_full.conf', async () => {
  const { conf, plugins, spire } = await serverConf({
    spire: { server: { upstreamAuthority: { type: 'disk', disk: { secretName: 'corp-ca', bundleKey: 'ca.crt' } } } },
  });
  expect(unknownKeys(conf, SERVER_FULL)).toEqual([]);
  expect(pluginData(plugins, 'UpstreamAuthority', 'disk')).toEqual({
    cert_file_path: '/run/spire/upstream-ca/cert.pem',
    key_file_path: '/run/spire/upstream-ca/key.pem',
    bundle_file_path: '/run/spire/upstream-ca/bundle.pem',
  });
  const pod = serverPod(spire);
  expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'upstream-ca', mountPath: '/run/spire/upstream-ca', readOnly: true });
  expect(pod.volumes.find((v: any) => v.name === 'upstream-ca').secret).toEqual({
    secretName: 'corp-ca',
    items: [
      { key: 'tls.crt', path: 'cert.pem' },
      { key: 'tls.key', path: 'key.pem' },
      { key: 'ca.crt', path: 'bundle.pem' },
    ],
    defaultMode: 0o440,
  });
  expect(spire.filter((o) => o.kind === 'Role').map((o) => o.metadata.name)).toEqual(['spire-server-bundle']);
});

test('cert-manager with a kubeconfig for another cluster mounts it and grants nothing in this one', async () => {
  const { conf, plugins, spire } = await serverConf({
    spire: {
      server: {
        upstreamAuthority: { type: 'cert-manager', certManager: { issuerName: 'ca', issuerKind: 'ClusterIssuer', namespace: 'pki', kubeConfigSecret: { name: 'pki-kubeconfig' } } },
      },
    },
  });
  expect(unknownKeys(conf, SERVER_FULL)).toEqual([]);
  expect(pluginData(plugins, 'UpstreamAuthority', 'cert-manager')).toMatchObject({ namespace: 'pki', issuer_kind: 'ClusterIssuer', kube_config_file: '/run/spire/upstream-kubeconfig/kubeconfig' });
  expect(spire.some((o) => o.metadata.name === 'spire-server-cert-manager')).toBe(false);
});

test('KeyManager "memory" has no data; aws_kms with a key policy and credentials from a Secret (key_policy_file per its plugin page)', async () => {
  const memory = await serverConf({ spire: { server: { keyManager: { type: 'memory' } } } });
  expect(unknownKeys(memory.conf, SERVER_FULL)).toEqual([]);
  expect(memory.plugins.KeyManager.memory[0].plugin_data).toEqual([{}]);

  const kms = await serverConf({
    spire: { server: { keyManager: { type: 'aws_kms', awsKms: { region: 'us-east-1', keyPolicyConfigMap: { name: 'kms-policy' }, credentialsSecret: 'aws-creds' } } } },
  });
  expect(undocumented(kms.conf)).toEqual([]);
  expect(pluginData(kms.plugins, 'KeyManager', 'aws_kms').key_policy_file).toBe('/run/spire/kms-key-policy/policy.json');
  const pod = serverPod(kms.spire);
  expect(pod.volumes.find((v: any) => v.name === 'kms-key-policy').configMap).toEqual({ name: 'kms-policy', items: [{ key: 'policy.json', path: 'policy.json' }] });
  expect(pod.containers[0].env).toEqual(
    ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'].map((name) => ({ name, valueFrom: { secretKeyRef: { name: 'aws-creds', key: name } } })),
  );
  expect(pod.containers[0].args).not.toContain('-expandEnv');
});

test('mysql with a CA Secret: root_ca_path names the mounted file', async () => {
  const { conf, plugins } = await serverConf({
    spire: { server: { datastore: { type: 'mysql', connectionStringSecret: { name: 'db' }, caSecret: { name: 'db-ca', key: 'root.pem' } } } },
  });
  expect(unknownKeys(conf, SERVER_FULL)).toEqual([]);
  expect(pluginData(plugins, 'DataStore', 'sql').root_ca_path).toBe('/run/spire/datastore-ca/ca.crt');
});

describe('agent_ttl', () => {
  test('defaults to 24h capped at caTtl / 6: 10m with the default 1h CA, 24h with a 168h CA', async () => {
    expect((await serverConf({})).conf.server[0].agent_ttl).toBe('10m');
    expect((await serverConf({ spire: { server: { caTtl: '168h' } } })).conf.server[0].agent_ttl).toBe('24h');
    expect((await serverConf({ spire: { server: { caTtl: '90m' } } })).conf.server[0].agent_ttl).toBe('15m');
  });

  test.each([
    [{ agentTtl: '24h' }, "spire.server.agentTtl: '24h' must be at most 10m with spire.server.caTtl 1h: SPIRE replaces its CA when a sixth of the CA's life is left, and no SVID outlives its CA: raise spire.server.caTtl to at least 144h or shorten spire.server.agentTtl"],
    [{ caTtl: '8760h', agentTtl: '200h' }, "spire.server.agentTtl: '200h' must be at most 168h with spire.server.caTtl 8760h: SPIRE guarantees no SVID lifetime above 7 days (168h)"],
    [{ agentTtl: '1 day' }, "spire.server.agentTtl: '1 day' must be a positive Go duration"],
  ])('%j is refused', (server, message) => {
    expect(() => synthesize({ spire: { server } })).toThrow(message);
  });
});

test.each([
  [{ datastore: { caSecret: { name: 'db-ca' } } }, "spire.server.datastore.caSecret: 'db-ca' applies only to postgres and mysql"],
  [{ upstreamAuthority: { type: 'vault' } }, "spire.server.upstreamAuthority.type: 'vault' must be one of"],
  [{ upstreamAuthority: { disk: { secretName: 'ca' } } }, "spire.server.upstreamAuthority.disk: {\"secretName\":\"ca\",\"certKey\":\"tls.crt\",\"keyKey\":\"tls.key\",\"bundleKey\":\"\"} applies only with spire.server.upstreamAuthority.type 'disk' (it is 'none')"],
  [{ upstreamAuthority: { type: 'disk' } }, "spire.server.upstreamAuthority.disk.secretName: '' must be a DNS-1123 subdomain"],
  [{ upstreamAuthority: { type: 'cert-manager' } }, "spire.server.upstreamAuthority.certManager.issuerName: '' must be a DNS-1123 subdomain"],
  [{ upstreamAuthority: { type: 'cert-manager', certManager: { issuerName: 'ca', issuerKind: 'issuer' } } }, "spire.server.upstreamAuthority.certManager.issuerKind: 'issuer' must be a Kubernetes kind"],
  [{ keyManager: { type: 'aws_kms' } }, "spire.server.keyManager.awsKms.region: '' must be an AWS region"],
  [{ keyManager: { type: 'aws_kms', awsKms: { region: 'us-east-1', roleArn: 'spire' } } }, "spire.server.keyManager.awsKms.roleArn: 'spire' must be an IAM role ARN"],
  [
    { keyManager: { type: 'aws_kms', awsKms: { region: 'us-east-1', roleArn: 'arn:aws:iam::111122223333:role/spire', credentialsSecret: 'aws' } } },
    "spire.server.keyManager.awsKms.credentialsSecret: 'aws' cannot be combined with spire.server.keyManager.awsKms.roleArn",
  ],
])('%j is refused, naming the config key', (server, message) => {
  expect(() => synthesize({ spire: { server } })).toThrow(message);
});
