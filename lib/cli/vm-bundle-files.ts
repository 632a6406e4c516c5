import * as YAML from 'yaml';
import type { IndexSpireServerAdmin, IndexVms, IndexVmWorkload } from '../core/index-contract';
import { CliError } from './errors';

/**
 * The files one VM needs, from the index alone plus what the cluster holds (the trust
 * bundle, istiod's root certificate and two addresses). Pure: `vm bundle` fetches the cluster
 * values, tests pass their own. Imports only the index contract, as all of the CLI does.
 */

/** The directory Istio's proxy looks in for the Workload API socket (pkg/security/security.go:50 in Istio 1.30.3, relative to `/`, systemd's working directory). */
export const VM_SOCKET_DIR = '/var/run/secrets/workload-spiffe-uds';
/**
 * Not Istio's default name `socket` (security.go:54): with `WORKLOAD_IDENTITY_SOCKET_FILE` set
 * to another name, pilot-agent refuses to start when the socket is missing instead of serving
 * its own istiod-backed SDS there (pkg/istio-agent/agent.go:385-396), so the sidecar fails closed.
 */
export const VM_SOCKET_FILE = 'spire-agent.sock';
export const VM_SOCKET_PATH = `${VM_SOCKET_DIR}/${VM_SOCKET_FILE}`;

/** Where each file goes on the VM. */
export const VM_PATHS = {
  agentConf: '/etc/spire/agent/agent.conf',
  bootstrapBundle: '/etc/spire/agent/bootstrap-bundle.pem',
  joinTokenEnv: '/etc/spire/agent/join-token.env',
  x509popCert: '/etc/spire/agent/x509pop/cert.pem',
  x509popKey: '/etc/spire/agent/x509pop/key.pem',
  agentData: '/var/lib/spire/agent',
  agentBinary: '/opt/spire/bin/spire-agent',
  agentUnit: '/etc/systemd/system/spire-agent.service',
  istioDropIn: '/etc/systemd/system/istio.service.d/10-spire.conf',
  // The istio-sidecar package's locations (istio-start.sh:31, and Istio's VM install guide).
  clusterEnv: '/var/lib/istio/envoy/cluster.env',
  meshConfig: '/etc/istio/config/mesh',
  istiodRootCert: '/etc/certs/root-cert.pem',
  istioToken: '/var/run/secrets/tokens/istio-token',
} as const;

/** What only the cluster knows; `vm bundle` asks for each, or a placeholder stands in for a dry run. */
export interface ClusterFacts {
  /** The SPIRE trust bundle (PEM) the agent trusts the server with on first contact. */
  readonly trustBundle: string;
  /** istiod's root certificate (PEM), which its xDS serving certificate chains to. */
  readonly istiodRootCert: string;
  /** Address (IP or DNS name) of the `spire-server-vms` Service. */
  readonly spireServerAddress: string;
  /** IP of the east-west gateway, which `istiod.<ns>.svc` resolves to on the VM. */
  readonly gatewayAddress: string;
}

/** One file of the bundle: its path in the output directory, where it goes on the VM, and its text. */
export interface BundleFile {
  readonly path: string;
  readonly installPath?: string;
  /** Octal mode for `install -m`. */
  readonly mode: string;
  readonly text: string;
}

/** A block of SPIRE's HCL: attributes (strings only here), then nested blocks. */
export interface AgentConfBlock {
  readonly type: string;
  readonly labels?: readonly string[];
  readonly attributes?: Readonly<Record<string, string>>;
  readonly blocks?: readonly AgentConfBlock[];
}

function plugin(type: string, name: string, data: Readonly<Record<string, string>> = {}): AgentConfBlock {
  return { type, labels: [name], blocks: [{ type: 'plugin_data', attributes: data }] };
}

/**
 * A double-quoted string that HCL 1 (SPIRE's parser) and HCL 2 read alike: `"` and `\`
 * escaped; control characters and `${`/`%{` (HCL 2 templates) refused, as lib/spire/hcl.ts does.
 */
function quote(value: string, at: string): string {
  if (/[\u0000-\u001f\u007f]/.test(value) || value.includes('${') || value.includes('%{')) {
    throw new CliError(`agent.conf ${at}: ${JSON.stringify(value)} must not contain control characters, "\${" or "%{"`);
  }
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function renderBlocks(blocks: readonly AgentConfBlock[], depth: number): string[] {
  const pad = '    '.repeat(depth);
  return blocks.flatMap((block, i) => {
    const head = [block.type, ...(block.labels ?? []).map((l) => quote(l, block.type))].join(' ');
    const inner = [
      ...Object.entries(block.attributes ?? {}).map(([k, v]) => `${pad}    ${k} = ${quote(v, `${block.type}.${k}`)}`),
      ...renderBlocks(block.blocks ?? [], depth + 1),
    ];
    const body = inner.length === 0 ? [`${pad}${head} {}`] : [`${pad}${head} {`, ...inner, `${pad}}`];
    return i > 0 ? ['', ...body] : body;
  });
}

/** The text of `agent.conf`. */
export function renderAgentConf(blocks: readonly AgentConfBlock[]): string {
  return `${renderBlocks(blocks, 0).join('\n')}\n`;
}

/** The VM's SPIRE agent config: keys of SPIRE 1.15.3's agent_full.conf only. */
export function vmAgentConf(vms: IndexVms, vm: IndexVmWorkload, serverAddress: string): AgentConfBlock[] {
  const attestor =
    vm.attestor === 'x509pop'
      ? plugin('NodeAttestor', 'x509pop', { private_key_path: VM_PATHS.x509popKey, certificate_path: VM_PATHS.x509popCert })
      : plugin('NodeAttestor', vm.attestor);
  return [
      {
        type: 'agent',
        attributes: {
          data_dir: VM_PATHS.agentData,
          log_level: 'INFO',
          server_address: serverAddress,
          server_port: String(vms.spireServer.port),
          socket_path: VM_SOCKET_PATH,
          trust_bundle_path: VM_PATHS.bootstrapBundle,
          trust_domain: vms.trustDomain,
        },
      },
      {
        type: 'plugins',
        blocks: [
          attestor,
          // On disk: the agent keeps its SVID across restarts, so a join token (single use) is needed only once.
          plugin('KeyManager', 'disk', { directory: VM_PATHS.agentData }),
          plugin('WorkloadAttestor', 'unix'),
        ],
      },
  ];
}

/** `cluster.env`, as istioctl's createClusterEnv writes it (istioctl/pkg/workload/workload.go:364-371), plus the SPIRE socket name. */
export function clusterEnv(vms: IndexVms, vm: IndexVmWorkload): Record<string, string> {
  return {
    ISTIO_INBOUND_PORTS: vm.ports.map((p) => p.number).join(','),
    // 22 keeps ssh reachable; 15090, 15021 and 15020 are the proxy's own (workload.go:351-361).
    ISTIO_LOCAL_EXCLUDE_PORTS: '22,15090,15021,15020',
    ISTIO_NAMESPACE: vm.namespace,
    ISTIO_SERVICE: `${vm.workloadGroup}.${vm.namespace}`,
    ISTIO_SERVICE_CIDR: '*',
    // istio-start.sh derives istiod's address from it (line 96).
    ISTIO_SYSTEM_NAMESPACE: vms.istioNamespace,
    SERVICE_ACCOUNT: vm.serviceAccount,
    // Read from the environment at start (pilot/cmd/pilot-agent/options/options.go:59), so here and not in proxyMetadata.
    WORKLOAD_IDENTITY_SOCKET_FILE: VM_SOCKET_FILE,
  };
}

/** `mesh.yaml`'s proxy config, as createMeshConfig writes it (workload.go:497-520), with auto-registration. */
export function meshYaml(vms: IndexVms, vm: IndexVmWorkload): Record<string, unknown> {
  const labels = { ...vm.labels, 'service.istio.io/canonical-name': vm.name, 'service.istio.io/canonical-revision': 'latest' };
  return {
    defaultConfig: {
      discoveryAddress: `${vms.istiod.host}:${vms.istiod.port}`,
      meshId: vms.meshId,
      proxyMetadata: {
        CANONICAL_REVISION: 'latest',
        CANONICAL_SERVICE: vm.name,
        ISTIO_META_AUTO_REGISTER_GROUP: vm.workloadGroup,
        ISTIO_META_CLUSTER_ID: vms.clusterName,
        ISTIO_META_DNS_CAPTURE: 'true',
        ISTIO_META_MESH_ID: vms.meshId,
        ISTIO_META_NETWORK: vm.network,
        ISTIO_META_WORKLOAD_NAME: vm.workloadGroup,
        ISTIO_METAJSON_LABELS: JSON.stringify(labels),
        POD_NAMESPACE: vm.namespace,
        SERVICE_ACCOUNT: vm.serviceAccount,
        TRUST_DOMAIN: vms.trustDomain,
      },
    },
  };
}

export function spireAgentUnit(vm: IndexVmWorkload): string {
  const joinToken = vm.attestor === 'join_token';
  return [
    '[Unit]',
    "Description=SPIRE agent: the SPIFFE Workload API for this VM's Istio sidecar",
    'Documentation=https://spiffe.io/docs/latest/deploying/spire_agent/',
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    `ExecStartPre=/usr/bin/install -d -m 0755 ${VM_SOCKET_DIR}`,
    `ExecStartPre=/usr/bin/install -d -m 0700 ${VM_PATHS.agentData}`,
    ...(joinToken ? [`EnvironmentFile=-${VM_PATHS.joinTokenEnv}`] : []),
    `ExecStart=${VM_PATHS.agentBinary} run -config ${VM_PATHS.agentConf}${joinToken ? ' -joinToken ${SPIRE_JOIN_TOKEN}' : ''}`,
    'Restart=always',
    'RestartSec=5',
    'NoNewPrivileges=yes',
    'ProtectSystem=full',
    'ProtectHome=yes',
    'PrivateTmp=yes',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

/** Orders the sidecar after the agent and stops it with the agent (Istio's istio.service restarts it every 10 s until the socket is there). */
export const ISTIO_DROP_IN = ['[Unit]', 'Requires=spire-agent.service', 'After=spire-agent.service', ''].join('\n');

const envText = (env: Record<string, string>) => `${Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n')}\n`;

/** The README of one bundle: the exact steps, in order. */
export function bundleReadme(vms: IndexVms, vm: IndexVmWorkload, admin: IndexSpireServerAdmin, facts: ClusterFacts): string {
  const server = `kubectl -n ${admin.namespace} exec <a Ready ${admin.selector.app ?? 'spire-server'} pod> -c ${admin.containerName} -- ${admin.binaryPath}`;
  const attest: Record<IndexVmWorkload['attestor'], string[]> = {
    join_token: [
      'Mint a one-time join token (default TTL 600 s) whose node alias is the one the workload entry is parented to;',
      '`token generate -spiffeID` also creates that alias entry, so the registration Job does not:',
      '',
      '```sh',
      `${server} token generate -socketPath ${admin.adminSocketPath} -spiffeID ${vm.nodeAlias}`,
      `echo 'SPIRE_JOIN_TOKEN=<the token>' | sudo install -D -m 0600 /dev/stdin ${VM_PATHS.joinTokenEnv}`,
      '```',
      '',
      `After the agent's first start it keeps its SVID in ${VM_PATHS.agentData}; delete ${VM_PATHS.joinTokenEnv} then.`,
    ],
    x509pop: [
      `Place the VM's certificate and key: ${VM_PATHS.x509popCert} (subject CN as declared, signed by the CA`,
      `in the server's x509pop CA bundle) and ${VM_PATHS.x509popKey} (mode 0600). Its alias entry (${vm.nodeAlias})`,
      'selects that CN and is created by the registration Job.',
    ],
    aws_iid: [
      `Nothing to place: the agent reads the instance identity document. The alias entry (${vm.nodeAlias}), made by`,
      'the registration Job, selects the declared account, region and tags; the server needs AWS credentials with',
      'ec2:DescribeInstances to read tags.',
    ],
  };
  const copy = (file: string, target: string, mode: string) => `sudo install -D -m ${mode} ${file} ${target}`;
  return [
    `# VM bundle: ${vm.namespace}/${vm.name}`,
    '',
    `Identity: \`${vm.spiffeId}\`, parented to the node alias \`${vm.nodeAlias}\` (${vm.attestor}), selector \`unix:user:istio-proxy\`.`,
    `Generated by \`npm run mesh -- vm bundle ${vm.name}\` from dist/meta/index.json; nothing here is a secret.`,
    '',
    '## 1. Install SPIRE agent 1.15.3 and the Istio 1.30.3 sidecar',
    '',
    '```sh',
    '# the spire-1.15.3 linux tarball of your architecture, from https://github.com/spiffe/spire/releases/tag/v1.15.3',
    'sudo tar -xzf spire-1.15.3-linux-*.tar.gz -C /opt && sudo ln -sfn /opt/spire-1.15.3 /opt/spire',
    'curl -sSfLO https://storage.googleapis.com/istio-release/releases/1.30.3/deb/istio-sidecar.deb && sudo dpkg -i istio-sidecar.deb',
    '```',
    '',
    `## 2. Node attestation (${vm.attestor})`,
    '',
    ...attest[vm.attestor],
    '',
    '## 3. Copy the files',
    '',
    '```sh',
    copy('spire/agent.conf', VM_PATHS.agentConf, '0644'),
    copy('spire/bootstrap-bundle.pem', VM_PATHS.bootstrapBundle, '0644'),
    copy('systemd/spire-agent.service', VM_PATHS.agentUnit, '0644'),
    copy('systemd/istio.service.d/10-spire.conf', VM_PATHS.istioDropIn, '0644'),
    copy('istio/cluster.env', VM_PATHS.clusterEnv, '0644'),
    copy('istio/mesh.yaml', VM_PATHS.meshConfig, '0644'),
    copy('istio/root-cert.pem', VM_PATHS.istiodRootCert, '0644'),
    'sudo sh -c "cat istio/hosts >> /etc/hosts"',
    '```',
    '',
    `The trust bundle came from \`kubectl -n ${vms.spireServer.namespace} get configmap ${vms.spireServer.bundleConfigMap}\` (key \`${vms.spireServer.bundleKey}\`), istiod's root`,
    `certificate from \`kubectl -n ${vm.namespace} get configmap istio-ca-root-cert\`: public certificates only.`,
    `SPIRE server: ${facts.spireServerAddress}:${vms.spireServer.port}; istiod (${vms.istiod.host}) resolves to the east-west gateway ${facts.gatewayAddress}.`,
    '',
    "## 4. The istiod token (a credential: minted on demand, never in this bundle)",
    '',
    "The sidecar authenticates to istiod with its service account's token (audience `istio-ca`). Mint it, and",
    'mint it again before it expires (a timer or cron job on the machine that has kubectl):',
    '',
    '```sh',
    `kubectl -n ${vm.namespace} create token ${vm.serviceAccount} --audience istio-ca --duration 1h \\`,
    `  | ssh <vm> sudo install -D -m 0600 -o istio-proxy /dev/stdin ${VM_PATHS.istioToken}`,
    '```',
    '',
    '## 5. Start',
    '',
    '```sh',
    'sudo chown -R istio-proxy /var/lib/istio /etc/certs /etc/istio',
    'sudo systemctl daemon-reload && sudo systemctl enable --now spire-agent istio',
    `test -S ${VM_SOCKET_PATH} && journalctl -u istio -n 20`,
    '```',
    '',
    `Without the SPIRE socket the sidecar does not start ("agent configured for non-default SDS socket path: ${VM_SOCKET_PATH} but no socket found"):`,
    'it never falls back to certificates from istiod.',
    '',
  ].join('\n');
}

/** Every file of one VM's bundle, in a stable order. */
export function vmBundleFiles(vms: IndexVms, vm: IndexVmWorkload, admin: IndexSpireServerAdmin, facts: ClusterFacts): BundleFile[] {
  return [
    { path: 'README.md', mode: '0644', text: bundleReadme(vms, vm, admin, facts) },
    { path: 'spire/agent.conf', installPath: VM_PATHS.agentConf, mode: '0644', text: renderAgentConf(vmAgentConf(vms, vm, facts.spireServerAddress)) },
    { path: 'spire/bootstrap-bundle.pem', installPath: VM_PATHS.bootstrapBundle, mode: '0644', text: facts.trustBundle },
    { path: 'systemd/spire-agent.service', installPath: VM_PATHS.agentUnit, mode: '0644', text: spireAgentUnit(vm) },
    { path: 'systemd/istio.service.d/10-spire.conf', installPath: VM_PATHS.istioDropIn, mode: '0644', text: ISTIO_DROP_IN },
    { path: 'istio/cluster.env', installPath: VM_PATHS.clusterEnv, mode: '0644', text: envText(clusterEnv(vms, vm)) },
    { path: 'istio/mesh.yaml', installPath: VM_PATHS.meshConfig, mode: '0644', text: YAML.stringify(meshYaml(vms, vm)) },
    { path: 'istio/root-cert.pem', installPath: VM_PATHS.istiodRootCert, mode: '0644', text: facts.istiodRootCert },
    { path: 'istio/hosts', mode: '0644', text: `${facts.gatewayAddress} ${vms.istiod.host}\n` },
  ];
}
