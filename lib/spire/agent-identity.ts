import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-25';
import { ISpireAgentPsat } from './interfaces';

/**
 * The audience of the agents' projected service-account token, and the only audience the
 * server's k8s_psat attestor accepts: a token minted for anything else cannot attest a node.
 */
export const PSAT_AUDIENCE = 'spire-server';

export interface SpireAgentIdentityProps {
  readonly namespace: kplus.Namespace;
  /** The cluster name agents attest with. */
  readonly clusterName: string;
  /** @default 'spire-agent' */
  readonly serviceAccountName?: string;
}

/**
 * Who the agents are, as the server's k8s_psat attestor sees them: their ServiceAccount,
 * cluster name and token audience. It exists before the server and the agent, so the server's
 * allow list can be derived from it while the agent is built from the server (no cycle).
 */
export class SpireAgentIdentity extends Construct implements ISpireAgentPsat {
  public readonly serviceAccount: kplus.ServiceAccount;
  public readonly namespace: string;
  public readonly serviceAccountName: string;
  public readonly clusterName: string;
  public readonly audience: string = PSAT_AUDIENCE;

  constructor(scope: Construct, id: string, props: SpireAgentIdentityProps) {
    super(scope, id);
    this.namespace = props.namespace.name;
    this.serviceAccountName = props.serviceAccountName ?? 'spire-agent';
    this.clusterName = props.clusterName;
    // The agent's k8s workload attestor authenticates to the kubelet with this account's token.
    this.serviceAccount = new kplus.ServiceAccount(this, 'service-account', {
      metadata: { name: this.serviceAccountName, namespace: this.namespace },
      automountToken: true,
    });
  }

  /** The k8s_psat allow-list entry, `namespace:serviceaccount`. */
  public get allowListEntry(): string {
    return `${this.namespace}:${this.serviceAccountName}`;
  }
}
