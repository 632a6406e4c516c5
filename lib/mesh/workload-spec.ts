import { checkTolerations, Toleration } from '../core/node-placement';
import {
  checkDns1123Label,
  checkDns1123Subdomain,
  checkLabelValue,
  checkPort,
  checkQualifiedName,
  checkQuantity,
  CPU,
  MEMORY,
  parseQuantity,
  STORAGE_SIZE,
  checkWholeNumber,
  show,
  ValidationError,
} from '../validation';
import { checkEnvName } from './rules';

// What a meshed service's pods run with besides their image: one model for the config's
// `services` entries and MeshedService's props (the same keys, mapped 1:1), and the one set of
// rules both apply. Kept free of cdk8s so the config loader checks a file without it.

/** A key of a Secret or ConfigMap, as an environment variable's value. */
export interface KeyRef {
  /** The Secret's or ConfigMap's name, in the service's namespace; a DNS-1123 subdomain. */
  readonly name: string;
  /** The key in its `data`. */
  readonly key: string;
  /** @default false - the pod does not start until the key exists */
  readonly optional?: boolean;
}

/** Where an environment variable's value comes from: exactly one of the two. */
export interface EnvVarSource {
  readonly secretKeyRef?: KeyRef;
  readonly configMapKeyRef?: KeyRef;
}

/** A literal (kept in Git and in `dist/`: never a secret), or a key of a Secret or ConfigMap. */
export type EnvValue = string | EnvVarSource;

/** Every key of a Secret or ConfigMap as environment variables: exactly one of the two refs. */
export interface EnvFromSource {
  readonly secretRef?: { readonly name: string; readonly optional?: boolean };
  readonly configMapRef?: { readonly name: string; readonly optional?: boolean };
  /** Put before each key to form the variable's name. @default '' */
  readonly prefix?: string;
}

/**
 * A pod volume: `name` and exactly one source. The Secrets, ConfigMaps and existing claims it
 * names are the user's, in the service's namespace; the mesh never writes them.
 */
export interface ServiceVolume {
  /** A DNS-1123 label, unique among the service's volumes (scratchDirs' included). */
  readonly name: string;
  readonly emptyDir?: {
    /** `Memory` for a tmpfs. @default - the node's disk */
    readonly medium?: 'Memory';
    /** @default - no limit */
    readonly sizeLimit?: string;
  };
  readonly configMap?: { readonly name: string; readonly optional?: boolean };
  readonly secret?: { readonly secretName: string; readonly optional?: boolean };
  /**
   * `claimName`: an existing claim. `size` (and optional `storageClassName`): a ReadWriteOnce
   * claim the mesh creates, named `<service>-<volume>`; at most one pod may then mount it.
   * Exactly one of `claimName` and `size`.
   */
  readonly persistentVolumeClaim?: {
    readonly claimName?: string;
    readonly size?: string;
    /** @default - the cluster's default StorageClass */
    readonly storageClassName?: string;
    /** @default false */
    readonly readOnly?: boolean;
  };
}

/** A volume mounted into the app container. */
export interface ServiceVolumeMount {
  /** One of `volumes`. */
  readonly name: string;
  /** An absolute path; no two mounts on one path. */
  readonly mountPath: string;
  /** @default false */
  readonly readOnly?: boolean;
  /** A relative path inside the volume, mounted instead of its root. @default - the root */
  readonly subPath?: string;
}

/**
 * One probe: exactly one of `httpGet` and `exec`. Istio rewrites HTTP probes to its agent, so
 * they work under STRICT mTLS; an exec probe runs in the app container.
 */
export interface ServiceProbe {
  readonly httpGet?: {
    /** An absolute HTTP path, e.g. `/healthz`. */
    readonly path: string;
    /** @default - the service's `port` */
    readonly port?: number;
  };
  readonly exec?: { readonly command: readonly string[] };
  /** @default 0 */
  readonly initialDelaySeconds?: number;
  /** @default - startup 2, readiness 5, liveness 10 */
  readonly periodSeconds?: number;
  /** @default 2 */
  readonly timeoutSeconds?: number;
  /** @default - startup 60 (two minutes to start), readiness and liveness 3 */
  readonly failureThreshold?: number;
}

/** The probes a container gets; each is off unless declared. */
export interface ServiceProbes {
  readonly readiness?: ServiceProbe;
  readonly liveness?: ServiceProbe;
  /** Holds off liveness and readiness until it passes, for slow starters. */
  readonly startup?: ServiceProbe;
}

/** CPU and memory of the app container (the injected proxy sets its own). */
export interface ServiceResources {
  /** @default '50m' */
  readonly cpuRequest?: string;
  /** @default '64Mi' */
  readonly memoryRequest?: string;
  /** @default '256Mi' */
  readonly memoryLimit?: string;
  /** @default - none: CFS throttling stalls bursty work while the request still reserves a share */
  readonly cpuLimit?: string;
}

/** How a service's containers run; every key is optional and the same in the config and in MeshedService. */
export interface ServiceWorkloadSpec {
  /** Replaces the image's ENTRYPOINT. @default - the image's */
  readonly command?: readonly string[];
  /** Replaces the image's CMD. @default - the image's */
  readonly args?: readonly string[];
  /** Variables by name: literals, or keys of Secrets and ConfigMaps. @default {} */
  readonly env?: Readonly<Record<string, EnvValue>>;
  /** @default [] */
  readonly envFrom?: readonly EnvFromSource[];
  /** @default [] */
  readonly volumes?: readonly ServiceVolume[];
  /** @default [] */
  readonly volumeMounts?: readonly ServiceVolumeMount[];
  /**
   * Absolute paths the app writes to; each gets its own emptyDir, named after its path.
   * @default []
   */
  readonly scratchDirs?: readonly string[];
  /**
   * Shorthand for startup, readiness and liveness probes on `GET <healthPath>` at `port`;
   * not with `probes`.
   * @default - no probes
   */
  readonly healthPath?: string;
  /** @default - no probes */
  readonly probes?: ServiceProbes;
  /** @default 1000 */
  readonly runAsUser?: number;
  /** @default - the image's group */
  readonly runAsGroup?: number;
  /** The group that owns mounted volumes, so the app may write a claim. @default - none */
  readonly fsGroup?: number;
  /**
   * Mount the image read-only. Leave it on and give the app `scratchDirs` or emptyDir
   * volumes where it writes.
   * @default true
   */
  readonly readOnlyRootFilesystem?: boolean;
  /**
   * Mount a token of the service account: only for apps that call the Kubernetes API (the
   * proxy uses its own projected token).
   * @default false
   */
  readonly automountServiceAccountToken?: boolean;
  /** @default - see `ServiceResources` in lib/mesh/workload-spec.ts */
  readonly resources?: ServiceResources;
  /** @default {} - any node */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** @default [] */
  readonly tolerations?: readonly Toleration[];
}

/** The keys of {@link ServiceWorkloadSpec}, for the config loader's unknown-key check and the 1:1 mapping. */
export const WORKLOAD_KEYS = [
  'command',
  'args',
  'env',
  'envFrom',
  'volumes',
  'volumeMounts',
  'scratchDirs',
  'healthPath',
  'probes',
  'runAsUser',
  'runAsGroup',
  'fsGroup',
  'readOnlyRootFilesystem',
  'automountServiceAccountToken',
  'resources',
  'nodeSelector',
  'tolerations',
] as const satisfies readonly (keyof ServiceWorkloadSpec)[];

/** Who containers run as unless the service says otherwise: not root, and not a uid an image is likely to own files as. */
export const DEFAULT_RUN_AS_USER = 1000;
/** The app container's requests and memory limit unless the service says otherwise. */
export const DEFAULT_SERVICE_RESOURCES = { cpuRequest: '50m', memoryRequest: '64Mi', memoryLimit: '256Mi' } as const;

/** The claim the mesh creates for a volume with a `size`: `<service>-<volume>`. */
export function createdClaimName(service: string, volume: string): string {
  return `${service}-${volume}`;
}

/** The volumes whose claim the mesh creates (`persistentVolumeClaim.size`). */
export function createdClaims(spec: ServiceWorkloadSpec): ServiceVolume[] {
  return (spec.volumes ?? []).filter((v) => v.persistentVolumeClaim?.size !== undefined);
}

/** Names each scratch directory's emptyDir after its path (`/opt/ibm/wlp/output` → `opt-ibm-wlp-output`). */
export function scratchVolumeName(path: string): string {
  return path.slice(1).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

/** What the rules need to know about the service beyond its workload spec. */
export interface WorkloadContext {
  /** The service's DNS-1123 name, prefix of the claims the mesh creates. */
  readonly service: string;
  /** How many pods the service runs at most: every version's replicas. */
  readonly pods: number;
}

const VOLUME_SOURCES = ['emptyDir', 'configMap', 'secret', 'persistentVolumeClaim'] as const;
const PROBE_KINDS = ['readiness', 'liveness', 'startup'] as const;
const RESOURCE_KEYS = ['cpuRequest', 'memoryRequest', 'memoryLimit', 'cpuLimit'] as const;
/**
 * Volume names the injected pod already has: Istio's template adds `istio-*`, `credential-socket`
 * and `workload-certs`, this mesh's the SPIFFE CSI `workload-socket` (WORKLOAD_SOCKET_VOLUME, not
 * imported: it lives beside cdk8s). A second volume of a name makes the pod invalid.
 */
export const RESERVED_VOLUME_NAMES: readonly string[] = ['workload-socket', 'credential-socket', 'workload-certs'];
const RESERVED_VOLUME = (name: string) => RESERVED_VOLUME_NAMES.includes(name) || name.startsWith('istio-');
const KEY = /^[-._a-zA-Z0-9]+$/;
const ABSOLUTE_PATH = /^\/[^\0]*$/;

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

function mapping(field: string, value: unknown, known: readonly string[], what: string): Record<string, unknown> {
  if (!isMapping(value)) throw new ValidationError(field, value, `must be a mapping: ${what}`);
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw new ValidationError(`${field}.${key}`, value[key], `is not a known key (known keys here: ${known.join(', ')})`);
  }
  return value;
}

function optionalBoolean(field: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') throw new ValidationError(field, value, 'must be true or false');
}

function stringList(field: string, value: unknown, nonEmpty: boolean): string[] {
  if (!isStringList(value)) throw new ValidationError(field, value, 'must be a list of strings');
  if (nonEmpty && (value.length === 0 || value.some((s) => s === ''))) throw new ValidationError(field, value, 'must list at least one word, none of them empty');
  return value;
}

/** A uid or gid other than root's: Pod Security "restricted" refuses uid 0, and gid 0 would let the app write what root's group may. */
export function checkId(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 2 ** 31 - 1) {
    throw new ValidationError(field, value, 'must be a non-root numeric id (1 to 2147483647)');
  }
  return value;
}

/** An absolute path with no `..` part, e.g. a mount path or scratch directory. */
export function checkAbsolutePath(field: string, value: unknown): string {
  if (typeof value !== 'string' || !ABSOLUTE_PATH.test(value) || value.split('/').includes('..') || (value.length > 1 && value.endsWith('/')) || value.includes(':')) {
    throw new ValidationError(field, value, 'must be an absolute path such as "/var/lib/data": starting with "/", without "..", ":" or a trailing "/"');
  }
  return value;
}

function checkKeyRef(field: string, value: unknown): void {
  const ref = mapping(field, value, ['name', 'key', 'optional'], 'name, key and optional');
  if (typeof ref.name !== 'string') throw new ValidationError(`${field}.name`, ref.name, 'must be a string (required)');
  checkDns1123Subdomain(`${field}.name`, ref.name);
  if (typeof ref.key !== 'string' || ref.key.length > 253 || !KEY.test(ref.key)) {
    throw new ValidationError(`${field}.key`, ref.key, 'must be a Secret or ConfigMap key: 1-253 letters, digits, "-", "_" and "."');
  }
  optionalBoolean(`${field}.optional`, ref.optional);
}

function checkNamedRef(field: string, value: unknown, nameKey: string): void {
  const ref = mapping(field, value, [nameKey, 'optional'], `${nameKey} and optional`);
  if (typeof ref[nameKey] !== 'string') throw new ValidationError(`${field}.${nameKey}`, ref[nameKey], 'must be a string (required)');
  checkDns1123Subdomain(`${field}.${nameKey}`, ref[nameKey] as string);
  optionalBoolean(`${field}.optional`, ref.optional);
}

/** Exactly one of `keys` is set on `value`; returns it. */
function exactlyOne<K extends string>(field: string, value: Record<string, unknown>, keys: readonly K[]): K {
  const set = keys.filter((k) => value[k] !== undefined);
  if (set.length !== 1) throw new ValidationError(field, value, `must set exactly one of ${keys.join(', ')}${set.length > 1 ? ` (sets ${set.join(' and ')})` : ''}`);
  return set[0];
}

function checkEnv(field: string, env: unknown): void {
  if (!isMapping(env)) throw new ValidationError(field, env, 'must be a mapping of variable names to values');
  for (const [name, value] of Object.entries(env)) {
    checkEnvName(field, name);
    if (typeof value === 'string') continue;
    const at = `${field}.${name}`;
    const source = mapping(at, value, ['secretKeyRef', 'configMapKeyRef'], 'a string, or secretKeyRef or configMapKeyRef');
    const kind = exactlyOne(at, source, ['secretKeyRef', 'configMapKeyRef']);
    checkKeyRef(`${at}.${kind}`, source[kind]);
  }
}

function checkEnvFrom(field: string, list: unknown): void {
  if (!Array.isArray(list)) throw new ValidationError(field, list, 'must be a list of { secretRef } or { configMapRef }');
  list.forEach((item, i) => {
    const at = `${field}[${i}]`;
    const source = mapping(at, item, ['secretRef', 'configMapRef', 'prefix'], 'secretRef or configMapRef, and optional prefix');
    const kind = exactlyOne(at, source, ['secretRef', 'configMapRef']);
    checkNamedRef(`${at}.${kind}`, source[kind], 'name');
    if (source.prefix !== undefined) {
      if (typeof source.prefix !== 'string') throw new ValidationError(`${at}.prefix`, source.prefix, 'must be a string');
      if (source.prefix !== '') checkEnvName(`${at}.prefix`, source.prefix);
    }
  });
}

function checkVolume(field: string, item: unknown, context: WorkloadContext): string {
  const volume = mapping(field, item, ['name', ...VOLUME_SOURCES], `name and one of ${VOLUME_SOURCES.join(', ')}`);
  if (typeof volume.name !== 'string') throw new ValidationError(`${field}.name`, volume.name, 'must be a string (required)');
  const name = checkDns1123Label(`${field}.name`, volume.name);
  if (RESERVED_VOLUME(name)) throw new ValidationError(`${field}.name`, name, 'is a volume name the injected sidecar uses (istio-*, workload-socket, credential-socket, workload-certs): choose another');
  const kind = exactlyOne(field, volume, VOLUME_SOURCES);
  const at = `${field}.${kind}`;
  const source = volume[kind];
  if (kind === 'emptyDir') {
    const dir = mapping(at, source ?? {}, ['medium', 'sizeLimit'], 'optional medium and sizeLimit');
    if (dir.medium !== undefined && dir.medium !== 'Memory') throw new ValidationError(`${at}.medium`, dir.medium, "must be 'Memory' (a tmpfs), or left out for the node's disk");
    if (dir.sizeLimit !== undefined) {
      if (typeof dir.sizeLimit !== 'string') throw new ValidationError(`${at}.sizeLimit`, dir.sizeLimit, 'must be a quantity in quotes, e.g. "1Gi"');
      checkQuantity(`${at}.sizeLimit`, dir.sizeLimit, STORAGE_SIZE);
    }
  } else if (kind === 'configMap') {
    checkNamedRef(at, source, 'name');
  } else if (kind === 'secret') {
    checkNamedRef(at, source, 'secretName');
  } else {
    const claim = mapping(at, source, ['claimName', 'size', 'storageClassName', 'readOnly'], 'claimName (an existing claim) or size (a claim the mesh creates)');
    const which = exactlyOne(at, claim, ['claimName', 'size']);
    if (typeof claim[which] !== 'string') throw new ValidationError(`${at}.${which}`, claim[which], 'must be a string');
    optionalBoolean(`${at}.readOnly`, claim.readOnly);
    if (which === 'claimName') {
      checkDns1123Subdomain(`${at}.claimName`, claim.claimName as string);
      if (claim.storageClassName !== undefined) throw new ValidationError(`${at}.storageClassName`, claim.storageClassName, 'applies only to a claim the mesh creates (with size), not to an existing claimName');
    } else {
      checkQuantity(`${at}.size`, claim.size as string, STORAGE_SIZE);
      checkDns1123Subdomain(`${at} (as claim name)`, createdClaimName(context.service, name));
      if (claim.storageClassName !== undefined) {
        if (typeof claim.storageClassName !== 'string') throw new ValidationError(`${at}.storageClassName`, claim.storageClassName, 'must be a string');
        checkDns1123Subdomain(`${at}.storageClassName`, claim.storageClassName);
      }
      if (context.pods > 1) {
        throw new ValidationError(at, claim.size, `creates a ReadWriteOnce claim, which one pod at most may mount, but the service runs ${context.pods} (versions × replicas): use one version with replicas 1, or an existing ReadWriteMany claimName`);
      }
    }
  }
  return name;
}

function checkProbe(field: string, value: unknown): void {
  const probe = mapping(field, value, ['httpGet', 'exec', 'initialDelaySeconds', 'periodSeconds', 'timeoutSeconds', 'failureThreshold'], 'httpGet or exec, and optional timings');
  const kind = exactlyOne(field, probe, ['httpGet', 'exec']);
  if (kind === 'httpGet') {
    const get = mapping(`${field}.httpGet`, probe.httpGet, ['path', 'port'], 'path and optional port');
    checkHttpPath(`${field}.httpGet.path`, get.path);
    if (get.port !== undefined) {
      if (typeof get.port !== 'number') throw new ValidationError(`${field}.httpGet.port`, get.port, 'must be a number');
      checkPort(`${field}.httpGet.port`, get.port);
    }
  } else {
    const exec = mapping(`${field}.exec`, probe.exec, ['command'], 'command (a list of strings)');
    stringList(`${field}.exec.command`, exec.command, true);
  }
  for (const [key, min] of [['initialDelaySeconds', 0], ['periodSeconds', 1], ['timeoutSeconds', 1], ['failureThreshold', 1]] as const) {
    const v = probe[key];
    if (v === undefined) continue;
    if (typeof v !== 'number') throw new ValidationError(`${field}.${key}`, v, 'must be a number');
    checkWholeNumber(`${field}.${key}`, v, min);
  }
}

/** An HTTP path a probe requests, e.g. `/healthz`. */
export function checkHttpPath(field: string, value: unknown): string {
  if (typeof value !== 'string' || !/^\/[^\s]*$/.test(value)) throw new ValidationError(field, value, 'must be an absolute HTTP path such as "/health"');
  return value;
}

/**
 * Every rule of a {@link ServiceWorkloadSpec}, its shape included (a config file's values
 * arrive untyped). Each rule runs through `check`, which throws (a construct) or records the
 * ValidationError and goes on (the config loader, which reports every problem at once).
 * @param field names a key as the caller shows it (`services[0].volumes`, `MeshedService(db).volumes`)
 */
export function checkWorkloadSpec(spec: Record<string, unknown>, field: (key: string) => string, context: WorkloadContext, check: (rule: () => unknown) => void): void {
  for (const key of ['command', 'args'] as const) {
    if (spec[key] !== undefined) check(() => stringList(field(key), spec[key], key === 'command'));
  }
  if (spec.env !== undefined) check(() => checkEnv(field('env'), spec.env));
  if (spec.envFrom !== undefined) check(() => checkEnvFrom(field('envFrom'), spec.envFrom));

  // Volumes: the declared ones and one per scratch directory share one namespace of names.
  const volumeNames: { name: string; at: string }[] = [];
  if (spec.volumes !== undefined) {
    if (!Array.isArray(spec.volumes)) check(() => { throw new ValidationError(field('volumes'), spec.volumes, 'must be a list of volumes'); });
    else spec.volumes.forEach((v, i) => check(() => volumeNames.push({ name: checkVolume(`${field('volumes')}[${i}]`, v, context), at: `${field('volumes')}[${i}].name` })));
  }
  const mountPaths: string[] = [];
  if (spec.scratchDirs !== undefined) {
    check(() => {
      stringList(field('scratchDirs'), spec.scratchDirs, false).forEach((path) => {
        checkAbsolutePath(field('scratchDirs'), path);
        if (path === '/') throw new ValidationError(field('scratchDirs'), path, 'must be a directory below "/"');
        mountPaths.push(path);
        volumeNames.push({ name: checkDns1123Label(`${field('scratchDirs')} (as volume name)`, scratchVolumeName(path)), at: field('scratchDirs') });
      });
    });
  }
  check(() => {
    const seen = new Set<string>();
    for (const { name, at } of volumeNames) {
      if (seen.has(name)) throw new ValidationError(at, name, 'names a volume twice (a scratch directory is a volume named after its path): each name must be unique');
      seen.add(name);
    }
  });
  if (spec.volumeMounts !== undefined) {
    if (!Array.isArray(spec.volumeMounts)) {
      check(() => { throw new ValidationError(field('volumeMounts'), spec.volumeMounts, 'must be a list of { name, mountPath, readOnly, subPath }'); });
    } else {
      const declared = (spec.volumes as { name?: unknown }[] | undefined)?.map((v) => v?.name) ?? [];
      spec.volumeMounts.forEach((item, i) => check(() => {
        const at = `${field('volumeMounts')}[${i}]`;
        const mount = mapping(at, item, ['name', 'mountPath', 'readOnly', 'subPath'], 'name, mountPath and optional readOnly, subPath');
        if (typeof mount.name !== 'string' || !declared.includes(mount.name)) {
          throw new ValidationError(`${at}.name`, mount.name, `must name one of volumes (declared: ${declared.filter((n) => typeof n === 'string').join(', ') || 'none'})`);
        }
        const path = checkAbsolutePath(`${at}.mountPath`, mount.mountPath);
        if (mountPaths.includes(path)) throw new ValidationError(`${at}.mountPath`, path, 'is mounted twice (by another volumeMount or a scratch directory): one volume per path');
        mountPaths.push(path);
        optionalBoolean(`${at}.readOnly`, mount.readOnly);
        if (mount.subPath !== undefined) {
          const sub = mount.subPath;
          if (typeof sub !== 'string' || sub === '' || sub.startsWith('/') || sub.split('/').includes('..')) {
            throw new ValidationError(`${at}.subPath`, sub, 'must be a relative path inside the volume, e.g. "pgdata": not starting with "/", without ".."');
          }
        }
      }));
    }
  }

  if (spec.healthPath !== undefined) check(() => checkHttpPath(field('healthPath'), spec.healthPath));
  if (spec.probes !== undefined) {
    check(() => {
      if (spec.healthPath !== undefined) throw new ValidationError(field('probes'), spec.probes, 'must not be set with healthPath, which is shorthand for all three probes: keep one');
      const probes = mapping(field('probes'), spec.probes, PROBE_KINDS, PROBE_KINDS.join(', '));
      for (const kind of PROBE_KINDS) if (probes[kind] !== undefined) checkProbe(`${field('probes')}.${kind}`, probes[kind]);
    });
  }

  for (const key of ['runAsUser', 'runAsGroup', 'fsGroup'] as const) {
    if (spec[key] !== undefined) check(() => checkId(field(key), spec[key]));
  }
  for (const key of ['readOnlyRootFilesystem', 'automountServiceAccountToken'] as const) check(() => optionalBoolean(field(key), spec[key]));

  if (spec.resources !== undefined) {
    check(() => {
      const resources = mapping(field('resources'), spec.resources, RESOURCE_KEYS, RESOURCE_KEYS.join(', '));
      for (const [key, value] of Object.entries(resources)) {
        if (typeof value !== 'string') throw new ValidationError(`${field('resources')}.${key}`, value, 'must be a quantity in quotes, e.g. "500m" or "256Mi"');
        checkQuantity(`${field('resources')}.${key}`, value, key.startsWith('cpu') ? CPU : MEMORY);
      }
      for (const [request, limit] of [['memoryRequest', 'memoryLimit'], ['cpuRequest', 'cpuLimit']] as const) {
        const [r, l] = [resources[request], resources[limit]];
        if (typeof r !== 'string' || typeof l !== 'string') continue;
        const [rv, lv] = [parseQuantity(r), parseQuantity(l)];
        if (rv && lv && rv.value > lv.value) {
          throw new ValidationError(`${field('resources')}.${request}`, r, `must not be more than ${limit} '${l}': Kubernetes refuses a request above its limit`);
        }
      }
    });
  }
  if (spec.nodeSelector !== undefined) {
    check(() => {
      if (!isMapping(spec.nodeSelector)) throw new ValidationError(field('nodeSelector'), spec.nodeSelector, 'must be a mapping of node label keys to values');
      for (const [key, value] of Object.entries(spec.nodeSelector)) {
        checkQualifiedName(`${field('nodeSelector')}.${key}`, key);
        if (typeof value !== 'string') throw new ValidationError(`${field('nodeSelector')}.${key}`, value, `must be a string; put it in quotes, e.g. "${show(value).replace(/'/g, '')}"`);
        checkLabelValue(`${field('nodeSelector')}.${key}`, value);
      }
    });
  }
  if (spec.tolerations !== undefined) check(() => checkTolerations(field('tolerations'), spec.tolerations));
}
