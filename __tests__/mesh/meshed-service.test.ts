import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { workloadIdentity } from '../../lib/identity';
import { IIngressGateway, ISidecarInjection } from '../../lib/istio/interfaces';
import { MeshedService, MeshedServiceProps } from '../../lib/mesh/meshed-service';
import { Manifest, schemaProblems } from '../support/schema';
import { find } from '../support/synth';
import { testChart } from '../support/test-app';
import { podTemplatesSelectedBy, restrictedProblems, serviceWiringProblems } from '../support/workloads';

// Deliberately not the demo's values, so a test sees whether they come from the object passed in.
const INJECTION: ISidecarInjection = {
  podAnnotations: { 'inject.istio.io/templates': 'sidecar,custom-spire' },
  podLabels: { 'example.com/inject': 'yes' },
};
const IMAGE = 'docker.io/ealen/echo-server:0.9.2';

function declare(overrides: Partial<MeshedServiceProps> = {}): { chart: Chart; echo: MeshedService; manifests: Manifest[] } {
  const chart = testChart();
  // The few lines a user writes to put a service in the mesh.
  const echo = new MeshedService(chart, 'echo', {
    name: 'echo',
    namespace: 'team-a',
    port: 8080,
    trustDomain: 'corp.example',
    injection: INJECTION,
    versions: [{ name: 'v1', image: IMAGE }, { name: 'canary', image: IMAGE }],
    ...overrides,
  });
  return { chart, echo, manifests: chart.toJson() as Manifest[] };
}

describe('a meshed service declared in a few lines', () => {
  const { echo, manifests } = declare();

  test('gets a Service, a ServiceAccount, one Deployment per version and its ALLOW policy, all schema-valid', () => {
    expect(manifests.map((m) => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`).sort()).toEqual([
      'AuthorizationPolicy/team-a/echo',
      'Deployment/team-a/echo-canary',
      'Deployment/team-a/echo-v1',
      'Service/team-a/echo',
      'ServiceAccount/team-a/echo',
    ]);
    expect(schemaProblems(manifests)).toEqual([]);
  });

  test('its Service selects exactly its pods, on a port the containers declare, named for the protocol', () => {
    expect(serviceWiringProblems(manifests)).toEqual([]);
    const svc = find(manifests, 'Service', 'echo', 'team-a');
    expect(svc.spec.ports).toEqual([{ name: 'http', port: 8080, targetPort: 8080, protocol: 'TCP' }]);
    expect(podTemplatesSelectedBy(manifests, 'team-a', svc.spec.selector).map((d) => d.metadata.name).sort()).toEqual(['echo-canary', 'echo-v1']);
  });

  test.each(['v1', 'canary'])('version %s: pods carry app and version labels, and the injection annotations and labels passed in', (version) => {
    const d = find(manifests, 'Deployment', `echo-${version}`, 'team-a');
    expect(d.spec.selector.matchLabels).toEqual({ app: 'echo', version });
    expect(d.spec.template.metadata.labels).toEqual({ app: 'echo', version, 'example.com/inject': 'yes' });
    expect(d.spec.template.metadata.annotations).toEqual({ 'inject.istio.io/templates': 'sidecar,custom-spire' });
    expect(d.spec.replicas).toBe(1);
  });

  test('its identity is the SPIFFE ID of the service account its pods run as', () => {
    expect(echo.identity).toEqual({
      trustDomain: 'corp.example',
      namespace: 'team-a',
      serviceAccountName: 'echo',
      spiffeId: 'spiffe://corp.example/ns/team-a/sa/echo',
      extraSelectors: ['k8s:pod-label:app:echo'],
    });
    for (const d of echo.deployments.values()) {
      expect(d.toJson().spec.template.spec.serviceAccountName).toBe(echo.serviceAccount.name);
    }
  });

  test('the pod-label selector of its identity matches its pods', () => {
    const [, , key, value] = echo.identity.extraSelectors![0].split(':');
    for (const d of echo.deployments.values()) expect(d.toJson().spec.template.metadata.labels[key]).toBe(value);
  });

  test('app containers pass Pod Security Standards "restricted", with requests and a memory limit', () => {
    for (const d of echo.deployments.values()) {
      const spec = d.toJson().spec.template.spec;
      for (const c of spec.containers) expect(restrictedProblems(spec, c)).toEqual([]);
      expect(spec.containers[0].securityContext).toMatchObject({ runAsUser: 1000, readOnlyRootFilesystem: true });
    }
  });

  test('no token is mounted: the app does not call the API server and the proxy brings its own', () => {
    expect(find(manifests, 'ServiceAccount', 'echo').automountServiceAccountToken).toBe(false);
    expect(find(manifests, 'Deployment', 'echo-v1').spec.template.spec.automountServiceAccountToken).toBe(false);
  });

  test('without a health path there are no probes', () => {
    const c = find(manifests, 'Deployment', 'echo-v1').spec.template.spec.containers[0];
    expect(c.readinessProbe).toBeUndefined();
    expect(c.livenessProbe).toBeUndefined();
    expect(c.startupProbe).toBeUndefined();
  });
});

describe('options', () => {
  test('a health path gives startup, readiness and liveness probes on the service port', () => {
    const { manifests } = declare({ healthPath: '/healthz', port: 7000 });
    const c = find(manifests, 'Deployment', 'echo-v1').spec.template.spec.containers[0];
    for (const probe of [c.startupProbe, c.readinessProbe, c.livenessProbe]) {
      expect(probe.httpGet).toEqual({ path: '/healthz', port: 7000 });
    }
  });

  test('scratch dirs become emptyDirs mounted at their paths; env is set', () => {
    const { manifests } = declare({ scratchDirs: ['/tmp', '/var/cache/app'], env: { MODE: 'demo' } });
    const spec = find(manifests, 'Deployment', 'echo-v1').spec.template.spec;
    expect(spec.volumes).toEqual([
      { name: 'tmp', emptyDir: {} },
      { name: 'var-cache-app', emptyDir: {} },
    ]);
    expect(spec.containers[0].volumeMounts).toEqual([
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'var-cache-app', mountPath: '/var/cache/app' },
    ]);
    expect(spec.containers[0].env).toEqual([{ name: 'MODE', value: 'demo' }]);
  });

  test('protocol, service account, uid/gid, replicas and resources are taken from the props', () => {
    const { manifests, echo } = declare({
      protocol: 'grpc',
      serviceAccountName: 'echo-runner',
      runAsUser: 2000,
      runAsGroup: 3000,
      versions: [{ name: 'v1', image: IMAGE, replicas: 3 }],
      resources: { cpuRequest: '10m', memoryRequest: '16Mi', memoryLimit: '32Mi' },
    });
    expect(find(manifests, 'Service', 'echo').spec.ports[0].name).toBe('grpc');
    expect(echo.identity.spiffeId).toBe('spiffe://corp.example/ns/team-a/sa/echo-runner');
    const d = find(manifests, 'Deployment', 'echo-v1');
    expect(d.spec.replicas).toBe(3);
    expect(d.spec.template.spec.serviceAccountName).toBe('echo-runner');
    const c = d.spec.template.spec.containers[0];
    expect(c.ports[0].name).toBe('grpc');
    expect(c.securityContext).toMatchObject({ runAsUser: 2000, runAsGroup: 3000 });
    expect(c.resources).toEqual({ requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '32Mi' } });
  });
});

const GATEWAY: IIngressGateway = {
  selector: { istio: 'ingressgateway' },
  httpPort: 8080,
  mtlsPort: 7080,
  serviceHost: 'istio-ingressgateway.istio-system.svc.cluster.local',
  identity: workloadIdentity('corp.example', 'istio-system', 'istio-ingressgateway-service-account'),
};

describe('callers and authorization', () => {
  const caller = workloadIdentity('corp.example', 'team-b', 'client');

  test('its ALLOW policy selects its pods and admits exactly the callers, as principals without the scheme', () => {
    const { manifests } = declare({ callers: [caller, GATEWAY.identity] });
    const policy = find(manifests, 'AuthorizationPolicy', 'echo', 'team-a');
    expect(policy.spec).toEqual({
      action: 'ALLOW',
      selector: { matchLabels: { app: 'echo' } },
      rules: [{ from: [{ source: { principals: ['corp.example/ns/istio-system/sa/istio-ingressgateway-service-account', 'corp.example/ns/team-b/sa/client'] } }] }],
    });
  });

  test('without callers its policy has no rules, so it admits nothing (never an empty principals list, which means anyone)', () => {
    const { manifests } = declare();
    const policy = find(manifests, 'AuthorizationPolicy', 'echo', 'team-a');
    expect(policy.spec).toEqual({ action: 'ALLOW', selector: { matchLabels: { app: 'echo' } } });
  });

  test("authorization 'off' writes no policy", () => {
    const { manifests, echo } = declare({ authorization: 'off', callers: [caller] });
    expect(manifests.filter((m) => m.kind === 'AuthorizationPolicy')).toEqual([]);
    expect(echo.policy).toBeUndefined();
  });

  test('a route gives a Gateway on the gateway pods and a VirtualService to the Service port', () => {
    const { manifests } = declare({ servicePort: 80, callers: [GATEWAY.identity], route: { gateway: GATEWAY, hosts: ['echo.corp.example'], pathPrefixes: ['/api'] } });
    expect(schemaProblems(manifests)).toEqual([]);
    expect(find(manifests, 'Service', 'echo').spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }]);
    expect(find(manifests, 'Gateway', 'echo-gateway', 'team-a').spec).toEqual({
      selector: { istio: 'ingressgateway' },
      servers: [{ port: { number: 8080, name: 'http', protocol: 'HTTP' }, hosts: ['echo.corp.example'] }],
    });
    expect(find(manifests, 'VirtualService', 'echo', 'team-a').spec).toEqual({
      hosts: ['echo.corp.example'],
      gateways: ['echo-gateway'],
      http: [{ match: [{ uri: { prefix: '/api' } }], route: [{ destination: { host: 'echo', port: { number: 80 } } }] }],
    });
  });

  test("a route without the gateway among the callers is refused: the gateway's calls would be denied", () => {
    expect(() => declare({ route: { gateway: GATEWAY, hosts: ['echo.corp.example'] } })).toThrow(
      /MeshedService\(echo\)\.route: \["echo.corp.example"\] needs the gateway's identity/,
    );
  });
});

test('a native-sidecar override patched into a pod template afterwards is refused at synth, naming the Deployment', () => {
  const chart = testChart();
  const echo = new MeshedService(chart, 'echo', { name: 'echo', namespace: 'team-a', port: 8080, trustDomain: 'corp.example', injection: INJECTION, versions: [{ name: 'v1', image: IMAGE }] });
  ApiObject.of(echo.deployments.get('v1')!).addJsonPatch(JsonPatch.add('/spec/template/metadata/annotations/sidecar.istio.io~1nativeSidecar', 'false'));
  expect(() => chart.toJson()).toThrow(
    "Deployment(team-a/echo-v1).spec.template.metadata.annotations['sidecar.istio.io/nativeSidecar']: 'false' must not be set on a meshed pod",
  );
});

describe('bad input throws naming the prop', () => {
  test.each<[string, Partial<MeshedServiceProps>, RegExp]>([
    ['a port out of range', { port: 70000 }, /MeshedService\(echo\)\.port: 70000 must be an integer port/],
    ['port 0', { port: 0 }, /MeshedService\(echo\)\.port: 0/],
    ['a port of the injected proxy', { port: 15006 }, /MeshedService\(echo\)\.port: 15006 must not be a port of the injected proxy/],
    ["an unknown authorization mode", { authorization: 'audit' as never }, /MeshedService\(echo\)\.authorization: 'audit' must be one of 'enforce', 'off'/],
    ['a TCP service with a route', { protocol: 'tcp', callers: [GATEWAY.identity], route: { gateway: GATEWAY, hosts: ['echo.corp.example'] } }, /route: \["echo.corp.example"\] routes HTTP paths, so protocol must not be 'tcp'/],
    ['a route host that is a bare wildcard', { callers: [GATEWAY.identity], route: { gateway: GATEWAY, hosts: ['*'] } }, /ServiceRoute\(echo\)\.hosts\[0\]: '\*' must be a DNS name/],
    ['a route prefix without a leading slash', { callers: [GATEWAY.identity], route: { gateway: GATEWAY, hosts: ['e.example'], pathPrefixes: ['api'] } }, /ServiceRoute\(echo\)\.pathPrefixes\[0\]: 'api' must be a URI path/],
    ['a name that is not DNS-1123', { name: 'Echo_Service' }, /MeshedService\.name: 'Echo_Service' must be a DNS-1123 label/],
    ['a namespace that is not DNS-1123', { namespace: 'Team A' }, /MeshedService\(echo\)\.namespace: 'Team A' must be a DNS-1123 label/],
    ['a version name that is not a DNS-1123 label', { versions: [{ name: 'v1.0', image: IMAGE }] }, /versions\[0\]\.name: 'v1\.0' must be a DNS-1123 label/],
    ['a duplicate version', { versions: [{ name: 'v1', image: IMAGE }, { name: 'v1', image: IMAGE }] }, /versions\[\]\.name: 'v1' is listed twice/],
    ['no versions', { versions: [] }, /MeshedService\(echo\)\.versions: \[\] must list at least one version/],
    ['an unpinned image', { versions: [{ name: 'v1', image: 'docker.io/ealen/echo-server:latest' }] }, /versions\[0\]\.image: .* must not use the tag 'latest'/],
    ['negative replicas', { versions: [{ name: 'v1', image: IMAGE, replicas: -1 }] }, /versions\[0\]\.replicas: -1/],
    ['an unknown protocol', { protocol: 'udp' as never }, /MeshedService\(echo\)\.protocol: 'udp' must be one of/],
    ['root', { runAsUser: 0 }, /MeshedService\(echo\)\.runAsUser: 0 must be a non-root numeric id/],
    ['a relative scratch dir', { scratchDirs: ['tmp'] }, /MeshedService\(echo\)\.scratchDirs: 'tmp' must be an absolute directory path/],
    ['scratch dirs with the same volume name', { scratchDirs: ['/a-b', '/a/b'] }, /scratchDirs: 'a-b' is listed twice/],
    ['a bad env name', { env: { '1X': 'y' } }, /MeshedService\(echo\)\.env: '1X' must be an environment variable name/],
    ['a bad health path', { healthPath: 'health' }, /MeshedService\(echo\)\.healthPath: 'health' must be an absolute HTTP path/],
    ['a bad memory limit', { resources: { memoryLimit: 'lots' } }, /resources\.memoryLimit: 'lots' must be a Kubernetes quantity/],
    ['a bad trust domain', { trustDomain: 'Corp.Example' }, /trustDomain: 'Corp\.Example' must be lowercase/],
    [
      'injection that turns native sidecars off for its pods',
      { injection: { ...INJECTION, podAnnotations: { ...INJECTION.podAnnotations, 'sidecar.istio.io/nativeSidecar': 'false' } } },
      /MeshedService\(echo\)\.injection\.podAnnotations\['sidecar\.istio\.io\/nativeSidecar'\]: 'false' must not be set on a meshed pod: the native-sidecar mode is mesh-wide \(istio\.nativeSidecars\)/,
    ],
    [
      'injection that turns them on for its pods',
      { injection: { ...INJECTION, podAnnotations: { ...INJECTION.podAnnotations, 'sidecar.istio.io/nativeSidecar': 'true' } } },
      /podAnnotations\['sidecar\.istio\.io\/nativeSidecar'\]: 'true' must not be set on a meshed pod/,
    ],
  ])('%s', (_, overrides, message) => {
    expect(() => declare(overrides)).toThrow(message);
  });
});
