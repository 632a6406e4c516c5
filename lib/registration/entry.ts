import { createHash } from 'crypto';
import { checkDns1123Subdomain, ValidationError } from '../validation';
import { parseSelector, Selector, selectorText } from './selector';
import { parseSpiffeId, SpiffeId } from './spiffe-id';

/**
 * The start of every entry ID this mesh creates: the registration Job owns exactly the
 * entries whose ID starts with it, and never touches another.
 */
export const ENTRY_ID_PREFIX = 'spire-mesh-';

/** The largest TTL SPIRE stores (its TTL fields are int32 seconds). */
const MAX_TTL_SECONDS = 2 ** 31 - 1;

export interface RegistrationEntryProps {
  /** The SPIFFE ID the matching workloads (or agents, for a node entry) receive. */
  readonly spiffeId: string;
  /**
   * Who may obtain this identity: an agent's or a node alias's SPIFFE ID, or, for a node
   * entry, the server's own ID `spiffe://<trust domain>/spire/server`.
   */
  readonly parentId: string;
  /** `type:value` selectors a workload must all match, at least one. */
  readonly selectors: readonly string[];
  /**
   * Lifetime of X.509-SVIDs issued for this entry, in seconds.
   * @default - the server's `default_x509_svid_ttl`
   */
  readonly x509SvidTtl?: number;
  /**
   * Lifetime of JWT-SVIDs issued for this entry, in seconds.
   * @default - the server's `default_jwt_svid_ttl`
   */
  readonly jwtSvidTtl?: number;
  /**
   * DNS names put in the X.509-SVID's SAN.
   * @default - none
   */
  readonly dnsNames?: readonly string[];
  /**
   * Grants the identity access to the server's admin APIs.
   * @default false
   */
  readonly admin?: boolean;
  /**
   * The entry describes a downstream SPIRE server.
   * @default false
   */
  readonly downstream?: boolean;
}

/** One entry in the JSON `spire-server entry create -data` reads (SPIRE's `common.RegistrationEntry`). */
export interface SpireEntryJson {
  /** Caller-chosen ID (SPIRE ≥ 1.6): letters, digits, `-`, `.`, `_`, at most 255. */
  readonly entry_id: string;
  readonly spiffe_id: string;
  readonly parent_id: string;
  readonly selectors: readonly { readonly type: string; readonly value: string }[];
  readonly x509_svid_ttl?: number;
  readonly jwt_svid_ttl?: number;
  readonly dns_names?: readonly string[];
  readonly admin?: boolean;
  readonly downstream?: boolean;
}

/** The document `spire-server entry create -data <file>` reads. */
export interface SpireEntriesJson {
  readonly entries: readonly SpireEntryJson[];
}

function checkTtl(field: string, value: number | undefined): number | undefined {
  if (value !== undefined && (!Number.isInteger(value) || value < 1 || value > MAX_TTL_SECONDS)) {
    throw new ValidationError(field, value, `must be a whole number of seconds between 1 and ${MAX_TTL_SECONDS}`);
  }
  return value;
}

/**
 * A SPIRE registration entry, validated on construction: SPIFFE IDs by the SPIFFE ID spec,
 * selectors by known type, TTLs and DNS names by SPIRE's limits. Every error names the
 * entry (its SPIFFE ID) and the rule.
 * @see https://spiffe.io/docs/latest/deploying/registering/
 */
export class RegistrationEntry {
  public readonly spiffeId: SpiffeId;
  public readonly parentId: SpiffeId;
  public readonly selectors: readonly Selector[];
  public readonly x509SvidTtl?: number;
  public readonly jwtSvidTtl?: number;
  public readonly dnsNames: readonly string[];
  public readonly admin: boolean;
  public readonly downstream: boolean;
  /**
   * `ENTRY_ID_PREFIX` (lib/registration/entry.ts) and a hash of everything SPIRE stores of the
   * entry (selectors in any order): the same entry always gets the same ID, a changed one a new ID.
   */
  public readonly entryId: string;

  constructor(props: RegistrationEntryProps) {
    const name = `entry '${props.spiffeId}'`;
    this.spiffeId = parseSpiffeId(`${name} spiffeId`, props.spiffeId);
    if (this.spiffeId.path === '') {
      throw new ValidationError(`${name} spiffeId`, props.spiffeId, 'must have a path: an entry names a workload or node, not the trust domain');
    }
    this.parentId = parseSpiffeId(`${name} parentId`, props.parentId);
    if (this.parentId.text === this.spiffeId.text) {
      throw new ValidationError(`${name} parentId`, props.parentId, 'must differ from the entry\'s own SPIFFE ID');
    }
    if (props.selectors.length === 0) {
      throw new ValidationError(`${name} selectors`, props.selectors, 'must list at least one selector');
    }
    this.selectors = props.selectors.map((s, i) => parseSelector(`${name} selectors[${i}]`, s));
    const texts = this.selectors.map(selectorText);
    const repeated = texts.find((t, i) => texts.indexOf(t) !== i);
    if (repeated !== undefined) throw new ValidationError(`${name} selectors`, repeated, 'is listed twice');
    this.x509SvidTtl = checkTtl(`${name} x509SvidTtl`, props.x509SvidTtl);
    this.jwtSvidTtl = checkTtl(`${name} jwtSvidTtl`, props.jwtSvidTtl);
    this.dnsNames = (props.dnsNames ?? []).map((d, i) => checkDns1123Subdomain(`${name} dnsNames[${i}]`, d));
    this.admin = props.admin ?? false;
    this.downstream = props.downstream ?? false;
    const content = { ...this.content(), selectors: [...texts].sort() };
    this.entryId = `${ENTRY_ID_PREFIX}${createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 32)}`;
  }

  /** This entry in SPIRE's `-data` JSON; optional fields only when set, so SPIRE's defaults apply. */
  public toSpireJson(): SpireEntryJson {
    return { entry_id: this.entryId, ...this.content() };
  }

  private content(): Omit<SpireEntryJson, 'entry_id'> {
    return {
      spiffe_id: this.spiffeId.text,
      parent_id: this.parentId.text,
      selectors: this.selectors.map((s) => ({ type: s.type, value: s.value })),
      ...(this.x509SvidTtl !== undefined ? { x509_svid_ttl: this.x509SvidTtl } : {}),
      ...(this.jwtSvidTtl !== undefined ? { jwt_svid_ttl: this.jwtSvidTtl } : {}),
      ...(this.dnsNames.length > 0 ? { dns_names: this.dnsNames } : {}),
      ...(this.admin ? { admin: true } : {}),
      ...(this.downstream ? { downstream: true } : {}),
    };
  }
}

/**
 * Refuses two entries with the same SPIFFE ID and the same selectors (in any order): SPIRE
 * would treat the second as a duplicate, and two sources claiming one identity is a mistake.
 * @throws ValidationError naming the SPIFFE ID and the selectors
 */
export function checkNoDuplicateEntries(entries: readonly RegistrationEntry[]): void {
  const seen = new Set<string>();
  for (const entry of entries) {
    const selectors = entry.selectors.map(selectorText).sort();
    const key = JSON.stringify([entry.spiffeId.text, selectors]);
    if (seen.has(key)) {
      throw new ValidationError(
        `entry '${entry.spiffeId.text}'`,
        selectors.join(' '),
        'is registered twice with the same SPIFFE ID and selectors',
      );
    }
    seen.add(key);
  }
}

/** The `-data` document for a list of entries, in the given order. */
export function spireEntriesJson(entries: readonly RegistrationEntry[]): SpireEntriesJson {
  return { entries: entries.map((e) => e.toSpireJson()) };
}
