import { checkDns1123Label, checkDns1123Subdomain, checkTrustDomain } from './validation';

/**
 * A workload's mesh identity: the Kubernetes service account its pods run as, and the
 * SPIFFE ID Istio expects for it (`spiffe://<trust domain>/ns/<namespace>/sa/<service account>`).
 * Constructs that run meshed pods expose one; the registration construct turns each into a
 * SPIRE entry.
 */
export interface WorkloadIdentity {
  readonly trustDomain: string;
  readonly namespace: string;
  readonly serviceAccountName: string;
  /** `spiffe://<trustDomain>/ns/<namespace>/sa/<serviceAccountName>` */
  readonly spiffeId: string;
  /**
   * Selectors beyond the default `k8s:ns:<namespace>` and `k8s:sa:<serviceAccountName>`,
   * as `type:value` (e.g. `k8s:pod-label:app:details`).
   * @default - none
   */
  readonly extraSelectors?: readonly string[];
}

/** Builds a workload identity, validating each part; the SPIFFE ID is derived, never typed. */
export function workloadIdentity(
  trustDomain: string,
  namespace: string,
  serviceAccountName: string,
  extraSelectors?: readonly string[],
): WorkloadIdentity {
  checkTrustDomain('trustDomain', trustDomain);
  checkDns1123Label('namespace', namespace);
  checkDns1123Subdomain('serviceAccountName', serviceAccountName);
  return {
    trustDomain,
    namespace,
    serviceAccountName,
    spiffeId: `spiffe://${trustDomain}/ns/${namespace}/sa/${serviceAccountName}`,
    ...(extraSelectors && extraSelectors.length > 0 ? { extraSelectors } : {}),
  };
}
