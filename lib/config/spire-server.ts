import { SecretKeySelector, SpireKeyManager, SpireUpstreamAuthority } from '../spire/settings';
import { checkOneOf, ValidationError } from '../validation';
import { DEFAULT_CONFIG, SpireServerConfig } from './mesh-config';

// The config writes every optional SPIRE server setting as a key with an empty default (every
// config key has a default, see load.ts); this maps those onto the SpireServer's optional props,
// once, for the config loader's checks and the composition root alike.

/** The SpireServer props that the config's `spire.server` holds as plugin choices and optional Secrets. */
export interface SpireServerChoices {
  readonly connectionStringSecret?: SecretKeySelector;
  readonly datastoreCaSecret?: SecretKeySelector;
  readonly agentTtl?: string;
  readonly upstreamAuthority?: SpireUpstreamAuthority;
  readonly keyManager: SpireKeyManager;
}

const UPSTREAM_AUTHORITY_TYPES = ['none', 'disk', 'cert-manager'] as const;
const KEY_MANAGER_TYPES = ['disk', 'memory', 'aws_kms'] as const;

/** A selector whose empty name means "none". */
function selector(value: { readonly name: string; readonly key: string }): SecretKeySelector | undefined {
  return value.name === '' ? undefined : value;
}

/** `''` means "not set". */
function optional(value: string): string | undefined {
  return value === '' ? undefined : value;
}

/** Refuses settings of a plugin the config did not choose: they would be silently ignored. */
function checkUnchosen(field: string, chosen: string, branches: Record<string, { key: string; value: unknown; defaults: unknown }>): void {
  for (const [type, branch] of Object.entries(branches)) {
    if (type !== chosen && JSON.stringify(branch.value) !== JSON.stringify(branch.defaults)) {
      throw new ValidationError(`${field}.${branch.key}`, branch.value, `applies only with ${field}.type '${type}' (it is '${chosen}')`);
    }
  }
}

/**
 * The SpireServer props of `spire.server`'s plugin choices and Secrets.
 * @throws ValidationError naming the config path of a type that is not offered, or of settings for a plugin not chosen
 */
export function spireServerChoices(server: SpireServerConfig): SpireServerChoices {
  const defaults = DEFAULT_CONFIG.spire.server;
  const ua = server.upstreamAuthority;
  checkOneOf('spire.server.upstreamAuthority.type', ua.type, UPSTREAM_AUTHORITY_TYPES);
  checkUnchosen('spire.server.upstreamAuthority', ua.type, {
    disk: { key: 'disk', value: ua.disk, defaults: defaults.upstreamAuthority.disk },
    'cert-manager': { key: 'certManager', value: ua.certManager, defaults: defaults.upstreamAuthority.certManager },
  });
  const km = server.keyManager;
  checkOneOf('spire.server.keyManager.type', km.type, KEY_MANAGER_TYPES);
  checkUnchosen('spire.server.keyManager', km.type, { aws_kms: { key: 'awsKms', value: km.awsKms, defaults: defaults.keyManager.awsKms } });

  let upstreamAuthority: SpireUpstreamAuthority | undefined;
  if (ua.type === 'disk') {
    upstreamAuthority = { type: 'disk', secretName: ua.disk.secretName, certKey: ua.disk.certKey, keyKey: ua.disk.keyKey, bundleKey: optional(ua.disk.bundleKey) };
  } else if (ua.type === 'cert-manager') {
    const cm = ua.certManager;
    upstreamAuthority = {
      type: 'cert-manager',
      issuerName: cm.issuerName,
      issuerKind: cm.issuerKind,
      issuerGroup: cm.issuerGroup,
      namespace: optional(cm.namespace),
      kubeConfigSecret: selector(cm.kubeConfigSecret),
    };
  }
  const kms = km.awsKms;
  const keyManager: SpireKeyManager =
    km.type === 'aws_kms'
      ? {
          type: 'aws_kms',
          region: kms.region,
          keyPolicyConfigMap: selector(kms.keyPolicyConfigMap),
          roleArn: optional(kms.roleArn),
          credentialsSecret: optional(kms.credentialsSecret),
        }
      : { type: km.type };
  return {
    connectionStringSecret: selector(server.datastore.connectionStringSecret),
    datastoreCaSecret: selector(server.datastore.caSecret),
    agentTtl: optional(server.agentTtl),
    upstreamAuthority,
    keyManager,
  };
}

/** The config path, below `spire.server`, of a SpireServer prop named in a settings error. */
export function spireServerConfigField(prop: string): string {
  return `spire.server.${prop
    .replace(/^datastore$/, 'datastore.type')
    .replace(/^connectionStringSecret/, 'datastore.connectionStringSecret')
    .replace(/^datastoreCaSecret/, 'datastore.caSecret')
    .replace(/^upstreamAuthority\.(secretName|certKey|keyKey|bundleKey)$/, 'upstreamAuthority.disk.$1')
    .replace(/^upstreamAuthority\.(issuerName|issuerKind|issuerGroup|namespace|kubeConfigSecret)/, 'upstreamAuthority.certManager.$1')
    .replace(/^keyManager\.(region|keyPolicyConfigMap|roleArn|credentialsSecret)/, 'keyManager.awsKms.$1')}`;
}
