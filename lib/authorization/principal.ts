import { WorkloadIdentity } from '../identity';
import { parseSpiffeId } from '../registration/spiffe-id';
import { ValidationError } from '../validation';

/**
 * The principal Istio matches a peer's certificate against: its SPIFFE ID without the
 * `spiffe://` scheme (`<trust domain>/ns/<namespace>/sa/<service account>`). Derived from
 * the identity the registration entry is made from, so a policy can only name an identity
 * SPIRE issues; never a pattern.
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source
 */
export function istioPrincipal(identity: WorkloadIdentity): string {
  const id = parseSpiffeId(`identity '${identity.spiffeId}'`, identity.spiffeId);
  const principal = `${id.trustDomain}${id.path}`;
  if (id.path === '' || principal.includes('*')) {
    throw new ValidationError(`identity '${identity.spiffeId}'`, identity.spiffeId, 'must name one workload: a principal is never a wildcard or a bare trust domain');
  }
  return principal;
}
