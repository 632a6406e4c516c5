import { ValidationError } from '../validation';

/**
 * SPIFFE IDs as the SPIFFE ID specification defines them, checked before anything reaches
 * SPIRE, so a typo fails at synth time naming the entry and the broken rule.
 * @see https://github.com/spiffe/spiffe/blob/main/standards/SPIFFE-ID.md
 */

/** The longest SPIFFE ID, in bytes, a conforming implementation must accept (spec §2.3). */
export const SPIFFE_ID_MAX_BYTES = 2048;

const SCHEME = 'spiffe://';
const TRUST_DOMAIN_CHARS = /^[a-z0-9._-]+$/;
const PATH_SEGMENT_CHARS = /^[A-Za-z0-9._-]+$/;

/** A SPIFFE ID split into its parts. */
export interface SpiffeId {
  readonly trustDomain: string;
  /** Empty for a trust domain's own ID, else `/segment/...`. */
  readonly path: string;
  /** The ID as text: `spiffe://<trustDomain><path>`. */
  readonly text: string;
}

/**
 * Parses and validates a SPIFFE ID.
 * @param field what holds the ID, for the error (e.g. `entry 'spiffe://…' parentId`)
 * @throws ValidationError naming `field`, the value and the first rule it breaks
 */
export function parseSpiffeId(field: string, value: string): SpiffeId {
  const broken = (rule: string) => new ValidationError(field, value, `${rule} (SPIFFE ID spec)`);
  if (Buffer.byteLength(value, 'utf8') > SPIFFE_ID_MAX_BYTES) throw broken(`must be at most ${SPIFFE_ID_MAX_BYTES} bytes`);
  if (!value.startsWith(SCHEME)) throw broken('must start with the scheme "spiffe://" (lowercase)');
  if (value.includes('?')) throw broken('must not have a query ("?")');
  if (value.includes('#')) throw broken('must not have a fragment ("#")');
  const rest = value.slice(SCHEME.length);
  const slash = rest.indexOf('/');
  const trustDomain = slash === -1 ? rest : rest.slice(0, slash);
  const path = slash === -1 ? '' : rest.slice(slash);
  if (trustDomain.length === 0) throw broken('must name a trust domain after "spiffe://"');
  if (trustDomain.includes('@')) throw broken('must not have user info ("@") in the trust domain');
  if (trustDomain.includes(':')) throw broken('must not have a port in the trust domain');
  if (!TRUST_DOMAIN_CHARS.test(trustDomain)) {
    throw broken('trust domain must use only lowercase letters, digits, ".", "-" and "_"');
  }
  if (path.length > 0) {
    for (const segment of path.slice(1).split('/')) {
      if (segment.length === 0) throw broken('path segments must not be empty (no "//" and no trailing "/")');
      if (segment === '.' || segment === '..') throw broken('path segments must not be "." or ".."');
      if (!PATH_SEGMENT_CHARS.test(segment)) {
        throw broken(`path segment '${segment}' must use only letters, digits, ".", "-" and "_"`);
      }
    }
  }
  return { trustDomain, path, text: value };
}
