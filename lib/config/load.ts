import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { checkRetryStrategy } from '../argocd/application';
import { checkTolerations } from '../core/node-placement';
import { checkIstioVersion } from '../istio/version';
import { checkSpireServerSettings, SPIRE_CA_KEY_TYPES, SPIRE_LOG_LEVELS } from '../spire/settings';
import { checkStaticBusyboxImage } from '../registration/job-tools';
import {
  checkDns1123Label,
  checkDns1123Subdomain,
  checkGitRepoUrl,
  checkGitRevision,
  checkHelmRepoUrl,
  checkImage,
  checkImageHub,
  checkOneOf,
  checkOwnNamespace,
  checkQuantity,
  checkRepoPath,
  checkTrustDomain,
  checkUnique,
  show,
  STORAGE_SIZE,
  ValidationError,
} from '../validation';
import { DEFAULT_CONFIG, MeshConfig } from './mesh-config';
import { checkServices, ServiceEntry, takeServices } from './services';
import { spireServerChoices, spireServerConfigField } from './spire-server';
import { checkVms, takeVms } from './vms';

/** The file read when {@link CONFIG_ENV_VAR} is not set; absent means "all defaults". */
export const DEFAULT_CONFIG_FILE = 'spire-mesh.config.yaml';
/** The other spelling of the YAML extension, found as well; both at once is refused as ambiguous. */
const ALTERNATE_CONFIG_FILE = 'spire-mesh.config.yml';
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

/** A validated configuration and where it came from. */
export interface LoadedConfig {
  readonly config: MeshConfig;
  /** The file read, relative to the working directory when inside it, or `defaults`. */
  readonly source: string;
}

/**
 * Reads the user's config file (if any), merges it over {@link DEFAULT_CONFIG} and
 * validates the result. Throws a {@link ConfigError} naming every bad field.
 */
export function loadMeshConfig(options: LoadOptions = {}): MeshConfig {
  return readMeshConfig(options).config;
}

/** {@link loadMeshConfig}, also telling which file it read. */
export function readMeshConfig(options: LoadOptions = {}): LoadedConfig {
  const cwd = options.cwd ?? process.cwd();
  const file = findConfigFile(cwd, options.env ?? process.env);
  if (file === undefined) return { config: resolveMeshConfig({}, 'defaults'), source: 'defaults' };
  const relative = path.relative(cwd, file);
  const source = relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
  return { config: resolveMeshConfig(parseConfigFile(file, source), source), source };
}

/** The config file to read, or undefined for "all defaults"; refuses a path that names nothing readable. */
function findConfigFile(cwd: string, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const named = env[CONFIG_ENV_VAR];
  if (named !== undefined) {
    if (named.trim() === '') throw new ConfigError(CONFIG_ENV_VAR, [`${CONFIG_ENV_VAR} is set but empty: name a config file, or unset it to use ${DEFAULT_CONFIG_FILE}`]);
    const file = path.resolve(cwd, named);
    const problem = fileProblem(file);
    if (problem) throw new ConfigError(CONFIG_ENV_VAR, [`${CONFIG_ENV_VAR} names ${show(named)}, which ${problem}`]);
    return file;
  }
  const present = [DEFAULT_CONFIG_FILE, ALTERNATE_CONFIG_FILE].filter((name) => lexists(path.resolve(cwd, name)));
  if (present.length > 1) {
    throw new ConfigError(DEFAULT_CONFIG_FILE, [`both ${DEFAULT_CONFIG_FILE} and ${ALTERNATE_CONFIG_FILE} exist: keep one, so it is clear which is read`]);
  }
  if (present.length === 0) return undefined;
  const file = path.resolve(cwd, present[0]);
  const problem = fileProblem(file);
  if (problem) throw new ConfigError(present[0], [`${present[0]} ${problem}`]);
  return file;
}

/** Whether anything, even a dangling symlink, is at `file`. */
function lexists(file: string): boolean {
  try {
    fs.lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

/** Why `file` cannot be read as a config file, or undefined when it can. */
function fileProblem(file: string): string | undefined {
  if (!lexists(file)) return 'does not exist';
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return `is a symbolic link to ${show(fs.readlinkSync(file))}, which does not exist`;
  }
  if (stat.isDirectory()) return 'is a directory, not a file';
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch (err) {
    return `cannot be read (${(err as NodeJS.ErrnoException).code}): check its permissions`;
  }
  return undefined;
}

function parseConfigFile(file: string, source: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(source, [`cannot read it: ${(err as Error).message}`]);
  }
  try {
    if (file.endsWith('.json')) return JSON.parse(text);
    const doc = YAML.parseDocument(text, { uniqueKeys: true });
    if (doc.errors.length > 0) throw doc.errors[0];
    return doc.toJS() ?? {};
  } catch (err) {
    throw new ConfigError(source, [`cannot parse: ${(err as Error).message.split('\n')[0]}`]);
  }
}

/**
 * Merges `overrides` (already parsed, e.g. from a test) over the defaults and validates.
 * @param source where the overrides came from, for the error message
 */
export function resolveMeshConfig(overrides: unknown, source = 'overrides'): MeshConfig {
  const problems: string[] = [];
  const { services, entries, rest: withoutServices } = takeServices(overrides, problems);
  const { vms, rest } = takeVms(withoutServices, problems);
  const merged = { ...(merge(DEFAULT_CONFIG, rest, '', problems) as MeshConfig), services, vms };
  validate(merged, entries, problems);
  if (problems.length > 0) throw new ConfigError(source, problems);
  return merged;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A key path as a message shows it: a pasted blob as a key is cut like any other value. */
function shownKey(at: string): string {
  const shown = show(at);
  return shown === `'${at}'` ? at : shown;
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
      // Own keys only: `__proto__`, `constructor` or `toString` are inherited, not settings.
      if (!Object.prototype.hasOwnProperty.call(defaults, key)) {
        problems.push(`${shownKey(child)}: unknown key (known keys here: ${Object.keys(defaults).join(', ')})`);
        continue;
      }
      result[key] = merge(defaults[key], override[key], child, problems);
    }
    return result;
  }
  if (Array.isArray(defaults)) {
    // A list of mappings (tolerations) is taken whole; validate() checks its items with their own rule.
    if (defaults.some(isPlainObject)) {
      if (Array.isArray(override)) return override;
      problems.push(new ValidationError(field, override, 'must be a list').message);
      return defaults;
    }
    if (!Array.isArray(override) || override.some((item) => typeof item !== 'string')) {
      problems.push(new ValidationError(field, override, 'must be a list of strings').message);
      return defaults;
    }
    return override;
  }
  if (typeof override !== typeof defaults) {
    // YAML reads an unquoted 1.30 as the number 1.3: only quotes keep it text.
    const hint = typeof defaults === 'string' && typeof override === 'number' ? `; put it in quotes, e.g. "${String(defaults)}"` : '';
    problems.push(new ValidationError(field, override, `must be a ${typeof defaults}${hint}`).message);
    return defaults;
  }
  return override;
}

/** Runs every rule, collecting each failure rather than stopping at the first. */
function validate(c: MeshConfig, entries: readonly ServiceEntry[], problems: string[]): void {
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
  for (const key of ['spire', 'istio'] as const) {
    check(() => checkDns1123Label(`namespaces.${key}`, c.namespaces[key]));
    check(() => checkOwnNamespace(`namespaces.${key}`, c.namespaces[key], { allowDefault: false }));
  }
  check(() => {
    if (c.namespaces.spire === c.namespaces.istio) {
      throw new ValidationError('namespaces.istio', c.namespaces.istio, 'must differ from namespaces.spire');
    }
  });
  for (const [key, image] of Object.entries(c.images)) check(() => (key === 'busybox' ? checkStaticBusyboxImage : checkImage)(`images.${key}`, image));

  const server = c.spire.server;
  check(() => checkQuantity('spire.server.storageSize', server.storageSize, STORAGE_SIZE));
  check(() => checkOneOf('spire.server.caKeyType', server.caKeyType, SPIRE_CA_KEY_TYPES));
  check(() => {
    const { replicas, caTtl, defaultX509SvidTtl, caSubject } = server;
    checkSpireServerSettings({ replicas, datastore: server.datastore.type, caTtl, defaultX509SvidTtl, caSubject, ...spireServerChoices(server) }, spireServerConfigField);
  });
  check(() => checkOneOf('spire.server.logLevel', server.logLevel, SPIRE_LOG_LEVELS));
  check(() => checkOneOf('spire.agent.logLevel', c.spire.agent.logLevel, SPIRE_LOG_LEVELS));
  for (const key of ['agent', 'csiDriver'] as const) {
    check(() => checkTolerations(`spire.${key}.tolerations`, c.spire[key].tolerations));
    check(() => checkDns1123Subdomain(`spire.${key}.priorityClassName`, c.spire[key].priorityClassName));
  }

  check(() => checkIstioVersion('istio.version', c.istio.version));
  check(() => checkImageHub('istio.hub', c.istio.hub));
  check(() => checkOneOf('istio.ingressGateway.serviceType', c.istio.ingressGateway.serviceType, ['LoadBalancer', 'NodePort', 'ClusterIP']));

  const bookinfo = c.bookinfo;
  check(() => {
    if (bookinfo.namespaces.length === 0) {
      throw new ValidationError('bookinfo.namespaces', bookinfo.namespaces, 'must list at least one namespace');
    }
  });
  bookinfo.namespaces.forEach((ns, i) => {
    check(() => checkDns1123Label(`bookinfo.namespaces[${i}]`, ns));
    check(() => checkOwnNamespace(`bookinfo.namespaces[${i}]`, ns, { allowDefault: true }));
    check(() => {
      if (ns === c.namespaces.spire || ns === c.namespaces.istio) {
        throw new ValidationError(`bookinfo.namespaces[${i}]`, ns, "must not be SPIRE's or Istio's namespace");
      }
    });
  });
  check(() => checkUnique('bookinfo.namespaces', bookinfo.namespaces));
  for (const [key, image] of Object.entries(bookinfo.images)) check(() => checkImage(`bookinfo.images.${key}`, image));

  const gitops = c.gitops;
  if (gitops.repoURL !== '') check(() => checkGitRepoUrl('gitops.repoURL', gitops.repoURL));
  check(() => checkGitRevision('gitops.revision', gitops.revision));
  check(() => checkRepoPath('gitops.path', gitops.path));
  check(() => checkDns1123Label('gitops.argocd.namespace', gitops.argocd.namespace));
  check(() => checkDns1123Subdomain('gitops.argocd.project', gitops.argocd.project));
  check(() => checkRetryStrategy(gitops.retry, (prop) => `gitops.retry.${prop}`));
  check(() => checkHelmRepoUrl('gitops.istioChartRepository', gitops.istioChartRepository));

  checkServices(c, problems, check, entries);
  checkVms(c, problems, check);
}
