import { resolveMeshConfig } from '../../lib/config/load';
import { MeshedService } from '../../lib/mesh/meshed-service';
import { ServiceWorkloadSpec } from '../../lib/mesh/workload-spec';
import { find, synthesize } from '../support/synth';
import { testChart } from '../support/test-app';
import { configProblems } from '../support/config';

const IMAGE = 'ghcr.io/example/api:1.0.0';
const api = (more: Record<string, unknown> = {}) => ({ name: 'api', namespace: 'team-a', port: 8080, image: IMAGE, ...more });


describe('services: a valid list', () => {
  test('is read with its defaults: protocol http, version v1 from image, no callers', () => {
    const config = resolveMeshConfig({ services: [api()] });
    expect(config.services).toEqual([api()]);
  });

  test('every protocol the MeshedService construct takes is accepted, http2 included', () => {
    for (const protocol of ['http', 'http2', 'grpc', 'tcp']) {
      expect(resolveMeshConfig({ services: [api({ protocol })] }).services[0].protocol).toBe(protocol);
    }
  });

  test('env values may be plain numbers and booleans; they become strings', () => {
    const config = resolveMeshConfig({ services: [api({ env: { WORKERS: 4, DEBUG: false } })] });
    expect(config.services[0].env).toEqual({ WORKERS: '4', DEBUG: 'false' });
  });

  test('a caller may be a bookinfo service in another namespace, or a service declared after it', () => {
    expect(() =>
      resolveMeshConfig({ services: [api({ callers: ['default/productpage', 'web'] }), { name: 'web', namespace: 'team-a', port: 80, image: IMAGE }] }),
    ).not.toThrow();
  });
});

describe('services: every problem is named, with its field and the service', () => {
  test.each<[string, unknown, string]>([
    ['a caller with a typo', { services: [api({ callers: ['default/prodcutpage'] })] }, "services[0].callers[0]: 'default/prodcutpage' is not a declared service (listed by service 'team-a/api'; did you mean 'default/productpage'? known: default/details, default/productpage"],
    ['a same-namespace caller that does not exist', { services: [api({ callers: ['web'] })] }, "services[0].callers[0]: 'web' is not a declared service (listed by service 'team-a/api'"],
    ['bookinfo callers once bookinfo is disabled', { bookinfo: { enabled: false }, services: [api({ callers: ['default/productpage'] })] }, "'default/productpage' is not a declared service (listed by service 'team-a/api'; known: team-a/api)"],
    ['a caller listed twice', { services: [api({ callers: ['ingress', 'ingress'] })] }, "services[0].callers[1]: 'ingress' is listed twice by service 'team-a/api'"],
    ['a duplicate service', { services: [api(), api()] }, "services[1]: 'team-a/api' is declared twice"],
    ['a clash with bookinfo', { services: [api({ name: 'details', namespace: 'default' })] }, "services[0]: 'default/details' clashes with bookinfo in 'default': both write Service/details in namespace 'default'"],
    ['a clash between two services\' Deployments', { services: [api({ name: 'web', versions: [{ name: 'v1-canary', image: IMAGE }], image: undefined }), api({ name: 'web-v1', versions: [{ name: 'canary', image: IMAGE }], image: undefined })] }, "services[1]: 'team-a/web-v1' clashes with service 'team-a/web': both write Deployment/web-v1-canary"],
    ['a name that is not DNS-1123', { services: [api({ name: 'My_API' })] }, "services[0].name: 'My_API' must be a DNS-1123 label"],
    ['a namespace that is not DNS-1123', { services: [api({ namespace: 'Team A' })] }, "services[0].namespace: 'Team A' must be a DNS-1123 label"],
    ['a kube-* namespace', { services: [api({ namespace: 'kube-system' })] }, "services[0].namespace: 'kube-system' must not be a built-in kube-* namespace"],
    ["SPIRE's namespace", { services: [api({ namespace: 'spire' })] }, "services[0].namespace: 'spire' must not be SPIRE's or Istio's namespace"],
    ['a port out of range', { services: [api({ port: 70000 })] }, 'services[0].port: 70000 must be an integer port between 1 and 65535'],
    ['a service port out of range', { services: [api({ servicePort: 0 })] }, 'services[0].servicePort: 0 must be an integer port'],
    ["a port of the injected proxy", { services: [api({ port: 15001 })] }, 'services[0].port: 15001 must not be a port of the injected proxy'],
    ['ingress with no gateway', { istio: { ingressGateway: { enabled: false } }, services: [api({ callers: ['ingress'] })] }, "services[0].callers[0]: 'ingress' needs the ingress gateway, which is off (istio.ingressGateway.enabled); listed by service 'team-a/api'"],
    ['a route with no ingress caller', { services: [api({ route: { hosts: ['api.example.com'] } })] }, "services[0].route: [\"api.example.com\"] needs 'ingress' among the callers of service 'team-a/api'"],
    ['a route host that is not a DNS name', { services: [api({ callers: ['ingress'], route: { hosts: ['*'] } })] }, "services[0].route.hosts[0]: '*' must be a DNS name"],
    ['two routes on the same host and prefix', { services: [api({ callers: ['ingress'], route: { hosts: ['a.example.com'] } }), api({ name: 'web', callers: ['ingress'], route: { hosts: ['a.example.com'] } })] }, "services[1].route: 'a.example.com/' is also routed to service 'team-a/api'"],
    ['a version listed twice', { services: [api({ image: undefined, versions: [{ name: 'v1', image: IMAGE }, { name: 'v1', image: IMAGE }] })] }, "services[0].versions[].name: 'v1' is listed twice: each must be unique"],
    ['image and versions both', { services: [api({ versions: [{ name: 'v1', image: IMAGE }] })] }, "services[0]: 'api' must set exactly one of image and versions"],
    ['an unpinned image', { services: [api({ image: 'ghcr.io/example/api:latest' })] }, "services[0].image: 'ghcr.io/example/api:latest' must not use the tag 'latest'"],
    ['an unknown protocol', { services: [api({ protocol: 'udp' })] }, "services[0].protocol: 'udp' must be one of 'http', 'http2', 'grpc', 'tcp'"],
    ['an unknown key', { services: [api({ ports: [80] })] }, 'services[0].ports: unknown key (known keys here: name, namespace, port,'],
    ['a missing port', { services: [{ name: 'api', namespace: 'team-a', image: IMAGE }] }, 'services[0].port: undefined must be a number (required)'],
    ['not a list', { services: { api: {} } }, 'services: {"api":{}} must be a list of services'],
    ['a bookinfo extra caller with a typo', { bookinfo: { extraCallers: { details: ['ratngs'] } } }, "bookinfo.extraCallers.details[0]: 'ratngs' is not a declared service (listed by service 'default/details'"],
    ['nothing to mesh', { bookinfo: { enabled: false }, istio: { ingressGateway: { enabled: false } } }, 'services: [] must declare a service when bookinfo and the ingress gateway are off'],
    ['the name of the namespace default', { services: [api({ name: 'allow-nothing' })] }, "services[0].name: 'allow-nothing' names the namespace default policy"],
    ['an unknown authorization mode', { authorization: { mode: 'audit' } }, "authorization.mode: 'audit' must be one of 'enforce', 'off'"],
  ])('%s', (_, overrides, message) => {
    expect(configProblems(overrides).join('\n')).toContain(message);
  });

  test('a repeated version is reported once, not also as a clash of the service with itself', () => {
    const twice = { name: 'v1', image: IMAGE };
    expect(configProblems({ services: [api({ image: undefined, versions: [twice, twice] })] })).toEqual([
      "services[0].versions[].name: 'v1' is listed twice: each must be unique",
    ]);
  });

  test('all of them at once', () => {
    const found = configProblems({
      services: [api({ name: 'API', callers: ['nope'] }), api({ namespace: 'team-b', port: 0, route: { hosts: ['x.example.com'] } })],
    });
    expect(found).toEqual([
      "services[0].name: 'API' must be a DNS-1123 label: at most 63 characters, lowercase letters, digits and \"-\", starting and ending with a letter or digit",
      "services[0].callers[0]: 'nope' is not a declared service (listed by service 'team-a/API'; known: default/details, default/productpage, default/ratings, default/reviews, team-a/API, team-b/api)",
      'services[1].port: 0 must be an integer port between 1 and 65535',
      "services[1].route: [\"x.example.com\"] needs 'ingress' among the callers of service 'team-b/api': the gateway is what calls a routed service",
    ]);
  });
});

describe('services: how their containers run (the keys MeshedService takes, 1:1)', () => {
  const workload = {
    command: ['/bin/server'],
    args: ['--port', '8080'],
    env: { MODE: 'demo', PORT: 8080, DB_PASSWORD: { secretKeyRef: { name: 'db', key: 'password' } } },
    envFrom: [{ configMapRef: { name: 'settings' } }],
    volumes: [
      { name: 'data', persistentVolumeClaim: { size: '1Gi' } },
      { name: 'cache', emptyDir: {} },
    ],
    volumeMounts: [
      { name: 'data', mountPath: '/data' },
      { name: 'cache', mountPath: '/cache' },
    ],
    scratchDirs: ['/tmp'],
    probes: { readiness: { httpGet: { path: '/ready' } }, liveness: { exec: { command: ['/bin/alive'] } } },
    runAsUser: 999,
    runAsGroup: 999,
    fsGroup: 999,
    readOnlyRootFilesystem: true,
    automountServiceAccountToken: false,
    resources: { cpuRequest: '100m', memoryRequest: '128Mi', memoryLimit: '512Mi', cpuLimit: '1' },
    nodeSelector: { pool: 'db' },
    tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }],
  } satisfies Omit<ServiceWorkloadSpec, 'env'> & { env: Record<string, unknown> };

  test('every key is accepted, the ones MeshedService always had (healthPath, scratchDirs, readOnlyRootFilesystem, runAsUser) included', () => {
    expect(resolveMeshConfig({ services: [api(workload)] }).services[0]).toEqual(api({ ...workload, env: { ...workload.env, PORT: '8080' } }));
    expect(resolveMeshConfig({ services: [api({ healthPath: '/health', readOnlyRootFilesystem: false })] }).services[0]).toMatchObject({ healthPath: '/health' });
  });

  test('the config builds the Deployment and claim the construct builds from the same keys', () => {
    const { all } = synthesize({ services: [api(workload)] });
    const chart = testChart();
    new MeshedService(chart, 'api', {
      name: 'api', namespace: 'team-a', port: 8080, trustDomain: 'example.org',
      injection: { podAnnotations: {}, podLabels: {} },
      versions: [{ name: 'v1', image: IMAGE }],
      ...workload,
      env: { ...workload.env, PORT: '8080' },
    });
    const direct = chart.toJson();
    expect(find(all, 'Deployment', 'api-v1').spec.template.spec).toEqual(find(direct, 'Deployment', 'api-v1').spec.template.spec);
    expect(find(all, 'PersistentVolumeClaim', 'api-data').spec).toEqual(find(direct, 'PersistentVolumeClaim', 'api-data').spec);
  });

  test("a bare `emptyDir:` (YAML's null) is an emptyDir with every default", () => {
    const { all } = synthesize({ services: [api({ volumes: [{ name: 'cache', emptyDir: null }], volumeMounts: [{ name: 'cache', mountPath: '/cache' }] })] });
    expect(find(all, 'Deployment', 'api-v1').spec.template.spec.volumes).toEqual([{ name: 'cache', emptyDir: {} }]);
  });

  test('bad values are reported together, each naming its field, value and rule', () => {
    expect(
      configProblems({
        services: [
          api({
            command: 'serve',
            env: { 'BAD NAME': 'x', PW: { secretKeyRef: { name: 'db' } } },
            volumes: [{ name: 'data', persistentVolumeClaim: { size: 'ten' } }, { name: 'x', hostPath: { path: '/' } }],
            volumeMounts: [{ name: 'data', mountPath: '/data' }, { name: 'nope', mountPath: '/data' }],
            probes: { readiness: { httpGet: { path: 'ready' } } },
            runAsUser: 0,
            fsGroup: '999',
            automountServiceAccountToken: 'yes',
            resources: { memoryLimit: 512 },
            nodeSelector: { pool: 1 },
            tolerations: [{ operator: 'Equal', key: 'a' }],
          }),
        ],
      }),
    ).toEqual([
      "services[0].command: 'serve' must be a list of strings",
      "services[0].env: 'BAD NAME' must be an environment variable name: letters, digits, \"_\", \"-\" and \".\", not starting with a digit",
      "services[0].volumes[0].persistentVolumeClaim.size: 'ten' must be a Kubernetes quantity such as \"1Gi\" or \"500Mi\": a number and a suffix (Ki, Mi, Gi, Ti, Pi, Ei; k, M, G, T, P, E; m for thousandths) or an exponent (1e3)",
      'services[0].volumes[1].hostPath: {"path":"/"} is not a known key (known keys here: name, emptyDir, configMap, secret, persistentVolumeClaim)',
      "services[0].volumeMounts[1].name: 'nope' must name one of volumes (declared: data, x)",
      "services[0].probes.readiness.httpGet.path: 'ready' must be an absolute HTTP path such as \"/health\"",
      'services[0].runAsUser: 0 must be a non-root numeric id (1 to 2147483647)',
      "services[0].fsGroup: '999' must be a non-root numeric id (1 to 2147483647)",
      "services[0].automountServiceAccountToken: 'yes' must be true or false",
      'services[0].resources.memoryLimit: 512 must be a quantity in quotes, e.g. "500m" or "256Mi"',
      'services[0].nodeSelector.pool: 1 must be a string; put it in quotes, e.g. "1"',
      "services[0].tolerations[0].value: undefined is required with operator 'Equal': it is the taint value to match",
    ]);
  });

  test('a claim the mesh creates needs a service of one pod, and may not clash with another service\'s claim', () => {
    expect(configProblems({ services: [api({ replicas: 2, volumes: [{ name: 'data', persistentVolumeClaim: { size: '1Gi' } }] })] })).toEqual([
      "services[0].volumes[0].persistentVolumeClaim: '1Gi' creates a ReadWriteOnce claim, which one pod at most may mount, but the service runs 2 (versions × replicas): use one version with replicas 1, or an existing ReadWriteMany claimName",
    ]);
    const claim = (name: string, volume: string) => ({ name, namespace: 'team-a', port: 8080, image: IMAGE, volumes: [{ name: volume, persistentVolumeClaim: { size: '1Gi' } }] });
    expect(configProblems({ services: [claim('a', 'b-data'), claim('a-b', 'data')] })).toEqual([
      "services[1]: 'team-a/a-b' clashes with service 'team-a/a': both write PersistentVolumeClaim/a-b-data in namespace 'team-a'",
    ]);
  });
});
