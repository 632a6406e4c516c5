import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import {
  checkDns1123Label,
  checkDuration,
  checkImage,
  checkImageHub,
  checkOneOf,
  checkQuantity,
  checkReleaseVersion,
  checkTrustDomain,
  checkUnique,
  durationSeconds,
  show,
  ValidationError,
} from '../validation';
import { DEFAULT_CONFIG, MeshConfig } from './mesh-config';
import { checkServices, takeServices } from './services';

/** The file read when {@link CONFIG_ENV_VAR} is not set; absent means "all defaults". */
export const DEFAULT_CONFIG_FILE = 'spire-mesh.config.yaml';
/** Names a config file to read instead of {@link DEFAULT_CONFIG_FILE}; it must exist. */
export const CONFIG_ENV_VAR = 'SPIRE_MESH_CONFIG';

/** Every problem found in a configuration, one per line, so a user fixes them in one pass. */
export class ConfigError extends Error {
  constructor(
    public readonly source: string,
    public readonly problems: readonly string[],
  ) {
    super(`invalid configuration (${source}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadOptions {
  /** Directory a relative config path is resolved against. @default process.cwd() */
  readonly cwd?: string;
  /** The environment to read {@link CONFIG_ENV_VAR} from. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Reads the user's config file (if any), merges it over {@link DEFAULT_CONFIG} and
 * validates the result. Throws a {@link ConfigError} naming every bad field.
 */
export function loadMeshConfig(options: LoadOptions = {}): MeshConfig {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const named = env[CONFIG_ENV_VAR];
  const file = path.resolve(cwd, named ?? DEFAULT_CONFIG_FILE);
  if (!fs.existsSync(file)) {
    if (named !== undefined) {
      throw new ConfigError(file, [`${CONFIG_ENV_VAR} names ${show(named)}, which does not exist`]);
    }
    return resolveMeshConfig({}, 'defaults');
  }
  const relative = path.relative(cwd, file);
  return resolveMeshConfig(parseConfigFile(file), relative.startsWith('..') ? file : relative);
}

function parseConfigFile(file: string): unknown {
  const text = fs.readFileSync(file, 'utf8');
  try {
    if (file.endsWith('.json')) return JSON.parse(text);
    const doc = YAML.parseDocument(text, { uniqueKeys: true });
    if (doc.errors.length > 0) throw doc.errors[0];
    return doc.toJS() ?? {};
  } catch (err) {
    throw new ConfigError(path.basename(file), [`cannot parse: ${(err as Error).message.split('\n')[0]}`]);
  }
}

/**
 * Merges `overrides` (already parsed, e.g. from a test) over the defaults and validates.
 * @param source where the overrides came from, for the error message
 */
export function resolveMeshConfig(overrides: unknown, source = 'overrides'): MeshConfig {
  const problems: string[] = [];
  const { services, rest } = takeServices(overrides, problems);
  const merged = { ...(merge(DEFAULT_CONFIG, rest, '', problems) as MeshConfig), services };
  validate(merged, problems);
  if (problems.length > 0) throw new ConfigError(source, problems);
  return merged;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Overrides replace defaults key by key; a key the defaults lack is refused, not ignored. */
function merge(defaults: unknown, override: unknown, at: string, problems: string[]): unknown {
  const field = at || '(root)';
  if (override === undefined) return defaults;
  if (isPlainObject(defaults)) {
    if (!isPlainObject(override)) {
      problems.push(new ValidationError(field, override, 'must be a mapping of keys to values').message);
      return defaults;
    }
    const result: Record<string, unknown> = { ...defaults };
    for (const key of Object.keys(override)) {
      const child = at ? `${at}.${key}` : key;
      if (!(key in defaults)) {
        problems.push(`${child}: unknown key (known keys here: ${Object.keys(defaults).join(', ')})`);
        continue;
      }
      result[key] = merge(defaults[key], override[key], child, problems);
    }
    return result;
  }
  if (Array.isArray(defaults)) {
    if (!Array.isArray(override) || override.some((item) => typeof item !== 'string')) {
      problems.push(new ValidationError(field, override, 'must be a list of strings').message);
      return defaults;
    }
    return override;
  }
  if (typeof override !== typeof defaults) {
    problems.push(new ValidationError(field, override, `must be a ${typeof defaults}`).message);
    return defaults;
  }
  return override;
}

/** Runs every rule, collecting each failure rather than stopping at the first. */
function validate(c: MeshConfig, problems: string[]): void {
  const check = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      problems.push(err.message);
    }
  };
  check(() => checkTrustDomain('trustDomain', c.trustDomain));
  check(() => checkDns1123Label('clusterName', c.clusterName));
  check(() => checkDns1123Label('namespaces.spire', c.namespaces.spire));
  check(() => checkDns1123Label('namespaces.istio', c.namespaces.istio));
  check(() => {
    if (c.namespaces.spire === c.namespaces.istio) {
      throw new ValidationError('namespaces.istio', c.namespaces.istio, 'must differ from namespaces.spire');
    }
  });
  for (const [key, image] of Object.entries(c.images)) check(() => checkImage(`images.${key}`, image));

  const server = c.spire.server;
  check(() => checkQuantity('spire.server.storageSize', server.storageSize));
  check(() => checkOneOf('spire.server.caKeyType', server.caKeyType, ['rsa-2048', 'rsa-4096', 'ec-p256', 'ec-p384']));
  check(() => checkDuration('spire.server.caTtl', server.caTtl));
  check(() => checkDuration('spire.server.defaultX509SvidTtl', server.defaultX509SvidTtl));
  check(() => {
    if (durationSeconds(server.defaultX509SvidTtl) >= durationSeconds(server.caTtl)) {
      throw new ValidationError(
        'spire.server.defaultX509SvidTtl',
        server.defaultX509SvidTtl,
        `must be shorter than spire.server.caTtl (${server.caTtl}): an SVID cannot outlive the CA that signs it`,
      );
    }
  });
  const levels = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
  check(() => checkOneOf('spire.server.logLevel', server.logLevel, levels));
  check(() => checkOneOf('spire.agent.logLevel', c.spire.agent.logLevel, levels));
  for (const key of ['country', 'organization'] as const) {
    check(() => {
      const value = server.caSubject[key];
      if (value.length === 0 || /[\u0000-\u001f"\\]/.test(value)) {
        throw new ValidationError(`spire.server.caSubject.${key}`, value, 'must be non-empty text without quotes, backslashes or control characters');
      }
    });
  }

  check(() => checkReleaseVersion('istio.version', c.istio.version));
  check(() => checkImageHub('istio.hub', c.istio.hub));

  const bookinfo = c.bookinfo;
  check(() => {
    if (bookinfo.namespaces.length === 0) {
      throw new ValidationError('bookinfo.namespaces', bookinfo.namespaces, 'must list at least one namespace');
    }
  });
  bookinfo.namespaces.forEach((ns, i) => {
    check(() => checkDns1123Label(`bookinfo.namespaces[${i}]`, ns));
    check(() => {
      if (ns === c.namespaces.spire || ns === c.namespaces.istio) {
        throw new ValidationError(`bookinfo.namespaces[${i}]`, ns, "must not be SPIRE's or Istio's namespace");
      }
    });
  });
  check(() => checkUnique('bookinfo.namespaces', bookinfo.namespaces));
  for (const [key, image] of Object.entries(bookinfo.images)) check(() => checkImage(`bookinfo.images.${key}`, image));
  checkServices(c, problems, check);
}
