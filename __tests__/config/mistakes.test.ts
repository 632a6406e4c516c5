import { configProblems } from '../support/config';

/**
 * Typical mistakes of a user declaring their own services, each made once in a valid
 * three-service config: web (in `shop`, routed from the gateway) calls api, which calls db
 * (both in `backend`). One mistake must give exactly the error(s) it deserves, named with
 * the index the user wrote: no false "is not a declared service" for a service whose other
 * field is wrong, no index shifted by a refused entry.
 */

type Service = Record<string, unknown>;

const web = (): Service => ({
  name: 'web',
  namespace: 'shop',
  port: 8080,
  image: 'ghcr.io/example/web:1.4.0',
  callers: ['ingress'],
  route: { hosts: ['shop.example.com'] },
});
const api = (): Service => ({
  name: 'api',
  namespace: 'backend',
  port: 9090,
  protocol: 'grpc',
  image: 'ghcr.io/example/api:2.1.0',
  replicas: 2,
  resources: { cpuRequest: '100m', memoryRequest: '128Mi', memoryLimit: '512Mi' },
  env: { LOG_LEVEL: 'info', WORKERS: 4 },
  callers: ['shop/web'],
});
const db = (): Service => ({
  name: 'db',
  namespace: 'backend',
  port: 5432,
  protocol: 'tcp',
  versions: [{ name: 'v16', image: 'docker.io/library/postgres:16.4' }],
  callers: ['api'],
});

/** The base config with `changes[i]` applied to `services[i]`; an `undefined` value removes the key. */
function withChanges(changes: Record<number, Service>, extra: Service = {}): Service {
  const services = [web(), api(), db()].map((s, i) => {
    const change = changes[i] ?? {};
    const changed: Service = { ...s, ...change };
    for (const key of Object.keys(change)) if (change[key] === undefined) delete changed[key];
    return changed;
  });
  return { bookinfo: { enabled: false }, ...extra, services };
}

/** The base config with one service changed. */
const withMistake = (index: number, change: Service, extra: Service = {}): Service => withChanges({ [index]: change }, extra);


const DNS_LABEL = 'must be a DNS-1123 label: at most 63 characters, lowercase letters, digits and "-", starting and ending with a letter or digit';
const KNOWN = 'known: backend/api, backend/db, shop/web';

test('the base config is valid', () => {
  expect(configProblems(withMistake(-1, {}))).toEqual([]);
});

describe('one mistake, exactly its own error(s), at the index the user wrote', () => {
  test.each<[string, Service, string[]]>([
    // Names and namespaces: a service whose identity is refused still counts as declared for its callers.
    ['a name in capitals', withMistake(0, { name: 'Web' }), [`services[0].name: 'Web' ${DNS_LABEL}`]],
    ['a name with "_", called by it', withChanges({ 1: { name: 'api_server' }, 2: { callers: ['api_server'] } }), [`services[1].name: 'api_server' ${DNS_LABEL}`]],
    ['a namespace in capitals', withMistake(1, { namespace: 'Backend' }), [`services[1].namespace: 'Backend' ${DNS_LABEL}`]],
    ["SPIRE's namespace", withMistake(1, { namespace: 'spire' }), ["services[1].namespace: 'spire' must not be SPIRE's or Istio's namespace"]],
    ['a kube-* namespace', withMistake(2, { namespace: 'kube-system' }), ["services[2].namespace: 'kube-system' must not be a built-in kube-* namespace: the mesh would relabel and manage a namespace the cluster owns"]],
    ['the name missing', withMistake(0, { name: undefined }), ['services[0].name: undefined must be a string (required)']],
    ['a misspelt key for the name', withMistake(0, { name: undefined, nmae: 'web' }), [
      'services[0].nmae: unknown key (known keys here: name, namespace, port, servicePort, protocol, image, versions, replicas, callers, route, command, args, env, envFrom, volumes, volumeMounts, scratchDirs, healthPath, probes, runAsUser, runAsGroup, fsGroup, readOnlyRootFilesystem, automountServiceAccountToken, resources, nodeSelector, tolerations)',
      'services[0].name: undefined must be a string (required)',
    ]],
    ['the name of the namespace default policy, called by it', withChanges({ 0: { name: 'allow-nothing' }, 1: { callers: ['shop/allow-nothing'] } }), ["services[0].name: 'allow-nothing' names the namespace default policy: choose another service name"]],
    ['a duplicate name', withMistake(2, { name: 'api' }), ["services[2]: 'backend/api' is declared twice: each namespace/name must be unique"]],
    // Ports and protocol.
    ['a port in quotes', withMistake(0, { port: '8080' }), ["services[0].port: '8080' must be a number (required)"]],
    ['a port out of range', withMistake(1, { port: 90900 }), ['services[1].port: 90900 must be an integer port between 1 and 65535']],
    ["a port of the injected proxy", withMistake(1, { port: 15001 }), ['services[1].port: 15001 must not be a port of the injected proxy (15000, 15001, 15004, 15006, 15008, 15009, 15020, 15021, 15053, 15090)']],
    ['a service port of 0', withMistake(2, { servicePort: 0 }), ['services[2].servicePort: 0 must be an integer port between 1 and 65535']],
    ['an unknown protocol', withMistake(1, { protocol: 'grpcs' }), ["services[1].protocol: 'grpcs' must be one of 'http', 'http2', 'grpc', 'tcp'"]],
    // Images and versions.
    ['an image without a registry', withMistake(0, { image: 'web:1.4.0' }), ["services[0].image: 'web:1.4.0' must name its registry (e.g. ghcr.io/…, docker.io/…) so the pull source is explicit"]],
    ["the tag 'latest'", withMistake(1, { image: 'ghcr.io/example/api:latest' }), ["services[1].image: 'ghcr.io/example/api:latest' must not use the tag 'latest': pin a version or a digest"]],
    ['neither image nor versions', withMistake(0, { image: undefined }), ["services[0]: 'web' must set exactly one of image and versions"]],
    ['a version name in capitals', withMistake(2, { versions: [{ name: 'V16', image: 'docker.io/library/postgres:16.4' }] }), [`services[2].versions[0].name: 'V16' ${DNS_LABEL}`]],
    ['a version without an image', withMistake(2, { versions: [{ name: 'v16' }] }), ['services[2].versions: [{"name":"v16"}] must be a list of { name, image } with string values']],
    // Counts, resources and env.
    ['negative replicas', withMistake(1, { replicas: -1 }), ['services[1].replicas: -1 must be a whole number from 0 to 1000']],
    ['replicas in quotes', withMistake(1, { replicas: '2' }), ["services[1].replicas: '2' must be a number"]],
    ['a memory limit in MB', withMistake(1, { resources: { memoryLimit: '512MB' } }), ["services[1].resources.memoryLimit: '512MB' must be a Kubernetes quantity: did you mean '512Mi' (mebibytes) or '512M' (megabytes)?"]],
    ['a memory request in thousandths of a byte', withMistake(1, { resources: { memoryRequest: '128m' } }), ["services[1].resources.memoryRequest: '128m' is 128 thousandths of a byte: did you mean '128Mi' (mebibytes) or '128M' (megabytes)?"]],
    ['a CPU request in cores where millicores were meant', withMistake(1, { resources: { cpuRequest: '500' } }), ["services[1].resources.cpuRequest: '500' is 500 CPU cores, more than the most allowed (256): did you mean '500m' (millicores)?"]],
    ['a memory request above its limit', withMistake(1, { resources: { memoryRequest: '1Gi', memoryLimit: '512Mi' } }), ["services[1].resources.memoryRequest: '1Gi' must not be more than memoryLimit '512Mi': Kubernetes refuses a request above its limit"]],
    ['replicas beyond any need', withMistake(1, { replicas: 1e6 }), ['services[1].replicas: 1000000 must be a whole number from 0 to 1000']],
    ['an unknown resources key', withMistake(1, { resources: { gpuLimit: '1' } }), ["services[1].resources.gpuLimit: '1' is not a known key (known keys here: cpuRequest, memoryRequest, memoryLimit, cpuLimit)"]],
    ['an env value that is a list', withMistake(1, { env: { HOSTS: ['a', 'b'] } }), ['services[1].env.HOSTS: ["a","b"] must be a mapping: a string, or secretKeyRef or configMapKeyRef']],
    ['an env name starting with a digit', withMistake(1, { env: { '2FA_SECRET': 'x' } }), ["services[1].env: '2FA_SECRET' must be an environment variable name: letters, digits, \"_\", \"-\" and \".\", not starting with a digit"]],
    ['an unknown key', withMistake(1, { replica: 2 }), ['services[1].replica: unknown key (known keys here: name, namespace, port, servicePort, protocol, image, versions, replicas, callers, route, command, args, env, envFrom, volumes, volumeMounts, scratchDirs, healthPath, probes, runAsUser, runAsGroup, fsGroup, readOnlyRootFilesystem, automountServiceAccountToken, resources, nodeSelector, tolerations)']],
    // Callers.
    ['a typo in a caller', withMistake(1, { callers: ['shop/wbe'] }), [`services[1].callers[0]: 'shop/wbe' is not a declared service (listed by service 'backend/api'; did you mean 'shop/web'? ${KNOWN})`]],
    ['a caller in the wrong namespace', withMistake(2, { callers: ['shop/api'] }), [`services[2].callers[0]: 'shop/api' is not a declared service (listed by service 'backend/db'; did you mean 'backend/api'? ${KNOWN})`]],
    ['a caller without its namespace', withMistake(1, { callers: ['web'] }), [`services[1].callers[0]: 'web' is not a declared service (listed by service 'backend/api'; did you mean 'shop/web'? ${KNOWN})`]],
    ['a typo in ingress', withMistake(0, { callers: ['ingres'] }), [`services[0].callers[0]: 'ingres' is not a declared service (listed by service 'shop/web'; did you mean 'ingress'? ${KNOWN})`]],
    ['callers as one string', withMistake(1, { callers: 'shop/web' }), ["services[1].callers: 'shop/web' must be a list of strings"]],
    ['a caller listed twice', withMistake(2, { callers: ['api', 'backend/api'] }), ["services[2].callers[1]: 'backend/api' is listed twice by service 'backend/db'"]],
    ['ingress while the gateway is off', withMistake(0, {}, { istio: { ingressGateway: { enabled: false } } }), ["services[0].callers[0]: 'ingress' needs the ingress gateway, which is off (istio.ingressGateway.enabled); listed by service 'shop/web'"]],
    // Routes.
    ['a route host in capitals', withMistake(0, { route: { hosts: ['Shop.example.com'] } }), ["services[0].route.hosts[0]: 'Shop.example.com' must be a DNS name, optionally starting with \"*.\""]],
    ['a route without the ingress caller', withMistake(0, { callers: [] }), ["services[0].route: [\"shop.example.com\"] needs 'ingress' among the callers of service 'shop/web': the gateway is what calls a routed service"]],
    ['a route host as a string', withMistake(0, { route: { hosts: 'shop.example.com' } }), ['services[0].route: {"hosts":"shop.example.com"} must be a mapping with hosts (a list of strings) and optional pathPrefixes (a list of strings)']],
    ['a path prefix without "/"', withMistake(0, { route: { hosts: ['shop.example.com'], pathPrefixes: ['cart'] } }), ["services[0].route.pathPrefixes[0]: 'cart' must be a URI path starting with \"/\""]],
  ])('%s', (_, config, expected) => {
    expect(configProblems(config)).toEqual(expected);
  });

  test('a refused entry keeps the indices of the ones after it: each is named as the user wrote it', () => {
    const config = withMistake(0, { port: 'http' });
    (config.services as Service[])[2] = { ...db(), port: 0 };
    expect(configProblems(config)).toEqual([
      "services[0].port: 'http' must be a number (required)",
      'services[2].port: 0 must be an integer port between 1 and 65535',
    ]);
  });

  test('a service refused for its shape still has its own callers checked', () => {
    expect(configProblems(withMistake(1, { port: '9090', callers: ['shop/wbe'] }))).toEqual([
      "services[1].port: '9090' must be a number (required)",
      `services[1].callers[0]: 'shop/wbe' is not a declared service (listed by service 'backend/api'; did you mean 'shop/web'? ${KNOWN})`,
    ]);
  });
});
