import { HclBody } from './hcl';
import { HealthChecksConf, healthChecksBlock } from './health';
import { pluginBlock } from './server-conf';

/**
 * The keys of SPIRE 1.15.3's `agent.conf` this mesh sets, typed. Names follow the
 * reference file (`conf/agent/agent_full.conf`).
 * @see https://spiffe.io/docs/latest/deploying/spire_agent/
 */
export interface AgentConf {
  readonly trustDomain: string;
  /** DNS name of the server's Service. */
  readonly serverAddress: string;
  readonly serverPort: number;
  /** The Workload API socket. */
  readonly socketPath: string;
  /** The bundle the agent trusts the server with on first contact. */
  readonly trustBundlePath: string;
  readonly dataDir: string;
  readonly logLevel: string;
  /** NodeAttestor "k8s_psat". */
  readonly psat: { readonly cluster: string; readonly tokenPath: string };
  /** WorkloadAttestor "k8s". */
  readonly skipKubeletVerification: boolean;
  readonly healthChecks: HealthChecksConf;
}

/** The HCL of `agent.conf`, key for key. */
export function agentConfHcl(conf: AgentConf): HclBody {
  return {
    blocks: [
      {
        type: 'agent',
        attributes: {
          data_dir: conf.dataDir,
          log_level: conf.logLevel,
          server_address: conf.serverAddress,
          server_port: String(conf.serverPort),
          socket_path: conf.socketPath,
          trust_bundle_path: conf.trustBundlePath,
          trust_domain: conf.trustDomain,
        },
      },
      {
        type: 'plugins',
        blocks: [
          pluginBlock('NodeAttestor', 'k8s_psat', { cluster: conf.psat.cluster, token_path: conf.psat.tokenPath }),
          pluginBlock('KeyManager', 'memory'),
          pluginBlock('WorkloadAttestor', 'k8s', { skip_kubelet_verification: conf.skipKubeletVerification }),
          pluginBlock('WorkloadAttestor', 'unix'),
        ],
      },
      healthChecksBlock(conf.healthChecks),
    ],
  };
}
