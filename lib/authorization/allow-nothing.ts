import { Construct } from 'constructs';
import { AuthorizationPolicy } from '../../imports/security.istio.io';
import { checkDns1123Label } from '../validation';
import { ALLOW_NOTHING_NAME } from './mode';

export interface AllowNothingProps {
  /** The namespace whose workloads refuse every request no ALLOW policy admits. */
  readonly namespace: string;
}

/**
 * A namespace's deny-by-default: an ALLOW `AuthorizationPolicy` without a selector and
 * without rules. It matches no request, and because it exists every workload in the
 * namespace refuses what no other ALLOW policy admits, including pods nobody declared.
 * Kubelet probes are not affected: Istio rewrites HTTP probes to the agent's status port
 * (15020, never captured), which calls the app from 127.0.0.6, a source iptables lets
 * past the inbound proxy.
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/ (allow-nothing)
 */
export class AllowNothing extends Construct {
  public readonly namespace: string;
  public readonly apiObject: AuthorizationPolicy;

  constructor(scope: Construct, id: string, props: AllowNothingProps) {
    super(scope, id);
    this.namespace = checkDns1123Label('AllowNothing.namespace', props.namespace);
    this.apiObject = new AuthorizationPolicy(this, 'policy', {
      metadata: { name: ALLOW_NOTHING_NAME, namespace: this.namespace },
      spec: {},
    });
  }
}
