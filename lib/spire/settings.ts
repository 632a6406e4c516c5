import { checkDns1123Subdomain, checkDuration, checkOneOf, checkWholeNumber, durationSeconds, ValidationError } from '../validation';

// SPIRE's settings and their rules, apart from the constructs that render them: the config
// loader checks a file with them without loading cdk8s.

/** The levels `log_level` accepts, in the server's and the agent's config alike. */
export const SPIRE_LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type SpireLogLevel = (typeof SPIRE_LOG_LEVELS)[number];

/** The SQL databases SPIRE 1.15's `DataStore "sql"` plugin supports (its `database_type`, sqlite3 spelled `sqlite`). */
export type SpireDatastoreType = 'sqlite' | 'postgres' | 'mysql';
export const SPIRE_DATASTORE_TYPES: readonly SpireDatastoreType[] = ['sqlite', 'postgres', 'mysql'];
/** The key types SPIRE's `ca_key_type` accepts. */
export const SPIRE_CA_KEY_TYPES = ['rsa-2048', 'rsa-4096', 'ec-p256', 'ec-p384'] as const;
export type SpireCaKeyType = (typeof SPIRE_CA_KEY_TYPES)[number];

/** A key of a Secret in the server's namespace. */
export interface SecretKeySelector {
  /** The Secret's name. */
  readonly name: string;
  /** The key holding the value. */
  readonly key: string;
}

/** The settings whose rules span fields; {@link checkSpireServerSettings} holds the rules. */
export interface SpireServerSettings {
  readonly replicas: number;
  readonly datastore: SpireDatastoreType;
  readonly connectionStringSecret?: SecretKeySelector;
  readonly caTtl: string;
  readonly defaultX509SvidTtl: string;
  readonly caSubject: { readonly country: string; readonly organization: string };
}

/** The most SPIRE servers: each keeps its own CA key and PVC, and an HA deployment runs a handful. */
export const MAX_SPIRE_SERVER_REPLICAS = 16;

/**
 * The server's rules that span fields, and the CA subject's text rule, once: used by {@link SpireServer} (fields named as its props)
 * and by the config loader (fields named `spire.server.…`).
 * @param field turns a prop name into the name the user wrote
 * @throws ValidationError naming the field, the value and the rule
 */
export function checkSpireServerSettings(settings: SpireServerSettings, field: (prop: string) => string = (p) => p): void {
  const { replicas, datastore, connectionStringSecret: secret } = settings;
  checkWholeNumber(field('replicas'), replicas, 1, MAX_SPIRE_SERVER_REPLICAS);
  checkOneOf(field('datastore'), datastore, SPIRE_DATASTORE_TYPES);
  if (replicas > 1 && datastore === 'sqlite') {
    throw new ValidationError(
      field('replicas'),
      replicas,
      'needs an external datastore (postgres or mysql): SQLite is one file on one pod\'s volume, servers cannot share it',
    );
  }
  if (datastore === 'sqlite' && secret !== undefined) {
    throw new ValidationError(field('connectionStringSecret'), secret.name, 'applies only to postgres and mysql; SQLite lives on the server\'s volume');
  }
  for (const [key, value] of Object.entries(settings.caSubject)) {
    if (value.length === 0 || /[\u0000-\u001f"\\]/.test(value)) {
      throw new ValidationError(field(`caSubject.${key}`), value, 'must be non-empty text without quotes, backslashes or control characters');
    }
  }
  if (datastore !== 'sqlite') {
    if (secret === undefined) {
      throw new ValidationError(field('connectionStringSecret'), secret, `must name the Secret holding the ${datastore} connection string`);
    }
    checkDns1123Subdomain(field('connectionStringSecret.name'), secret.name);
    if (!/^[-._a-zA-Z0-9]{1,253}$/.test(secret.key)) {
      throw new ValidationError(field('connectionStringSecret.key'), secret.key, 'must be a Secret key: letters, digits, "-", "_" and "."');
    }
    // -expandEnv substitutes every `$` of the file, so free text must not carry one.
    for (const [key, value] of Object.entries(settings.caSubject)) {
      if (value.includes('$')) throw new ValidationError(field(`caSubject.${key}`), value, 'must not contain "$" with an external datastore: SPIRE runs with -expandEnv');
    }
  }
  checkDuration(field('caTtl'), settings.caTtl);
  checkDuration(field('defaultX509SvidTtl'), settings.defaultX509SvidTtl);
  if (durationSeconds(settings.defaultX509SvidTtl) >= durationSeconds(settings.caTtl)) {
    throw new ValidationError(
      field('defaultX509SvidTtl'),
      settings.defaultX509SvidTtl,
      `must be shorter than ${field('caTtl')} (${settings.caTtl}): an SVID cannot outlive the CA that signs it`,
    );
  }
}
