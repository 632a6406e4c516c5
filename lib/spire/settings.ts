import { checkDns1123Label, checkDns1123Subdomain, checkDuration, checkOneOf, checkWholeNumber, durationSeconds, ValidationError } from '../validation';

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

/**
 * `UpstreamAuthority "disk"`: the upstream CA's certificate and key (and, when that CA is not
 * self-signed, the roots it chains to) from a Secret in the server's namespace, mounted read-only.
 * @see https://github.com/spiffe/spire/blob/v1.15.3/doc/plugin_server_upstreamauthority_disk.md
 */
export interface DiskUpstreamAuthority {
  readonly type: 'disk';
  /** The Secret holding the files (a `kubernetes.io/tls` Secret fits the default keys). */
  readonly secretName: string;
  /** Key of the PEM certificate (chain), `cert_file_path`. @default 'tls.crt' */
  readonly certKey?: string;
  /** Key of the PEM private key, `key_file_path`. @default 'tls.key' */
  readonly keyKey?: string;
  /** Key of the upstream roots, `bundle_file_path`; needed when the certificate is not self-signed. @default - none (a self-signed upstream CA) */
  readonly bundleKey?: string;
}

/**
 * `UpstreamAuthority "cert-manager"`: each server's CA is signed through a cert-manager
 * CertificateRequest in `namespace`, by a CA-capable issuer.
 * @see https://github.com/spiffe/spire/blob/v1.15.3/doc/plugin_server_upstreamauthority_cert_manager.md
 */
export interface CertManagerUpstreamAuthority {
  readonly type: 'cert-manager';
  /** The issuer the CertificateRequests name (`issuer_name`). */
  readonly issuerName: string;
  /** `issuer_kind`. @default 'Issuer' */
  readonly issuerKind?: string;
  /** `issuer_group`. @default 'cert-manager.io' */
  readonly issuerGroup?: string;
  /** Where the CertificateRequests are created (`namespace`). @default - the server's namespace */
  readonly namespace?: string;
  /**
   * A kubeconfig (Secret key, mounted read-only) for cert-manager in another cluster
   * (`kube_config_file`). Without it the plugin uses the in-cluster config and the server is
   * granted its CertificateRequest verbs in `namespace`.
   * @default - the in-cluster config
   */
  readonly kubeConfigSecret?: SecretKeySelector;
}

/** The UpstreamAuthority plugins this mesh configures. */
export type SpireUpstreamAuthority = DiskUpstreamAuthority | CertManagerUpstreamAuthority;
export const SPIRE_UPSTREAM_AUTHORITY_TYPES = ['disk', 'cert-manager'] as const;

/**
 * `KeyManager "aws_kms"`: the CA keys are created in and never leave AWS KMS. Access comes from
 * the pod's AWS identity (IRSA: `roleArn` annotates the ServiceAccount; or EKS Pod Identity,
 * set up in AWS), or from a Secret reaching the container as the SDK's environment variables.
 * Static keys never enter `server.conf`.
 * @see https://github.com/spiffe/spire/blob/v1.15.3/doc/plugin_server_keymanager_aws_kms.md
 */
export interface AwsKmsKeyManager {
  readonly type: 'aws_kms';
  /** The region the keys are created in (`region`). */
  readonly region: string;
  /** A ConfigMap key holding a custom key policy (JSON), mounted read-only (`key_policy_file`). @default - SPIRE's default policy, which needs an assumed role */
  readonly keyPolicyConfigMap?: SecretKeySelector;
  /** IAM role for IRSA: annotates the server's ServiceAccount with `eks.amazonaws.com/role-arn`. @default - no annotation */
  readonly roleArn?: string;
  /** A Secret with keys `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`, passed as those variables. @default - none */
  readonly credentialsSecret?: string;
}

/** Where the server's CA keys live: `disk` (a file on each pod's PVC), `memory` (lost at restart), or AWS KMS. */
export type SpireKeyManager = { readonly type: 'disk' } | { readonly type: 'memory' } | AwsKmsKeyManager;
export const SPIRE_KEY_MANAGER_TYPES = ['disk', 'memory', 'aws_kms'] as const;

/** The longest agent SVID lifetime the default aims for; see {@link defaultAgentTtl}. */
export const AGENT_TTL_TARGET = '24h';
/** SPIRE's cap on any SVID TTL it can guarantee, whatever `ca_ttl` (`activationThresholdCap`, pkg/server/ca/manager/manager.go:44–46 at v1.15.3). */
const MAX_SVID_TTL_SECONDS = 7 * 24 * 3600;

/**
 * The longest SVID TTL SPIRE guarantees for a CA TTL: `min(ca_ttl / 6, 7d)`. A CA is replaced
 * when a sixth of its life is left, and no SVID outlives its CA; above this SPIRE 1.15.3 logs
 * "… is too high for the configured ca_ttl value" and issues shorter SVIDs
 * (`MaxSVIDTTLForCATTL`, pkg/server/ca/manager/manager.go:1073; cmd/spire-server/cli/run/run.go:612–650).
 */
export function maxSvidTtlSeconds(caTtl: string): number {
  return Math.min(durationSeconds(caTtl) / 6, MAX_SVID_TTL_SECONDS);
}

/** A whole number of seconds as the shortest Go duration: `600` → `10m`, `86400` → `24h`. */
export function goDuration(seconds: number): string {
  const whole = Math.floor(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || whole === 0 ? `${s}s` : ''}`;
}

/**
 * The agent SVID TTL when none is set: {@link AGENT_TTL_TARGET}, shortened to what SPIRE
 * guarantees under `caTtl` ({@link maxSvidTtlSeconds}). With the demo's `ca_ttl` of 1h that is
 * 10m, what SPIRE itself would use (`default_x509_svid_ttl`); with a `ca_ttl` of 144h or more, 24h.
 */
export function defaultAgentTtl(caTtl: string): string {
  return goDuration(Math.min(durationSeconds(AGENT_TTL_TARGET), maxSvidTtlSeconds(caTtl)));
}

/** The settings whose rules span fields; `checkSpireServerSettings` in lib/spire/settings.ts holds the rules. */
export interface SpireServerSettings {
  readonly replicas: number;
  readonly datastore: SpireDatastoreType;
  readonly connectionStringSecret?: SecretKeySelector;
  /** The datastore server's CA certificate (postgres `sslrootcert`, mysql `root_ca_path`). */
  readonly datastoreCaSecret?: SecretKeySelector;
  readonly caTtl: string;
  readonly defaultX509SvidTtl: string;
  /** Unset, `defaultAgentTtl` in lib/spire/settings.ts derives it from `caTtl`, within the rule by construction. */
  readonly agentTtl?: string;
  readonly caSubject: { readonly country: string; readonly organization: string };
  readonly upstreamAuthority?: SpireUpstreamAuthority;
  readonly keyManager: SpireKeyManager;
}

/** A key of a Secret or ConfigMap. */
function checkObjectKey(field: string, value: string): void {
  if (!/^[-._a-zA-Z0-9]{1,253}$/.test(value)) {
    throw new ValidationError(field, value, 'must be a Secret or ConfigMap key: letters, digits, "-", "_" and "."');
  }
}

function checkKeySelector(field: string, selector: SecretKeySelector): void {
  checkDns1123Subdomain(`${field}.name`, selector.name);
  checkObjectKey(`${field}.key`, selector.key);
}

function checkUpstreamAuthority(field: (prop: string) => string, upstream: SpireUpstreamAuthority): void {
  checkOneOf(field('upstreamAuthority.type'), upstream.type, SPIRE_UPSTREAM_AUTHORITY_TYPES);
  if (upstream.type === 'disk') {
    checkDns1123Subdomain(field('upstreamAuthority.secretName'), upstream.secretName);
    for (const key of ['certKey', 'keyKey', 'bundleKey'] as const) {
      const value = upstream[key];
      if (value !== undefined) checkObjectKey(field(`upstreamAuthority.${key}`), value);
    }
    return;
  }
  checkDns1123Subdomain(field('upstreamAuthority.issuerName'), upstream.issuerName);
  if (upstream.issuerKind !== undefined && !/^[A-Z][A-Za-z0-9]{0,62}$/.test(upstream.issuerKind)) {
    throw new ValidationError(field('upstreamAuthority.issuerKind'), upstream.issuerKind, 'must be a Kubernetes kind such as "Issuer" or "ClusterIssuer"');
  }
  if (upstream.issuerGroup !== undefined) checkDns1123Subdomain(field('upstreamAuthority.issuerGroup'), upstream.issuerGroup);
  if (upstream.namespace !== undefined) checkDns1123Label(field('upstreamAuthority.namespace'), upstream.namespace);
  if (upstream.kubeConfigSecret !== undefined) checkKeySelector(field('upstreamAuthority.kubeConfigSecret'), upstream.kubeConfigSecret);
}

function checkKeyManager(field: (prop: string) => string, keyManager: SpireKeyManager): void {
  checkOneOf(field('keyManager.type'), keyManager.type, SPIRE_KEY_MANAGER_TYPES);
  if (keyManager.type !== 'aws_kms') return;
  if (!/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(keyManager.region)) {
    throw new ValidationError(field('keyManager.region'), keyManager.region, 'must be an AWS region such as "us-east-1"');
  }
  if (keyManager.keyPolicyConfigMap !== undefined) checkKeySelector(field('keyManager.keyPolicyConfigMap'), keyManager.keyPolicyConfigMap);
  if (keyManager.roleArn !== undefined && !/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/.test(keyManager.roleArn)) {
    throw new ValidationError(field('keyManager.roleArn'), keyManager.roleArn, 'must be an IAM role ARN, arn:aws:iam::<12-digit account>:role/<name>');
  }
  if (keyManager.credentialsSecret !== undefined) {
    checkDns1123Subdomain(field('keyManager.credentialsSecret'), keyManager.credentialsSecret);
    if (keyManager.roleArn !== undefined) {
      throw new ValidationError(field('keyManager.credentialsSecret'), keyManager.credentialsSecret, `cannot be combined with ${field('keyManager.roleArn')}: the AWS SDK would use the static keys and ignore the role`);
    }
  }
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
  if (settings.datastoreCaSecret !== undefined) {
    if (datastore === 'sqlite') {
      throw new ValidationError(field('datastoreCaSecret'), settings.datastoreCaSecret.name, 'applies only to postgres and mysql: SQLite is a local file, there is no server to verify');
    }
    checkKeySelector(field('datastoreCaSecret'), settings.datastoreCaSecret);
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
  if (settings.agentTtl !== undefined) {
    const agent = durationSeconds(checkDuration(field('agentTtl'), settings.agentTtl));
    const longest = maxSvidTtlSeconds(settings.caTtl);
    if (agent > longest) {
      const why =
        agent > MAX_SVID_TTL_SECONDS
          ? 'SPIRE guarantees no SVID lifetime above 7 days (168h)'
          : `SPIRE replaces its CA when a sixth of the CA's life is left, and no SVID outlives its CA: raise ${field('caTtl')} to at least ${goDuration(agent * 6)} or shorten ${field('agentTtl')}`;
      throw new ValidationError(field('agentTtl'), settings.agentTtl, `must be at most ${goDuration(longest)} with ${field('caTtl')} ${settings.caTtl}: ${why}`);
    }
  }
  if (settings.upstreamAuthority !== undefined) checkUpstreamAuthority(field, settings.upstreamAuthority);
  checkKeyManager(field, settings.keyManager);
}
