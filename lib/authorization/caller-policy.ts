import { Construct } from 'constructs';
import { AuthorizationPolicy, AuthorizationPolicySpecAction } from '../../imports/security.istio.io';
import { WorkloadIdentity } from '../identity';
import { checkDns1123Label, checkDns1123Subdomain, ValidationError } from '../validation';
import { istioPrincipal } from './principal';

export interface CallerPolicyProps {
  /** The policy's name: the service's. */
  readonly name: string;
  readonly namespace: string;
  /** The labels of the pods the policy protects (the service's selector). */
  readonly selector: Readonly<Record<string, string>>;
  /**
   * The identities that may call the pods.
   * @default [] - nobody: the policy admits no request
   */
  readonly callers?: readonly WorkloadIdentity[];
}

/**
 * One service's ALLOW `AuthorizationPolicy`: requests whose mTLS peer is one of the
 * declared callers. Without callers the policy has no rules and so admits nothing: an
 * empty `principals` list would mean "any principal" to Istio, and is never written.
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/
 */
export class CallerPolicy extends Construct {
  public readonly namespace: string;
  /** The principals admitted, sorted: `<trust domain>/ns/<namespace>/sa/<service account>`. */
  public readonly principals: readonly string[];
  public readonly apiObject: AuthorizationPolicy;

  constructor(scope: Construct, id: string, props: CallerPolicyProps) {
    super(scope, id);
    const name = checkDns1123Subdomain('CallerPolicy.name', props.name);
    this.namespace = checkDns1123Label(`CallerPolicy(${name}).namespace`, props.namespace);
    if (Object.keys(props.selector).length === 0) {
      // A policy without a selector would apply to the whole namespace.
      throw new ValidationError(`CallerPolicy(${name}).selector`, props.selector, 'must select at least one label');
    }
    this.principals = [...new Set((props.callers ?? []).map(istioPrincipal))].sort();
    this.apiObject = new AuthorizationPolicy(this, 'policy', {
      metadata: { name, namespace: this.namespace },
      spec: {
        selector: { matchLabels: { ...props.selector } },
        action: AuthorizationPolicySpecAction.ALLOW,
        ...(this.principals.length > 0 ? { rules: [{ from: [{ source: { principals: [...this.principals] } }] }] } : {}),
      },
    });
  }
}
