import { HclBlock, HclBody } from './hcl';
import { HealthChecksConf, healthChecksBlock } from './health';

/**
 * The keys of SPIRE 1.15.3's `server.conf` this mesh sets, typed. Names follow the
 * reference file (`conf/server/server_full.conf`); {@link serverConfHcl} maps each to its key.
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
  readonly caSubject: { readonly country: string; readonly organization: string };
  /** DataStore "sql": the database type and how to connect (a file path for sqlite3). */
  readonly datastore: { readonly databaseType: 'sqlite3' | 'postgres' | 'mysql'; readonly connectionString: string };
  /** KeyManager "disk": the keys file. */
  readonly keysPath: string;
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
          pluginBlock('DataStore', 'sql', { database_type: conf.datastore.databaseType, connection_string: conf.datastore.connectionString }),
          pluginBlock('KeyManager', 'disk', { keys_path: conf.keysPath }),
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
