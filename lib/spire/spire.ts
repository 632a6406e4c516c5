import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-25';
import { MeshConfig } from '../config/mesh-config';
import { SpireAgent } from './agent';
import { SpireAgentIdentity } from './agent-identity';
import { SpiffeCsiDriver } from './csi-driver';
import { SpireServer } from './server';

export interface SpireProps {
  readonly config: MeshConfig;
  /** SPIRE's namespace; its Pod Security labels are set here, since SPIRE is what needs them. */
  readonly namespace: kplus.Namespace;
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
    const { config, namespace } = props;
    this.agentIdentity = new SpireAgentIdentity(this, 'agent-identity', { namespace, clusterName: config.clusterName });
    this.server = new SpireServer(this, 'server', {
      namespace,
      trustDomain: config.trustDomain,
      agents: this.agentIdentity,
      image: config.images.spireServer,
      settings: config.spire.server,
    });
    this.agent = new SpireAgent(this, 'agent', {
      identity: this.agentIdentity,
      server: this.server,
      image: config.images.spireAgent,
      settings: config.spire.agent,
    });
    this.csiDriver = new SpiffeCsiDriver(this, 'csi-driver', {
      agent: this.agent,
      image: config.images.spiffeCsiDriver,
      registrarImage: config.images.csiNodeDriverRegistrar,
    });

    // The agent (hostPID, hostNetwork, hostPath) and the CSI driver (privileged, hostPath) need
    // the privileged level; the server alone would pass restricted. Enforcing privileged lets
    // them run, while warn and audit at restricted name every exception on each apply.
    namespace.metadata.addLabel('pod-security.kubernetes.io/enforce', 'privileged');
    namespace.metadata.addLabel('pod-security.kubernetes.io/warn', 'restricted');
    namespace.metadata.addLabel('pod-security.kubernetes.io/audit', 'restricted');
  }
}
