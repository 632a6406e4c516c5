import { ValidationError } from '../validation';

/**
 * Selector types of the plugins shipped with SPIRE 1.15: workload attestors (`k8s`, `unix`,
 * `docker`, `systemd`, `windows`), node attestors (`k8s_psat`, `aws_iid`, `azure_imds`,
 * `azure_msi`, `gcp_iit`, `x509pop`, `sshpop`, `tpm_devid`, `http_challenge`), and
 * `spiffe_id`, which SPIRE itself gives every attested agent. A type not listed is almost
 * always a typo, and SPIRE would accept the entry and never match it.
 * @see https://spiffe.io/docs/latest/deploying/registering/#selectors
 */
export const KNOWN_SELECTOR_TYPES = [
  'k8s',
  'unix',
  'docker',
  'systemd',
  'windows',
  'k8s_psat',
  'aws_iid',
  'azure_imds',
  'azure_msi',
  'gcp_iit',
  'x509pop',
  'sshpop',
  'tpm_devid',
  'http_challenge',
  'spiffe_id',
] as const;

export type SelectorType = (typeof KNOWN_SELECTOR_TYPES)[number];

/** One selector of a registration entry, as SPIRE stores it. */
export interface Selector {
  readonly type: SelectorType;
  /** Everything after the first `:`, e.g. `ns:default` for `k8s:ns:default`. */
  readonly value: string;
}

/**
 * Parses `type:value` (split at the first `:`, as `spire-server entry create -selector` does).
 * @throws ValidationError naming `field`, the selector and the rule
 */
export function parseSelector(field: string, text: string): Selector {
  const colon = text.indexOf(':');
  if (colon === -1) throw new ValidationError(field, text, 'must be a selector of the form type:value');
  const type = text.slice(0, colon);
  const value = text.slice(colon + 1);
  if (!(KNOWN_SELECTOR_TYPES as readonly string[]).includes(type)) {
    throw new ValidationError(field, text, `has unknown selector type '${type}' (known: ${KNOWN_SELECTOR_TYPES.join(', ')})`);
  }
  if (value.length === 0) throw new ValidationError(field, text, 'must have a non-empty value after "type:"');
  if (/[\u0000-\u001f]/.test(value)) throw new ValidationError(field, text, 'must not contain control characters');
  return { type: type as SelectorType, value };
}

/** The `type:value` text of a selector. */
export function selectorText(selector: Selector): string {
  return `${selector.type}:${selector.value}`;
}
