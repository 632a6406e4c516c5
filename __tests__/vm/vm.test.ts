import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { buildMesh } from '../../lib/composition-root';
import { ConfigError, resolveMeshConfig } from '../../lib/config/load';
import { meshIndex, renderMesh } from '../../lib/synth';
import { VmWorkload } from '../../lib/vm/vm-workload';
import { clusterEnv, renderAgentConf, vmAgentConf, vmBundleFiles } from '../../lib/cli/vm-bundle-files';
import { reachability } from '../authorization/reachability';
import { parse } from '../support/hcl';
import { schemaProblems } from '../support/schema';
import { find, registeredEntries, synthesize } from '../support/synth';
import { referenceKeys, unknownKeys } from '../spire/reference-keys';
import { NEVER_WRITTEN } from '../support/test-app';

const REFERENCE = path.join(__dirname, '..', 'spire', 'reference', 'spire-1.15.3');
const IMAGE = (name: string) => `ghcr.io/example/${name}:1.0.0`;
const GITOPS = { gitops: { repoURL: 'https://git.example/platform/mesh.git' } };

/** The example: `api` (pods) calls `legacy-db` (VMs); a second VM calls `api`. */
const VMS = {
  ...GITOPS,
  services: [
    { name: 'api', namespace: 'shop', port: 8080, image: IMAGE('api'), callers: ['ingress', 'data/batch'], route: { hosts: ['api.example.com'] } },
  ],
  vms: [
    {
      name: 'legacy-db',
      namespace: 'data',
      protocol: 'tcp',
      ports: [{ number: 5432, name: 'postgres' }],
      callers: ['shop/api'],
      attestation: { type: 'x509pop', subjectCN: 'legacy-db.example.com', caBundle: { configMap: 'vm-ca' } },
    },
    { name: 'batch', namespace: 'data', ports: [{ number: 8080, name: 'web' }], attestation: { type: 'join_token' } },
    {
      name: 'reports',
      namespace: 'analytics',
      ports: [{ number: 9000, name: 'api' }],
      callers: ['data/batch'],
      attestation: { type: 'aws_iid', accountId: '123456789012', region: 'eu-west-1', instanceTags: { role: 'reports' } },
    },
  ],
};

/**
 * The selectors SPIRE 1.15.3's unix workload attestor produces, by kind
 * (pkg/agent/plugin/workloadattestor/unix/unix_posix.go:150-199): a VM entry may only use these.
 */
const UNIX_SELECTOR_KINDS = ['uid', 'user', 'gid', 'group', 'supplementary_gid', 'supplementary_group', 'path', 'sha256'];

describe('a mesh with VM workloads', () => {
  const { charts, all, argocd, mesh, config } = synthesize(VMS);
  const entries = registeredEntries(charts.get('registration')!);

  test('every object, the WorkloadGroups, IstioOperator and Applications included, passes its schema', () => {
    expect(schemaProblems([...all, ...argocd])).toEqual([]);
  });

  test('each VM identity is one entry, parented to its node alias, selecting the proxy user as the unix attestor reports it', () => {
    for (const vm of config.vms) {
      const id = `spiffe://example.org/ns/${vm.namespace}/sa/${vm.name}`;
      const mine = entries.filter((e) => e.spiffe_id === id);
      expect(mine).toHaveLength(1);
      expect(mine[0].parent_id).toBe(`spiffe://example.org/vm/${vm.namespace}/${vm.name}`);
      expect(mine[0].selectors).toEqual([{ type: 'unix', value: 'user:istio-proxy' }]);
      const [kind] = mine[0].selectors[0].value.split(':');
      expect(UNIX_SELECTOR_KINDS).toContain(kind);
    }
  });

  test("node aliases carry the attestor's selectors; join_token's is left to `token generate -spiffeID`", () => {
    const alias = (ns: string, name: string) => entries.filter((e) => e.spiffe_id === `spiffe://example.org/vm/${ns}/${name}`);
    expect(alias('data', 'legacy-db')).toEqual([expect.objectContaining({ parent_id: 'spiffe://example.org/spire/server', selectors: [{ type: 'x509pop', value: 'subject:cn:legacy-db.example.com' }] })]);
    expect(alias('analytics', 'reports')[0].selectors).toEqual([
      { type: 'aws_iid', value: 'account_id:123456789012' },
      { type: 'aws_iid', value: 'region:eu-west-1' },
      { type: 'aws_iid', value: 'tag:role:reports' },
    ]);
    expect(alias('data', 'batch')).toEqual([]);
  });

  test('no k8s entry gives a pod a VM identity, and the east-west gateway has its own entry', () => {
    const vmIds = config.vms.map((vm) => `spiffe://example.org/ns/${vm.namespace}/sa/${vm.name}`);
    expect(entries.filter((e) => vmIds.includes(e.spiffe_id) && e.selectors.some((s) => s.type === 'k8s'))).toEqual([]);
    expect(entries.map((e) => e.spiffe_id)).toContain('spiffe://example.org/ns/istio-system/sa/istio-eastwestgateway-service-account');
  });

  test('the AuthorizationPolicies admit exactly the declared edges, VMs as callers and as targets', () => {
    const edges = [...reachability(all, 'istio-system', 'istio-ingressgateway-service-account')].filter((e) => !e.includes('default/'));
    expect(edges.sort()).toEqual(['data/batch -> analytics/reports', 'data/batch -> shop/api', 'ingress -> shop/api', 'shop/api -> data/legacy-db'].sort());
  });

  test('each VM gets a WorkloadGroup, a Service and a ServiceAccount, and its policy selects the WorkloadEntry labels', () => {
    const vms = charts.get('vms')!;
    const group = find(vms, 'WorkloadGroup', 'legacy-db', 'data');
    expect(group.spec.template).toEqual({ serviceAccount: 'legacy-db', network: 'vm-network', ports: { 'tcp-postgres': 5432 } });
    expect(find(vms, 'Service', 'legacy-db', 'data').spec.selector).toEqual(group.spec.metadata.labels);
    expect(find(vms, 'AuthorizationPolicy', 'legacy-db', 'data').spec.selector.matchLabels).toEqual(group.spec.metadata.labels);
    find(vms, 'ServiceAccount', 'legacy-db', 'data');
    expect(mesh.identityGraph.nodes.map((n) => n.id)).toEqual(expect.arrayContaining(['data/legacy-db', 'data/batch', 'analytics/reports']));
  });

  test('istiod is exposed through the east-west gateway as in samples/multicluster/expose-istiod.yaml', () => {
    const vms = charts.get('vms')!;
    const gw = find(vms, 'Gateway', 'istiod-gateway', 'istio-system');
    expect(gw.spec.selector).toEqual({ istio: 'eastwestgateway' });
    expect(gw.spec.servers.map((s: any) => [s.port.number, s.tls.mode])).toEqual([[15012, 'PASSTHROUGH'], [15017, 'PASSTHROUGH']]);
    const vs = find(vms, 'VirtualService', 'istiod-vs', 'istio-system');
    expect(vs.spec.tls.map((t: any) => [t.match[0].port, t.route[0].destination.host, t.route[0].destination.port.number])).toEqual([
      [15012, 'istiod.istio-system.svc.cluster.local', 15012],
      [15017, 'istiod.istio-system.svc.cluster.local', 443],
    ]);
  });

  test('the SPIRE server is exposed on 8081 and enables exactly the attestors used, x509pop with the mounted CA bundle', async () => {
    const spire = charts.get('spire')!;
    const svc = find(spire, 'Service', 'spire-server-vms', 'spire');
    expect([svc.spec.type, svc.spec.ports[0].port, svc.spec.selector]).toEqual(['LoadBalancer', 8081, { app: 'spire-server' }]);
    const conf = await parse('server.conf', find(spire, 'ConfigMap', 'spire-server', 'spire').data['server.conf']);
    const attestors = conf.plugins[0].NodeAttestor;
    expect(Object.keys(attestors).sort()).toEqual(['aws_iid', 'join_token', 'k8s_psat', 'x509pop']);
    const bundlePath = attestors.x509pop[0].plugin_data[0].ca_bundle_path;
    const pod = find(spire, 'StatefulSet', 'spire-server', 'spire').spec.template.spec;
    const mount = pod.containers[0].volumeMounts.find((m: any) => bundlePath.startsWith(`${m.mountPath}/`));
    expect(pod.volumes.find((v: any) => v.name === mount.name).configMap).toEqual({ name: 'vm-ca', items: [{ key: 'ca.pem', path: 'ca.pem' }] });
    const reference = fs.readFileSync(path.join(REFERENCE, 'server_full.conf'), 'utf8');
    expect(reference).toMatch(/#\s*ca_bundle_path = /);
    for (const a of ['aws_iid', 'join_token', 'x509pop']) expect(reference).toMatch(new RegExp(`NodeAttestor "${a}"`));
  });

  describe('both install paths carry the same VM settings, field by field', () => {
    const iop = find(charts.get('istio-operator')!, 'IstioOperator', 'spire-mesh', 'istio-system').spec;
    const values = (release: string) => (argocd.find((o: any) => o.kind === 'Application' && o.spec.source.helm?.releaseName === release) as any).spec.source.helm.valuesObject;
    const istiod = values('istiod');
    const ew = values('istio-eastwestgateway');
    const iopEw = iop.components.ingressGateways.find((g: any) => g.name === 'istio-eastwestgateway');
    const patch = (suffix: string) => iopEw.k8s.overlays[0].patches.find((p: any) => p.path.endsWith(suffix)).value;

    test('meshID, network and clusterName', () => {
      for (const key of ['meshID', 'network', 'multiCluster']) expect(istiod.global[key]).toEqual(iop.values.global[key]);
      expect(iop.values.global).toMatchObject({ meshID: 'mesh1', network: 'network1', multiCluster: { clusterName: config.clusterName } });
    });

    test('WorkloadEntry auto-registration and health checks', () => {
      expect(istiod.env).toEqual(iop.values.pilot.env);
      expect(iop.values.pilot.env).toMatchObject({ PILOT_ENABLE_WORKLOAD_ENTRY_AUTOREGISTRATION: 'true', PILOT_ENABLE_WORKLOAD_ENTRY_HEALTHCHECKS: 'true' });
    });

    test('the east-west gateway: labels, network view, ports 15021/15443/15012/15017, the SPIRE socket and its wait', () => {
      expect(ew.labels).toEqual(iopEw.label);
      expect(ew.labels['topology.istio.io/network']).toBe('network1');
      expect(Object.entries(ew.env).map(([name, value]) => ({ name, value }))).toEqual(iopEw.k8s.env);
      expect(ew.service).toEqual(iopEw.k8s.service);
      expect(ew.service.ports.map((p: any) => p.port)).toEqual([15021, 15443, 15012, 15017]);
      expect(ew.volumes).toEqual([patch('volumes.[name:workload-socket]')]);
      expect(ew.volumeMounts).toEqual([patch('volumeMounts.[name:workload-socket]')]);
      expect(ew.initContainers).toEqual(patch('initContainers'));
      expect(ew.serviceAccount.name).toBe('istio-eastwestgateway-service-account');
    });

    test("the Helm keys are the charts' own (values.yaml of istiod and gateway 1.30.3)", () => {
      const defaults = (chart: string) =>
        require('yaml').parse(fs.readFileSync(path.join(__dirname, '..', 'istio', 'reference', 'istio-1.30.3', chart, 'values.yaml'), 'utf8'))._internal_defaults_do_not_set;
      const global = defaults('istiod').global;
      expect(Object.keys(global)).toEqual(expect.arrayContaining(['meshID', 'network', 'multiCluster']));
      expect(Object.keys(global.multiCluster)).toContain('clusterName');
      expect(Object.keys(ew).filter((k) => !(k in defaults('gateway')))).toEqual([]);
    });

    test("the east-west gateway's Application shares the gateways' sync wave", () => {
      const wave = (release: string) => (argocd.find((o: any) => o.kind === 'Application' && o.spec.source.helm?.releaseName === release) as any).metadata.annotations['argocd.argoproj.io/sync-wave'];
      expect(wave('istio-eastwestgateway')).toBe(wave('istio-ingressgateway'));
    });
  });

  describe('the VM side: vm bundle files', () => {
    const index = meshIndex(mesh);
    const facts = { trustBundle: 'B', istiodRootCert: 'R', spireServerAddress: '203.0.113.10', gatewayAddress: '203.0.113.20' };

    test.each(['legacy-db', 'batch', 'reports'])('%s: agent.conf parses as HCL and uses only keys of SPIRE 1.15.3 agent_full.conf', async (name) => {
      const vm = index.vms!.workloads.find((w) => w.name === name)!;
      const parsed = await parse('agent.conf', renderAgentConf(vmAgentConf(index.vms!, vm, facts.spireServerAddress)));
      expect(unknownKeys(parsed, referenceKeys('agent_full.conf'))).toEqual([]);
      expect(Object.keys(parsed.plugins[0].NodeAttestor)).toEqual([vm.attestor]);
    });

    test("the sidecar uses the agent's socket, in Istio's directory, under a name that is not Istio's default (fail closed)", async () => {
      const vm = index.vms!.workloads[0];
      const parsed = await parse('agent.conf', renderAgentConf(vmAgentConf(index.vms!, vm, 'x')));
      const socket: string = parsed.agent[0].socket_path;
      const env = clusterEnv(index.vms!, vm);
      // pkg/security/security.go:50,54 (Istio 1.30.3): WorkloadIdentityPath and the default file name.
      expect(path.posix.dirname(socket)).toBe('/var/run/secrets/workload-spiffe-uds');
      expect(env.WORKLOAD_IDENTITY_SOCKET_FILE).toBe(path.posix.basename(socket));
      expect(env.WORKLOAD_IDENTITY_SOCKET_FILE).not.toBe('socket');
    });

    test('the files hold no credential, and the drop-in orders the sidecar after the agent', () => {
      const files = vmBundleFiles(index.vms!, index.vms!.workloads[0], index.admin.spireServer, facts);
      const text = (p: string) => files.find((f) => f.path === p)!.text;
      expect(text('systemd/istio.service.d/10-spire.conf')).toMatch(/^After=spire-agent\.service$/m);
      expect(text('systemd/istio.service.d/10-spire.conf')).toMatch(/^Requires=spire-agent\.service$/m);
      expect(files.map((f) => f.path)).not.toContain('istio/istio-token');
      expect(text('istio/hosts')).toBe('203.0.113.20 istiod.istio-system.svc\n');
      const batch = vmBundleFiles(index.vms!, index.vms!.workloads.find((w) => w.name === 'batch')!, index.admin.spireServer, facts);
      // The alias a join token is minted for is the batch entry's parent.
      expect(batch.find((f) => f.path === 'README.md')!.text).toContain('token generate -socketPath /run/spire/sockets/server.sock -spiffeID spiffe://example.org/vm/data/batch');
      expect(batch.find((f) => f.path === 'systemd/spire-agent.service')!.text).toMatch(/^ExecStart=.* -joinToken \$\{SPIRE_JOIN_TOKEN\}$/m);
    });
  });
});

describe('without vms, nothing VM-related is written', () => {
  const { charts, mesh, argocd } = synthesize(GITOPS);
  test('no east-west gateway, no VM settings, no VM chart, no vms in the index', () => {
    const iop = find(charts.get('istio-operator')!, 'IstioOperator', 'spire-mesh', 'istio-system').spec;
    expect(iop.components.ingressGateways.map((g: any) => g.name)).toEqual(['istio-ingressgateway']);
    expect(iop.values.global).toEqual({ istioNamespace: 'istio-system' });
    expect(Object.keys(iop.values.pilot.env)).toEqual(['ENABLE_NATIVE_SIDECARS']);
    expect(charts.has('vms')).toBe(false);
    expect(meshIndex(mesh).vms).toBeUndefined();
    expect(argocd.filter((o: any) => o.kind === 'Application').map((o: any) => o.metadata.name)).not.toContain('spire-mesh-istio-eastwestgateway');
  });
});

test('every problem of vms is reported at once, each naming its field', () => {
  const bad = {
    services: [{ name: 'api', namespace: 'shop', port: 8080, image: IMAGE('api'), callers: ['data/nope'] }],
    vms: [
      { name: 'db', namespace: 'data', ports: [], callers: ['shop/missing'], attestation: { type: 'x509pop', subjectCN: '', caBundle: { configMap: 'a', secret: 'b' } } },
      { name: 'aws', namespace: 'data', ports: [{ number: 15001, name: 'x' }], attestation: { type: 'aws_iid', accountId: 123, region: 'Europe' } },
      { name: 'tok', namespace: 'istio-system', ports: [{ number: 80, name: 'http' }], attestation: { type: 'tpm' } },
      { name: 'db', namespace: 'data', ports: [{ number: 80, name: 'w' }], attestation: { type: 'join_token', extra: 1 } },
    ],
  };
  let problems: readonly string[] = [];
  try {
    resolveMeshConfig(bad);
  } catch (err) {
    problems = (err as ConfigError).problems;
  }
  expect(problems).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^services\[0\]\.callers\[0\]: 'data\/nope' is not a declared service/),
      expect.stringMatching(/^vms\[0\]\.ports: .* must list at least one port/),
      expect.stringMatching(/^vms\[0\]\.callers\[0\]: 'shop\/missing' is not a declared service or VM/),
      expect.stringMatching(/^vms\[0\]\.attestation\.caBundle: .* exactly one of configMap and secret/),
      expect.stringMatching(/^vms\[0\]\.attestation\.subjectCN: /),
      expect.stringMatching(/^vms\[1\]\.ports\[0\]\.number: 15001 must not be a port of the injected proxy/),
      expect.stringMatching(/^vms\[1\]\.attestation\.accountId: 123 must be a 12-digit AWS account ID/),
      expect.stringMatching(/^vms\[1\]\.attestation\.region: 'Europe' must be an AWS region/),
      expect.stringMatching(/^vms\[2\]\.namespace: 'istio-system' must not be SPIRE's or Istio's namespace/),
      expect.stringMatching(/^vms\[2\]\.attestation\.type: 'tpm' must be one of join_token, x509pop, aws_iid/),
      expect.stringMatching(/^vms\[3\]\.attestation\.extra: unknown key/),
    ]),
  );
});

describe('GIVEN a VmWorkload made in a chart of the App, not in config.vms', () => {
  function withStrayVm(overrides: unknown) {
    const app = new App({ outdir: NEVER_WRITTEN });
    const mesh = buildMesh(resolveMeshConfig(overrides), { app });
    new VmWorkload(new Chart(app, 'team-vms'), 'stray', {
      name: 'stray',
      namespace: 'data',
      ports: [{ number: 8080, name: 'web' }],
      trustDomain: mesh.trustDomain,
      attestation: { type: 'join_token' },
      network: 'vm-network',
    });
    return mesh;
  }

  test.each([
    ['no VMs in the config (no attestor, no east-west gateway)', {}],
    ['other VMs in the config (not in the index vm bundle reads)', VMS],
  ])('WITH %s WHEN synthesizing THEN synth refuses it, naming it and config.vms', (_name, overrides) => {
    expect(() => renderMesh(withStrayVm(overrides))).toThrow(
      "VmWorkload(data/stray): 'team-vms/stray' is not one of config.vms: declare workloads on VMs in config.vms, which also builds their cluster side (SPIRE node attestor, east-west gateway, istiod exposure, vm bundle entry)",
    );
  });

  test("WHEN the config's own VMs are synthesized THEN they pass the check", () => {
    expect(() => renderMesh(buildMesh(resolveMeshConfig(VMS), { outdir: NEVER_WRITTEN }))).not.toThrow();
  });
});
