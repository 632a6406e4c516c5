import { ALLOW_NOTHING_NAME, AUTHORIZATION_MODES } from '../authorization/mode';
import { BOOKINFO_ROUTING_OBJECTS, bookinfoDeclarations } from '../bookinfo/declarations';
import { INGRESS_CALLER, parseCaller, ServiceDeclaration, serviceKey } from '../mesh/declaration';
import { checkAppPort, checkPathPrefix, checkReplicas, checkRouteHost, deploymentName, MESH_PROTOCOLS, routeGatewayName } from '../mesh/rules';
import { checkWorkloadSpec, createdClaimName, createdClaims, WORKLOAD_KEYS } from '../mesh/workload-spec';
import { checkDns1123Label, checkImage, checkOneOf, checkOwnNamespace, checkPort, checkUnique, ValidationError } from '../validation';
import { MeshConfig, ServiceConfig } from './mesh-config';

/**
 * The `services` section: its shape (the loader's key-by-key merge only knows lists of
 * strings) and its rules across services, each problem reported with its field.
 */

const SERVICE_KEYS = ['name', 'namespace', 'port', 'servicePort', 'protocol', 'image', 'versions', 'replicas', 'callers', 'route', ...WORKLOAD_KEYS];
const ROUTE_KEYS = ['hosts', 'pathPrefixes'];

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

function unknownKeys(value: Record<string, unknown>, known: readonly string[], at: string, problems: string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) problems.push(`${at}.${key}: unknown key (known keys here: ${known.join(', ')})`);
  }
}

/** One entry of `services` as the file has it, whatever its shape. */
export interface ServiceEntry {
  /** Its index in the file's list: every problem is named by it. */
  readonly index: number;
  /** The service, when every field has the right shape; its own rules run only then. */
  readonly service?: ServiceConfig;
  /** Its name and namespace when they are strings: an entry refused for another field is still declared. */
  readonly name?: string;
  readonly namespace?: string;
  /** Its callers when they are a list of strings, checked even when another field was refused. */
  readonly callers?: readonly string[];
}

/**
 * Takes `services` out of a config override and checks each entry's shape: a mapping of
 * known keys with values of the right type. Returns the well-shaped services, every entry
 * with its index in the file, and the other keys for the loader's merge.
 */
export function takeServices(overrides: unknown, problems: string[]): { services: ServiceConfig[]; entries: ServiceEntry[]; rest: unknown } {
  if (!isMapping(overrides) || !('services' in overrides)) return { services: [], entries: [], rest: overrides };
  const { services: raw, ...rest } = overrides;
  if (raw === null || raw === undefined) return { services: [], entries: [], rest };
  if (!Array.isArray(raw)) {
    problems.push(new ValidationError('services', raw, 'must be a list of services').message);
    return { services: [], entries: [], rest };
  }
  const entries: ServiceEntry[] = raw.map((item, i) => {
    const at = `services[${i}]`;
    const before = problems.length;
    const bad = (field: string, value: unknown, rule: string) => problems.push(new ValidationError(`${at}.${field}`, value, rule).message);
    if (!isMapping(item)) {
      problems.push(new ValidationError(at, item, 'must be a mapping with name, namespace, port and image or versions').message);
      return { index: i };
    }
    unknownKeys(item, SERVICE_KEYS, at, problems);
    for (const key of ['name', 'namespace']) {
      if (typeof item[key] !== 'string') bad(key, item[key], 'must be a string (required)');
    }
    if (typeof item.port !== 'number') bad('port', item.port, 'must be a number (required)');
    for (const key of ['servicePort', 'replicas']) {
      if (item[key] !== undefined && typeof item[key] !== 'number') bad(key, item[key], 'must be a number');
    }
    for (const key of ['protocol', 'image']) {
      if (item[key] !== undefined && typeof item[key] !== 'string') bad(key, item[key], 'must be a string');
    }
    if (item.versions !== undefined) {
      if (!Array.isArray(item.versions) || item.versions.some((v) => !isMapping(v) || typeof v.name !== 'string' || typeof v.image !== 'string')) {
        bad('versions', item.versions, 'must be a list of { name, image } with string values');
      } else {
        item.versions.forEach((v, j) => unknownKeys(v as Record<string, unknown>, ['name', 'image'], `${at}.versions[${j}]`, problems));
      }
    }
    // YAML reads `PORT: 5432` as a number: a literal env value may be a number or boolean, and becomes a string.
    const env = isMapping(item.env)
      ? Object.fromEntries(Object.entries(item.env).map(([k, v]) => [k, typeof v === 'number' || typeof v === 'boolean' ? String(v) : v]))
      : item.env;
    const versions = Array.isArray(item.versions) ? item.versions.length : 1;
    const pods = versions * (typeof item.replicas === 'number' ? item.replicas : 1);
    const serviceName = typeof item.name === 'string' ? item.name : '';
    checkWorkloadSpec({ ...item, env }, (key) => `${at}.${key}`, { service: serviceName, pods }, (rule) => {
      try {
        rule();
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        problems.push(err.message);
      }
    });
    if (item.callers !== undefined && !isStringList(item.callers)) bad('callers', item.callers, 'must be a list of strings');
    if (item.route !== undefined) {
      const route = item.route;
      if (!isMapping(route) || !isStringList(route.hosts) || (route.pathPrefixes !== undefined && !isStringList(route.pathPrefixes))) {
        bad('route', route, 'must be a mapping with hosts (a list of strings) and optional pathPrefixes (a list of strings)');
      } else {
        unknownKeys(route, ROUTE_KEYS, `${at}.route`, problems);
      }
    }
    const entry = {
      index: i,
      ...(typeof item.name === 'string' ? { name: item.name } : {}),
      ...(typeof item.namespace === 'string' ? { namespace: item.namespace } : {}),
      ...(isStringList(item.callers) ? { callers: item.callers } : {}),
    };
    if (problems.length > before) return entry;
    const service: ServiceConfig = { ...(item as unknown as ServiceConfig), ...(env === undefined ? {} : { env: env as ServiceConfig['env'] }) };
    return { ...entry, service };
  });
  return { services: entries.flatMap((e) => (e.service ? [e.service] : [])), entries, rest };
}

/** A service of the config as a declaration of the services model (`image` is version `v1`). */
export function serviceDeclaration(s: ServiceConfig): ServiceDeclaration {
  const versions = s.versions ?? (s.image !== undefined ? [{ name: 'v1', image: s.image }] : []);
  return {
    name: s.name,
    namespace: s.namespace,
    port: s.port,
    ...(s.servicePort !== undefined ? { servicePort: s.servicePort } : {}),
    protocol: s.protocol ?? 'http',
    versions: versions.map((v) => ({ name: v.name, image: v.image, ...(s.replicas !== undefined ? { replicas: s.replicas } : {}) })),
    ...Object.fromEntries(WORKLOAD_KEYS.filter((key) => s[key] !== undefined).map((key) => [key, s[key]])),
    callers: s.callers ?? [],
    ...(s.route ? { route: s.route } : {}),
  };
}

/** The bookinfo copies the config declares, one per namespace, or none when disabled. */
export function bookinfoServiceDeclarations(c: MeshConfig): ServiceDeclaration[] {
  if (!c.bookinfo.enabled) return [];
  return c.bookinfo.namespaces.flatMap((namespace) =>
    Object.values(bookinfoDeclarations({ namespace, images: c.bookinfo.images, ingress: c.istio.ingressGateway.enabled })),
  );
}

/** The objects a declared service writes in its namespace, as `<kind>/<name>`, to find clashes before building. */
function objectNames(d: ServiceDeclaration): string[] {
  return [
    `Service/${d.name}`,
    `ServiceAccount/${d.serviceAccountName ?? d.name}`,
    `AuthorizationPolicy/${d.name}`,
    ...d.versions.map((v) => `Deployment/${deploymentName(d.name, v.name)}`),
    ...createdClaims(d).map((v) => `PersistentVolumeClaim/${createdClaimName(d.name, v.name)}`),
    ...(d.route ? [`Gateway/${routeGatewayName(d.name)}`, `VirtualService/${d.name}`] : []),
  ];
}

/** Names bookinfo takes in each of its namespaces. */
function bookinfoObjectNames(namespace: string): string[] {
  return [...Object.values(bookinfoDeclarations({ namespace })).flatMap(objectNames), ...BOOKINFO_ROUTING_OBJECTS];
}

/** Whether `rule` passes. */
function passes(rule: () => unknown): boolean {
  try {
    rule();
    return true;
  } catch (err) {
    if (err instanceof ValidationError) return false;
    throw err;
  }
}

/** A name as it would read once made a DNS-1123 label: `Web` and `web_app` are `web` and `web-app`. */
const asLabel = (name: string) => name.toLowerCase().replace(/[^a-z0-9-]+/g, '-');

/**
 * Edit distance with adjacent transpositions (`wbe` → `web` is one edit), for "did you mean".
 * @see https://en.wikipedia.org/wiki/Damerau%E2%80%93Levenshtein_distance#Optimal_string_alignment_distance
 */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The most edits a caller may be away from a known one to be suggested. */
const SUGGEST_EDITS = 2;

/**
 * Every rule of `services`, `bookinfo.extraCallers` and `authorization`, appended to
 * `problems`; `check` runs one rule and records its ValidationError (the loader's).
 * `entries` are the services as the file lists them, those refused for their shape included:
 * each counts as declared when callers are resolved, and problems name the file's indices.
 */
export function checkServices(
  c: MeshConfig,
  problems: string[],
  check: (rule: () => unknown) => void,
  entries: readonly ServiceEntry[] = c.services.map((service, index) => ({ index, service, name: service.name, namespace: service.namespace, callers: service.callers })),
): void {
  check(() => checkOneOf('authorization.mode', c.authorization.mode, AUTHORIZATION_MODES));
  const gateway = c.istio.ingressGateway.enabled;
  const bookinfoKeys = bookinfoServiceDeclarations(c).map(serviceKey);
  const keyOf = (e: ServiceEntry) => (e.name !== undefined && e.namespace !== undefined ? `${e.namespace}/${e.name}` : undefined);
  // VM workloads (lib/config/vms.ts) may be named as callers too.
  const known = new Set([...bookinfoKeys, ...entries.flatMap((e) => keyOf(e) ?? []), ...c.vms.map(serviceKey)]);
  const nameRefused = (name: string) => !passes(() => checkDns1123Label('name', name));
  const namespaceRefused = (namespace: string) =>
    !passes(() => checkOwnNamespace('namespace', checkDns1123Label('namespace', namespace), { allowDefault: true })) ||
    namespace === c.namespaces.spire ||
    namespace === c.namespaces.istio;
  // An entry whose name or namespace is missing or refused is declared under a name the user
  // has yet to fix: its callers wrote the one they meant. A caller that matches it is taken
  // as it (its own error is reported), not as a second, false "is not a declared service".
  const unfixed = entries.flatMap((e) => {
    const name = e.name === undefined ? undefined : nameRefused(e.name) ? asLabel(e.name) : e.name;
    const namespace = e.namespace === undefined || namespaceRefused(e.namespace) ? undefined : e.namespace;
    const refused = e.name === undefined || nameRefused(e.name) || e.namespace === undefined || namespaceRefused(e.namespace);
    return refused && (name !== undefined || namespace !== undefined) ? [{ name, namespace }] : [];
  });
  const resolves = (ref: string, key: string, ownerNamespace: string) => {
    if (known.has(key)) return true;
    const [namespace, name] = key.split('/');
    // Relative to a refused namespace, a name means that service wherever it was declared.
    if (!ref.includes('/') && namespaceRefused(ownerNamespace) && entries.some((e) => e.name === name)) return true;
    return unfixed.some((u) => (u.namespace === undefined || u.namespace === namespace) && (u.name === undefined || u.name === asLabel(name)));
  };
  /** The caller most likely meant: the same name in one other namespace, else the nearest spelling. */
  const suggestion = (ref: string, key: string): string | undefined => {
    const name = key.split('/')[1];
    const sameName = [...known].filter((k) => k.split('/')[1] === name);
    if (sameName.length === 1) return sameName[0];
    const candidates = [...[...known].map((k) => ({ k, d: editDistance(key, k) })), ...(gateway ? [{ k: INGRESS_CALLER, d: editDistance(ref, INGRESS_CALLER) }] : [])];
    const best = candidates.filter((x) => x.d <= SUGGEST_EDITS).sort((x, y) => x.d - y.d || x.k.localeCompare(y.k))[0];
    return best?.k;
  };
  // Which object names each namespace already holds, and who holds them.
  const owners = new Map<string, string>();
  if (c.bookinfo.enabled) {
    for (const ns of c.bookinfo.namespaces) for (const name of bookinfoObjectNames(ns)) owners.set(`${ns}/${name}`, `bookinfo in '${ns}'`);
  }
  const routes = new Map<string, string>();
  /** Each caller of `owner` resolves, once, and `ingress` only with a gateway; returns whether one unknown caller looks like `ingress`. */
  const checkCallers = (at: string, owner: string, callers: readonly string[]): boolean => {
    const seen = new Set<string>();
    const ownerNamespace = owner.split('/')[0];
    let meantIngress = false;
    callers.forEach((ref, j) => {
      const field = `${at}[${j}]`;
      const caller = parseCaller(ref, ownerNamespace);
      const id = caller.ingress ? INGRESS_CALLER : caller.key;
      if (seen.has(id)) problems.push(new ValidationError(field, ref, `is listed twice by service '${owner}'`).message);
      seen.add(id);
      if (caller.ingress) {
        if (!gateway) problems.push(new ValidationError(field, ref, `needs the ingress gateway, which is off (istio.ingressGateway.enabled); listed by service '${owner}'`).message);
      } else if (!resolves(ref, caller.key, ownerNamespace)) {
        const meant = suggestion(ref, caller.key);
        if (meant === INGRESS_CALLER) meantIngress = true;
        const hint = meant ? `did you mean '${meant}'? ` : '';
        problems.push(new ValidationError(field, ref, `is not a declared service (listed by service '${owner}'; ${hint}known: ${[...known].sort().join(', ') || 'none'})`).message);
      }
    });
    return meantIngress;
  };
  if (c.bookinfo.enabled) {
    for (const ns of c.bookinfo.namespaces) {
      for (const [app, refs] of Object.entries(c.bookinfo.extraCallers)) checkCallers(`bookinfo.extraCallers.${app}`, `${ns}/${app}`, refs);
    }
  }

  const firstIndex = new Map<string, number>();
  for (const e of entries) {
    const key = keyOf(e);
    if (key !== undefined && !firstIndex.has(key)) firstIndex.set(key, e.index);
  }
  for (const entry of entries) {
    const at = `services[${entry.index}]`;
    const s = entry.service;
    if (!s) {
      // Refused for its shape: its callers can still be checked, the rest once it reads right.
      const key = keyOf(entry);
      if (key !== undefined && entry.callers) checkCallers(`${at}.callers`, key, entry.callers);
      continue;
    }
    const label = `'${serviceKey(s)}'`;
    check(() => checkDns1123Label(`${at}.name`, s.name));
    check(() => {
      if (s.name === ALLOW_NOTHING_NAME) throw new ValidationError(`${at}.name`, s.name, 'names the namespace default policy: choose another service name');
    });
    check(() => checkDns1123Label(`${at}.namespace`, s.namespace));
    check(() => checkOwnNamespace(`${at}.namespace`, s.namespace, { allowDefault: true }));
    check(() => {
      if (s.namespace === c.namespaces.spire || s.namespace === c.namespaces.istio) {
        throw new ValidationError(`${at}.namespace`, s.namespace, "must not be SPIRE's or Istio's namespace");
      }
    });
    check(() => checkAppPort(`${at}.port`, s.port));
    if (s.servicePort !== undefined) check(() => checkPort(`${at}.servicePort`, s.servicePort!));
    if (s.protocol !== undefined) check(() => checkOneOf(`${at}.protocol`, s.protocol!, MESH_PROTOCOLS));
    check(() => {
      if ((s.image === undefined) === (s.versions === undefined)) {
        throw new ValidationError(at, s.name, 'must set exactly one of image and versions');
      }
    });
    if (s.image !== undefined) check(() => checkImage(`${at}.image`, s.image!));
    if (s.versions !== undefined) {
      if (s.versions.length === 0) problems.push(new ValidationError(`${at}.versions`, [], 'must list at least one version').message);
      s.versions.forEach((v, j) => {
        check(() => checkDns1123Label(`${at}.versions[${j}].name`, v.name));
        check(() => checkImage(`${at}.versions[${j}].image`, v.image));
      });
      check(() => checkUnique(`${at}.versions[].name`, s.versions!.map((v) => v.name)));
    }
    if (s.replicas !== undefined) check(() => checkReplicas(`${at}.replicas`, s.replicas!));

    if (firstIndex.get(serviceKey(s)) !== entry.index) {
      problems.push(new ValidationError(`${at}`, serviceKey(s), 'is declared twice: each namespace/name must be unique').message);
    } else {
      for (const name of new Set(objectNames(serviceDeclaration(s)))) {
        const key = `${s.namespace}/${name}`;
        const owner = owners.get(key);
        if (owner) problems.push(new ValidationError(at, serviceKey(s), `clashes with ${owner}: both write ${name} in namespace '${s.namespace}'`).message);
        else owners.set(key, `service '${serviceKey(s)}'`);
      }
    }

    const callers = s.callers ?? [];
    const meantIngress = checkCallers(`${at}.callers`, serviceKey(s), callers);

    if (s.route) {
      if (!callers.includes(INGRESS_CALLER) && !meantIngress) {
        problems.push(new ValidationError(`${at}.route`, s.route.hosts, `needs '${INGRESS_CALLER}' among the callers of service ${label}: the gateway is what calls a routed service`).message);
      }
      if (s.protocol === 'tcp') problems.push(new ValidationError(`${at}.route`, s.route.hosts, "routes HTTP paths, so protocol must not be 'tcp'").message);
      if (s.route.hosts.length === 0) problems.push(new ValidationError(`${at}.route.hosts`, [], 'must list at least one host').message);
      s.route.hosts.forEach((host, j) => {
        check(() => checkRouteHost(`${at}.route.hosts[${j}]`, host));
        for (const prefix of s.route!.pathPrefixes ?? ['/']) {
          const other = routes.get(`${host}${prefix}`);
          if (other) problems.push(new ValidationError(`${at}.route`, `${host}${prefix}`, `is also routed to service ${other}`).message);
          routes.set(`${host}${prefix}`, label);
        }
      });
      (s.route.pathPrefixes ?? []).forEach((prefix, j) => check(() => checkPathPrefix(`${at}.route.pathPrefixes[${j}]`, prefix)));
    }
  }
  check(() => {
    if (!c.bookinfo.enabled && entries.length === 0 && !gateway) {
      throw new ValidationError('services', [], 'must declare a service when bookinfo and the ingress gateway are off: there is nothing to mesh');
    }
  });
}
