import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-25';
import { SpireAgent, SpireAgentProps } from './agent';
import { SpireAgentIdentity } from './agent-identity';
import { SpiffeCsiDriver, SpiffeCsiDriverProps } from './csi-driver';
import { SpireServer, SpireServerProps } from './server';

export interface SpireProps {
  /** SPIRE's namespace; its Pod Security labels are set here, since SPIRE is what needs them. */
  readonly namespace: kplus.Namespace;
  /** The SPIFFE trust domain of every identity. */
  readonly trustDomain: string;
  /** The cluster name the agents attest with (k8s_psat). */
  readonly clusterName: string;
  /** The server's own props; its namespace, trust domain and agents are wired here. */
  readonly server: Omit<SpireServerProps, 'namespace' | 'trustDomain' | 'agents'>;
  /** The agent's own props; its identity and server are wired here. */
  readonly agent: Omit<SpireAgentProps, 'identity' | 'server'>;
  /** The CSI driver's own props; its agent is wired here. */
  readonly csiDriver: Omit<SpiffeCsiDriverProps, 'agent'>;
}

/**
 * SPIRE as the mesh deploys it: server, agents and the SPIFFE CSI driver, wired to each
 * other through objects, and the Pod Security admission labels of their namespace.
 */
export class Spire extends Construct {
  public readonly agentIdentity: SpireAgentIdentity;
  public readonly server: SpireServer;
  public readonly agent: SpireAgent;
  public readonly csiDriver: SpiffeCsiDriver;

  constructor(scope: Construct, id: string, props: SpireProps) {
    super(scope, id);
    const { namespace } = props;
    this.agentIdentity = new SpireAgentIdentity(this, 'agent-identity', { namespace, clusterName: props.clusterName });
    this.server = new SpireServer(this, 'server', {
      ...props.server,
      namespace,
      trustDomain: props.trustDomain,
      agents: this.agentIdentity,
    });
    this.agent = new SpireAgent(this, 'agent', { ...props.agent, identity: this.agentIdentity, server: this.server });
    this.csiDriver = new SpiffeCsiDriver(this, 'csi-driver', { ...props.csiDriver, agent: this.agent });

    // The agent (hostPID, hostNetwork, hostPath) and the CSI driver (privileged, hostPath) need
    // the privileged level; the server alone would pass restricted. Enforcing privileged lets
    // them run, while warn and audit at restricted name every exception on each apply.
    namespace.metadata.addLabel('pod-security.kubernetes.io/enforce', 'privileged');
    namespace.metadata.addLabel('pod-security.kubernetes.io/warn', 'restricted');
    namespace.metadata.addLabel('pod-security.kubernetes.io/audit', 'restricted');
  }
}
