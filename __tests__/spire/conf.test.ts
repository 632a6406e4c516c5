import * as fs from 'fs';
import * as path from 'path';
import { defaultDistDir } from '../support/default-dist-dir';
import { parse } from '../support/hcl';
import * as YAML from 'yaml';
import { agentConfHcl } from '../../lib/spire/agent-conf';
import { serverConfHcl } from '../../lib/spire/server-conf';
import { meshIndex } from '../../lib/synth';
import { find, synthesize } from '../support/synth';
import { expectedJson } from './hcl-json';
import { referenceKeys, REFERENCE_DIR, unknownKeys } from './reference-keys';


let cached: { server: string; agent: string } | undefined;

/** server.conf and agent.conf of the default mesh as `npm run synth` writes them to dist/ (the run's globalSetup synthesized it). */
function distConfs(): { server: string; agent: string } {
  if (cached) return cached;
  const step = meshIndex(synthesize().mesh).steps.find((s) => s.chart === 'spire')!;
  const manifests = YAML.parseAllDocuments(fs.readFileSync(path.join(defaultDistDir(), step.file), 'utf8')).map((d) => d.toJS());
  cached = {
    server: find(manifests, 'ConfigMap', 'spire-server', 'spire').data['server.conf'],
    agent: find(manifests, 'ConfigMap', 'spire-agent', 'spire').data['agent.conf'],
  };
  return cached;
}

describe('the reference key reader', () => {
  test('finds plugin keys, commented-out ones included, and core keys', () => {
    const server = referenceKeys('server_full.conf');
    expect([...server.plugins.get('NodeAttestor "k8s_psat"')!]).toEqual(
      expect.arrayContaining(['clusters', 'service_account_allow_list', 'audience']),
    );
    expect([...server.plugins.get('Notifier "k8sbundle"')!]).toEqual(expect.arrayContaining(['namespace', 'config_map', 'config_map_key']));
    expect([...server.core]).toEqual(expect.arrayContaining(['server', 'default_x509_svid_ttl', 'health_checks', 'live_path']));
  });

  test('flags keys SPIRE 1.15.3 no longer has, so the check can fail', () => {
    const server = referenceKeys('server_full.conf');
    const demo = {
      server: [{ default_svid_ttl: '10m' }],
      plugins: [{ NodeAttestor: { k8s_psat: [{ plugin_data: [{ clusters: { c: { use_token_review_api_validation: true } } }] }] }, Foo: { bar: [{}] } }],
    };
    expect(unknownKeys(demo, server)).toEqual(['default_svid_ttl', 'NodeAttestor "k8s_psat" use_token_review_api_validation', 'Foo "bar"']);
  });
});

describe.each([
  ['server.conf', 'server_full.conf', 'server'],
  ['agent.conf', 'agent_full.conf', 'agent'],
] as const)('%s in dist/', (conf, referenceFile, which) => {
  test('parses as HCL', async () => {
    await expect(parse(conf, distConfs()[which])).resolves.toEqual(expect.any(Object));
  });

  test(`uses only blocks, keys and plugins that exist in SPIRE 1.15.3's ${referenceFile}`, async () => {
    const parsed = await parse(conf, distConfs()[which]);
    expect(unknownKeys(parsed, referenceKeys(referenceFile))).toEqual([]);
  });

  test('parses back to exactly the typed model it was rendered from', async () => {
    const { spire } = synthesize().mesh;
    const model = which === 'server' ? serverConfHcl(spire.server.conf) : agentConfHcl(spire.agent.conf);
    expect(await parse(conf, distConfs()[which])).toEqual(expectedJson(model));
  });
});

test('keys the demo used but SPIRE 1.15.3 removed are not written', () => {
  const { server } = distConfs();
  expect(server).not.toMatch(/default_svid_ttl|use_token_review_api_validation/);
  expect(server).toMatch(/default_x509_svid_ttl = "10m"/);
});

describe.each(['postgres', 'mysql'] as const)('server.conf with a %s datastore (HA)', (type) => {
  const ha = () => synthesize({ spire: { server: { replicas: 3, datastore: { type, connectionStringSecret: { name: 'spire-db', key: 'dsn' } } } } });
  const reference = fs.readFileSync(path.join(REFERENCE_DIR, 'server_full.conf'), 'utf8');

  test(`uses only keys of SPIRE 1.15.3's server_full.conf, and a database_type it lists`, async () => {
    const text = find(ha().charts.get('spire')!, 'ConfigMap', 'spire-server', 'spire').data['server.conf'];
    const parsed = await parse('server.conf', text);
    expect(unknownKeys(parsed, referenceKeys('server_full.conf'))).toEqual([]);
    const documented = /database_type: database type, <([a-z0-9|]+)>/.exec(reference)![1].split('|');
    expect(documented).toEqual(['sqlite3', 'postgres', 'mysql']);
    const sql = parsed.plugins[0].DataStore.sql[0].plugin_data[0];
    expect(documented).toContain(sql.database_type);
    expect(sql.database_type).toBe(type);
  });

  test('the connection string is an environment reference, filled from the Secret only inside the container', async () => {
    const { charts, mesh } = ha();
    const spire = charts.get('spire')!;
    const parsed = await parse('server.conf', find(spire, 'ConfigMap', 'spire-server', 'spire').data['server.conf']);
    const reference = parsed.plugins[0].DataStore.sql[0].plugin_data[0].connection_string;
    const container = find(spire, 'StatefulSet', 'spire-server', 'spire').spec.template.spec.containers[0];
    // SPIRE's -expandEnv (os.Expand) reads `$NAME`; the container's env of that name comes from the Secret.
    expect(reference).toMatch(/^\$[A-Z_]+$/);
    expect(container.args).toContain('-expandEnv');
    expect(container.env).toEqual([{ name: reference.slice(1), valueFrom: { secretKeyRef: { name: 'spire-db', key: 'dsn' } } }]);
    expect(mesh.spire.server.conf.datastore.connectionString).toBe(reference);
    // `${` would be an HCL 2 template; `$NAME` reads the same in both dialects.
    expect(reference).not.toContain('{');
  });
});

test('with SQLite nothing is expanded: no -expandEnv, no env, the datastore is a file on the PVC', async () => {
  const { spire } = synthesize().mesh;
  const container = find(synthesize().charts.get('spire')!, 'StatefulSet', 'spire-server', 'spire').spec.template.spec.containers[0];
  expect(container.args).not.toContain('-expandEnv');
  expect(container.env).toBeUndefined();
  expect(spire.server.conf.datastore).toEqual({ databaseType: 'sqlite3', connectionString: '/run/spire/data/datastore.sqlite3' });
});
