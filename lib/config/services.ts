import { ALLOW_NOTHING_NAME, AUTHORIZATION_MODES } from '../authorization/mode';
import { BOOKINFO_ROUTING_OBJECTS, bookinfoDeclarations } from '../bookinfo/declarations';
import { INGRESS_CALLER, parseCaller, ServiceDeclaration, serviceKey } from '../mesh/declaration';
import { checkAppPort, checkEnvName, checkPathPrefix, checkReplicas, checkRouteHost, deploymentName, MESH_PROTOCOLS, routeGatewayName } from '../mesh/rules';
import { checkDns1123Label, checkImage, checkOneOf, checkOwnNamespace, checkPort, checkQuantity, checkUnique, ValidationError } from '../validation';
import { MeshConfig, ServiceConfig } from './mesh-config';

/**
 * The `services` section: its shape (the loader's key-by-key merge only knows lists of
 * strings) and its rules across services, each problem reported with its field.
 */

const SERVICE_KEYS = ['name', 'namespace', 'port', 'servicePort', 'protocol', 'image', 'versions', 'replicas', 'resources', 'env', 'callers', 'route'];
const RESOURCE_KEYS = ['cpuRequest', 'memoryRequest', 'memoryLimit'];
const ROUTE_KEYS = ['hosts', 'pathPrefixes'];

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

function unknownKeys(value: Record<string, unknown>, known: readonly string[], at: string, problems: string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) problems.push(`${at}.${key}: unknown key (known keys here: ${known.join(', ')})`);
  }
}

/**
 * Takes `services` out of a config override and checks each entry's shape: a mapping of
 * known keys with values of the right type. Returns the other keys for the loader's merge.
 */
export function takeServices(overrides: unknown, problems: string[]): { services: ServiceConfig[]; rest: unknown } {
  if (!isMapping(overrides) || !('services' in overrides)) return { services: [], rest: overrides };
  const { services: raw, ...rest } = overrides;
  if (raw === null || raw === undefined) return { services: [], rest };
  if (!Array.isArray(raw)) {
    problems.push(new ValidationError('services', raw, 'must be a list of services').message);
    return { services: [], rest };
  }
  const services: ServiceConfig[] = [];
  raw.forEach((item, i) => {
    const at = `services[${i}]`;
    const before = problems.length;
    const bad = (field: string, value: unknown, rule: string) => problems.push(new ValidationError(`${at}.${field}`, value, rule).message);
    if (!isMapping(item)) {
      problems.push(new ValidationError(at, item, 'must be a mapping with name, namespace, port and image or versions').message);
      return;
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
    if (item.resources !== undefined) {
      if (!isMapping(item.resources) || Object.values(item.resources).some((v) => typeof v !== 'string')) {
        bad('resources', item.resources, 'must be a mapping of cpuRequest, memoryRequest, memoryLimit to quantities');
      } else {
        unknownKeys(item.resources, RESOURCE_KEYS, `${at}.resources`, problems);
      }
    }
    if (item.env !== undefined && (!isMapping(item.env) || Object.values(item.env).some((v) => !['string', 'number', 'boolean'].includes(typeof v)))) {
      bad('env', item.env, 'must be a mapping of variable names to plain values (string, number or boolean)');
    }
    if (item.callers !== undefined && !isStringList(item.callers)) bad('callers', item.callers, 'must be a list of strings');
    if (item.route !== undefined) {
      const route = item.route;
      if (!isMapping(route) || !isStringList(route.hosts) || (route.pathPrefixes !== undefined && !isStringList(route.pathPrefixes))) {
        bad('route', route, 'must be a mapping with hosts (a list of strings) and optional pathPrefixes (a list of strings)');
      } else {
        unknownKeys(route, ROUTE_KEYS, `${at}.route`, problems);
      }
    }
    if (problems.length > before) return;
    const env = item.env as Record<string, unknown> | undefined;
    services.push({
      ...(item as unknown as ServiceConfig),
      ...(env ? { env: Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])) } : {}),
    });
  });
  return { services, rest };
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
    ...(s.resources ? { resources: s.resources } : {}),
    ...(s.env ? { env: s.env } : {}),
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
    ...(d.route ? [`Gateway/${routeGatewayName(d.name)}`, `VirtualService/${d.name}`] : []),
  ];
}

/** Names bookinfo takes in each of its namespaces. */
function bookinfoObjectNames(namespace: string): string[] {
  return [...Object.values(bookinfoDeclarations({ namespace })).flatMap(objectNames), ...BOOKINFO_ROUTING_OBJECTS];
}

/**
 * Every rule of `services`, `bookinfo.extraCallers` and `authorization`, appended to
 * `problems`; `check` runs one rule and records its ValidationError (the loader's).
 */
export function checkServices(c: MeshConfig, problems: string[], check: (rule: () => unknown) => void): void {
  check(() => checkOneOf('authorization.mode', c.authorization.mode, AUTHORIZATION_MODES));
  const gateway = c.istio.ingressGateway.enabled;
  const bookinfoKeys = bookinfoServiceDeclarations(c).map(serviceKey);
  const userKeys = c.services.map(serviceKey);
  // VM workloads (lib/config/vms.ts) may be named as callers too.
  const known = new Set([...bookinfoKeys, ...userKeys, ...c.vms.map(serviceKey)]);
  // Which object names each namespace already holds, and who holds them.
  const owners = new Map<string, string>();
  if (c.bookinfo.enabled) {
    for (const ns of c.bookinfo.namespaces) for (const name of bookinfoObjectNames(ns)) owners.set(`${ns}/${name}`, `bookinfo in '${ns}'`);
  }
  const routes = new Map<string, string>();
  /** Each caller of `owner` resolves, once, and `ingress` only with a gateway. */
  const checkCallers = (at: string, owner: string, callers: readonly string[]) => {
    const seen = new Set<string>();
    callers.forEach((ref, j) => {
      const field = `${at}[${j}]`;
      const caller = parseCaller(ref, owner.split('/')[0]);
      const id = caller.ingress ? INGRESS_CALLER : caller.key;
      if (seen.has(id)) problems.push(new ValidationError(field, ref, `is listed twice by service '${owner}'`).message);
      seen.add(id);
      if (caller.ingress) {
        if (!gateway) problems.push(new ValidationError(field, ref, `needs the ingress gateway, which is off (istio.ingressGateway.enabled); listed by service '${owner}'`).message);
      } else if (!known.has(caller.key)) {
        problems.push(new ValidationError(field, ref, `is not a declared service (listed by service '${owner}'; known: ${[...known].sort().join(', ') || 'none'})`).message);
      }
    });
  };
  if (c.bookinfo.enabled) {
    for (const ns of c.bookinfo.namespaces) {
      for (const [app, refs] of Object.entries(c.bookinfo.extraCallers)) checkCallers(`bookinfo.extraCallers.${app}`, `${ns}/${app}`, refs);
    }
  }

  c.services.forEach((s, i) => {
    const at = `services[${i}]`;
    const label = `'${serviceKey(s)}'`;
    check(() => checkDns1123Label(`${at}.name`, s.name));
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
    for (const [key, value] of Object.entries(s.resources ?? {})) check(() => checkQuantity(`${at}.resources.${key}`, value));
    for (const name of Object.keys(s.env ?? {})) check(() => checkEnvName(`${at}.env`, name));

    if (userKeys.indexOf(serviceKey(s)) !== i) {
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
    checkCallers(`${at}.callers`, serviceKey(s), callers);

    if (s.route) {
      if (!callers.includes(INGRESS_CALLER)) {
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
  });
  check(() => {
    if (!c.bookinfo.enabled && c.services.length === 0 && !gateway) {
      throw new ValidationError('services', [], 'must declare a service when bookinfo and the ingress gateway are off: there is nothing to mesh');
    }
  });
  check(() => {
    const reserved = c.services.find((s) => s.name === ALLOW_NOTHING_NAME);
    if (reserved) throw new ValidationError('services', reserved.name, 'names the namespace default policy: choose another service name');
  });
}
