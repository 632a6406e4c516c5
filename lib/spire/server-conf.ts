import { HclBlock, HclBody } from './hcl';
import { HealthChecksConf, healthChecksBlock } from './health';

/**
 * The keys of SPIRE 1.15.3's `server.conf` this mesh sets, typed. Names follow the
 * reference file (`conf/server/server_full.conf`); `serverConfHcl` in lib/spire/server-conf.ts
 * maps each to its key.
 * @see https://spiffe.io/docs/latest/deploying/spire_server/
 */
export interface ServerConf {
  readonly trustDomain: string;
  /** Port of the agent (and admin-over-TCP) API; bound on all interfaces. */
  readonly bindPort: number;
  /** The admin API's Unix socket. */
  readonly socketPath: string;
  readonly dataDir: string;
  readonly logLevel: string;
  readonly caKeyType: string;
  readonly caTtl: string;
  readonly defaultX509SvidTtl: string;
  /** Lifetime of agent SVIDs: how long an agent survives without reaching a server. */
  readonly agentTtl: string;
  readonly caSubject: { readonly country: string; readonly organization: string };
  /**
   * DataStore "sql": the database type and how to connect (a file path for sqlite3); for mysql,
   * `rootCaPath` is the CA file the server's certificate is verified against (postgres names it
   * in the connection string, `sslrootcert=`).
   */
  readonly datastore: { readonly databaseType: 'sqlite3' | 'postgres' | 'mysql'; readonly connectionString: string; readonly rootCaPath?: string };
  /** Where the CA keys live, and the plugin's files. */
  readonly keyManager: KeyManagerConf;
  /** Who signs the server's CA; absent, each server's CA is its own self-signed root. */
  readonly upstreamAuthority?: UpstreamAuthorityConf;
  /** NodeAttestor "k8s_psat": the one cluster whose agents may attest. */
  readonly psat: {
    readonly cluster: string;
    /** `namespace:serviceaccount` of the agents. */
    readonly serviceAccountAllowList: readonly string[];
    readonly audience: readonly string[];
  };
  /** Notifier "k8sbundle": the ConfigMap the trust bundle is written to. */
  readonly bundle: { readonly namespace: string; readonly configMap: string; readonly key: string };
  readonly healthChecks: HealthChecksConf;
  /** NodeAttestors for agents outside the cluster (VMs), after k8s_psat. @default - none */
  readonly vmNodeAttestors?: readonly HclBlock[];
}

/** KeyManager "disk", "memory" or "aws_kms", with the paths SPIRE reads. */
export type KeyManagerConf =
  | { readonly type: 'disk'; readonly keysPath: string }
  | { readonly type: 'memory' }
  | { readonly type: 'aws_kms'; readonly region: string; readonly keyIdentifierFile: string; readonly keyPolicyFile?: string };

/** UpstreamAuthority "disk" or "cert-manager", with the paths SPIRE reads. */
export type UpstreamAuthorityConf =
  | { readonly type: 'disk'; readonly certFilePath: string; readonly keyFilePath: string; readonly bundleFilePath?: string }
  | {
      readonly type: 'cert-manager';
      readonly issuerName: string;
      readonly issuerKind: string;
      readonly issuerGroup: string;
      readonly namespace: string;
      readonly kubeConfigFile?: string;
    };

/** Only the attributes whose value is set: an unset optional key is left to SPIRE's default. */
function defined(attributes: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(attributes).filter((e): e is [string, string] => e[1] !== undefined));
}

function keyManagerBlock(keyManager: KeyManagerConf): HclBlock {
  switch (keyManager.type) {
    case 'disk':
      return pluginBlock('KeyManager', 'disk', { keys_path: keyManager.keysPath });
    case 'memory':
      return pluginBlock('KeyManager', 'memory');
    case 'aws_kms':
      return pluginBlock(
        'KeyManager',
        'aws_kms',
        defined({ region: keyManager.region, key_identifier_file: keyManager.keyIdentifierFile, key_policy_file: keyManager.keyPolicyFile }),
      );
  }
}

function upstreamAuthorityBlock(upstream: UpstreamAuthorityConf): HclBlock {
  if (upstream.type === 'disk') {
    return pluginBlock(
      'UpstreamAuthority',
      'disk',
      defined({ cert_file_path: upstream.certFilePath, key_file_path: upstream.keyFilePath, bundle_file_path: upstream.bundleFilePath }),
    );
  }
  return pluginBlock(
    'UpstreamAuthority',
    'cert-manager',
    defined({
      issuer_name: upstream.issuerName,
      issuer_kind: upstream.issuerKind,
      issuer_group: upstream.issuerGroup,
      namespace: upstream.namespace,
      kube_config_file: upstream.kubeConfigFile,
    }),
  );
}

/** A `PluginType "name" { plugin_data { … } }` block. */
export function pluginBlock(type: string, name: string, data: HclBody['attributes'] = {}): HclBlock {
  return { type, labels: [name], blocks: [{ type: 'plugin_data', attributes: data }] };
}

/** The HCL of `server.conf`, key for key. */
export function serverConfHcl(conf: ServerConf): HclBody {
  return {
    blocks: [
      {
        type: 'server',
        attributes: {
          bind_address: '0.0.0.0',
          bind_port: String(conf.bindPort),
          socket_path: conf.socketPath,
          trust_domain: conf.trustDomain,
          data_dir: conf.dataDir,
          log_level: conf.logLevel,
          ca_key_type: conf.caKeyType,
          ca_ttl: conf.caTtl,
          default_x509_svid_ttl: conf.defaultX509SvidTtl,
          agent_ttl: conf.agentTtl,
        },
        blocks: [
          {
            type: 'ca_subject',
            attributes: { country: [conf.caSubject.country], organization: [conf.caSubject.organization] },
          },
        ],
      },
      {
        type: 'plugins',
        blocks: [
          pluginBlock(
            'DataStore',
            'sql',
            defined({ database_type: conf.datastore.databaseType, connection_string: conf.datastore.connectionString, root_ca_path: conf.datastore.rootCaPath }),
          ),
          keyManagerBlock(conf.keyManager),
          ...(conf.upstreamAuthority ? [upstreamAuthorityBlock(conf.upstreamAuthority)] : []),
          pluginBlock('NodeAttestor', 'k8s_psat', {
            clusters: {
              [conf.psat.cluster]: {
                service_account_allow_list: [...conf.psat.serviceAccountAllowList],
                audience: [...conf.psat.audience],
              },
            },
          }),
          ...(conf.vmNodeAttestors ?? []),
          pluginBlock('Notifier', 'k8sbundle', {
            namespace: conf.bundle.namespace,
            config_map: conf.bundle.configMap,
            config_map_key: conf.bundle.key,
          }),
        ],
      },
      healthChecksBlock(conf.healthChecks),
    ],
  };
}
