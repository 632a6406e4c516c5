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

describe('a service as a real workload: command, env from Secrets, volumes, probes, security, placement', () => {
  // GIVEN a database-like service declaring everything a real workload needs
  const { manifests, echo } = declare({
    versions: [{ name: 'v1', image: IMAGE }],
    command: ['/bin/server'],
    args: ['--data', '/data'],
    env: {
      MODE: 'demo',
      DB_PASSWORD: { secretKeyRef: { name: 'db-creds', key: 'password' } },
      LOG_LEVEL: { configMapKeyRef: { name: 'app-settings', key: 'log-level', optional: true } },
    },
    envFrom: [{ configMapRef: { name: 'app-settings' }, prefix: 'APP_' }, { secretRef: { name: 'api-keys' } }],
    volumes: [
      { name: 'data', persistentVolumeClaim: { size: '5Gi', storageClassName: 'fast' } },
      { name: 'shared', persistentVolumeClaim: { claimName: 'team-share', readOnly: true } },
      { name: 'run', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
      { name: 'settings', configMap: { name: 'app-settings' } },
      { name: 'tls', secret: { secretName: 'app-tls' } },
    ],
    volumeMounts: [
      { name: 'data', mountPath: '/data' },
      { name: 'shared', mountPath: '/shared', readOnly: true },
      { name: 'run', mountPath: '/var/run/app' },
      { name: 'settings', mountPath: '/etc/app/app.conf', subPath: 'app.conf', readOnly: true },
      { name: 'tls', mountPath: '/etc/tls', readOnly: true },
    ],
    scratchDirs: ['/tmp'],
    probes: {
      startup: { exec: { command: ['/bin/ready'] }, failureThreshold: 30 },
      readiness: { httpGet: { path: '/ready', port: 9090 }, periodSeconds: 3 },
      liveness: { httpGet: { path: '/live' }, initialDelaySeconds: 10 },
    },
    runAsUser: 999,
    runAsGroup: 999,
    fsGroup: 999,
    automountServiceAccountToken: true,
    resources: { cpuRequest: '250m', memoryRequest: '256Mi', memoryLimit: '1Gi', cpuLimit: '2' },
    nodeSelector: { 'kubernetes.io/os': 'linux', pool: 'db' },
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }],
  });
  const d = find(manifests, 'Deployment', 'echo-v1', 'team-a');
  const pod = d.spec.template.spec;
  const c = pod.containers[0];

  test('every object is schema-valid and the app container still passes "restricted"', () => {
    expect(schemaProblems(manifests)).toEqual([]);
    expect(restrictedProblems(pod, c)).toEqual([]);
  });

  test('command and args replace the image entrypoint and cmd', () => {
    expect(c.command).toEqual(['/bin/server']);
    expect(c.args).toEqual(['--data', '/data']);
  });

  test('env keeps literals as values and references Secret and ConfigMap keys without their values', () => {
    expect(c.env).toEqual([
      { name: 'MODE', value: 'demo' },
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-creds', key: 'password' } } },
      { name: 'LOG_LEVEL', valueFrom: { configMapKeyRef: { name: 'app-settings', key: 'log-level', optional: true } } },
    ]);
    expect(c.envFrom).toEqual([{ configMapRef: { name: 'app-settings' }, prefix: 'APP_' }, { secretRef: { name: 'api-keys' } }]);
    expect(manifests.filter((m) => m.kind === 'Secret' || m.kind === 'ConfigMap')).toEqual([]);
  });

  test('volumes of each kind, mounted where declared; a sized claim is created as <service>-<volume>', () => {
    expect(pod.volumes).toEqual([
      { name: 'tmp', emptyDir: {} },
      { name: 'data', persistentVolumeClaim: { claimName: 'echo-data' } },
      { name: 'shared', persistentVolumeClaim: { claimName: 'team-share', readOnly: true } },
      { name: 'run', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
      { name: 'settings', configMap: { name: 'app-settings' } },
      { name: 'tls', secret: { secretName: 'app-tls' } },
    ]);
    expect(c.volumeMounts).toEqual([
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'data', mountPath: '/data' },
      { name: 'shared', mountPath: '/shared', readOnly: true },
      { name: 'run', mountPath: '/var/run/app' },
      { name: 'settings', mountPath: '/etc/app/app.conf', subPath: 'app.conf', readOnly: true },
      { name: 'tls', mountPath: '/etc/tls', readOnly: true },
    ]);
    expect(find(manifests, 'PersistentVolumeClaim', 'echo-data', 'team-a').spec).toEqual({
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '5Gi' } },
      storageClassName: 'fast',
    });
    expect([...echo.claims.keys()]).toEqual(['data']);
    expect(manifests.filter((m) => m.kind === 'PersistentVolumeClaim').map((m) => m.metadata.name)).toEqual(['echo-data']);
  });

  test('with a created ReadWriteOnce claim the Deployment recreates its pod rather than rolling (the new pod could not mount it)', () => {
    expect(d.spec.strategy).toEqual({ type: 'Recreate' });
    expect(find(declare().manifests, 'Deployment', 'echo-v1').spec.strategy).toBeUndefined();
  });

  test('each probe as declared, with the timings it leaves out at their defaults; an HTTP probe without a port uses the service port', () => {
    expect(c.startupProbe).toEqual({ exec: { command: ['/bin/ready'] }, periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 30 });
    expect(c.readinessProbe).toEqual({ httpGet: { path: '/ready', port: 9090 }, periodSeconds: 3, timeoutSeconds: 2, failureThreshold: 3 });
    expect(c.livenessProbe).toEqual({ httpGet: { path: '/live', port: 8080 }, initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 });
  });

  test('uid, gid and fsGroup as declared; the token only because it was asked for', () => {
    expect(c.securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, runAsNonRoot: true, readOnlyRootFilesystem: true });
    expect(pod.securityContext).toEqual({ fsGroup: 999, fsGroupChangePolicy: 'OnRootMismatch' });
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(find(manifests, 'ServiceAccount', 'echo').automountServiceAccountToken).toBe(false);
  });

  test('a CPU limit only when declared; node selector and tolerations on the pod', () => {
    expect(c.resources).toEqual({ requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '1Gi', cpu: '2' } });
    expect(pod.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux', pool: 'db' });
    expect(pod.tolerations).toEqual([{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }]);
  });

  test('readOnlyRootFilesystem: false is the explicit opt-out', () => {
    const { manifests: writable } = declare({ readOnlyRootFilesystem: false });
    expect(find(writable, 'Deployment', 'echo-v1').spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem).toBe(false);
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
      /MeshedService\(team-a\/echo\)\.route: \["echo.corp.example"\] needs the gateway's identity/,
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
    ['a port out of range', { port: 70000 }, /MeshedService\(team-a\/echo\)\.port: 70000 must be an integer port/],
    ['port 0', { port: 0 }, /MeshedService\(team-a\/echo\)\.port: 0/],
    ['a port of the injected proxy', { port: 15006 }, /MeshedService\(team-a\/echo\)\.port: 15006 must not be a port of the injected proxy/],
    ["an unknown authorization mode", { authorization: 'audit' as never }, /MeshedService\(team-a\/echo\)\.authorization: 'audit' must be one of 'enforce', 'off'/],
    ['a TCP service with a route', { protocol: 'tcp', callers: [GATEWAY.identity], route: { gateway: GATEWAY, hosts: ['echo.corp.example'] } }, /route: \["echo.corp.example"\] routes HTTP paths, so protocol must not be 'tcp'/],
    ['a route host that is a bare wildcard', { callers: [GATEWAY.identity], route: { gateway: GATEWAY, hosts: ['*'] } }, /ServiceRoute\(echo\)\.hosts\[0\]: '\*' must be a DNS name/],
    ['a route prefix without a leading slash', { callers: [GATEWAY.identity], route: { gateway: GATEWAY, hosts: ['e.example'], pathPrefixes: ['api'] } }, /ServiceRoute\(echo\)\.pathPrefixes\[0\]: 'api' must be a URI path/],
    ['a name that is not DNS-1123', { name: 'Echo_Service' }, /MeshedService\.name: 'Echo_Service' must be a DNS-1123 label/],
    ['a namespace that is not DNS-1123', { namespace: 'Team A' }, /MeshedService\(echo\)\.namespace: 'Team A' must be a DNS-1123 label/],
    ['a version name that is not a DNS-1123 label', { versions: [{ name: 'v1.0', image: IMAGE }] }, /versions\[0\]\.name: 'v1\.0' must be a DNS-1123 label/],
    ['a duplicate version', { versions: [{ name: 'v1', image: IMAGE }, { name: 'v1', image: IMAGE }] }, /versions\[\]\.name: 'v1' is listed twice/],
    ['no versions', { versions: [] }, /MeshedService\(team-a\/echo\)\.versions: \[\] must list at least one version/],
    ['an unpinned image', { versions: [{ name: 'v1', image: 'docker.io/ealen/echo-server:latest' }] }, /versions\[0\]\.image: .* must not use the tag 'latest'/],
    ['negative replicas', { versions: [{ name: 'v1', image: IMAGE, replicas: -1 }] }, /versions\[0\]\.replicas: -1/],
    ['an unknown protocol', { protocol: 'udp' as never }, /MeshedService\(team-a\/echo\)\.protocol: 'udp' must be one of/],
    ['root', { runAsUser: 0 }, /MeshedService\(team-a\/echo\)\.runAsUser: 0 must be a non-root numeric id/],
    ['a relative scratch dir', { scratchDirs: ['tmp'] }, /MeshedService\(team-a\/echo\)\.scratchDirs: 'tmp' must be an absolute path/],
    ['scratch dirs with the same volume name', { scratchDirs: ['/a-b', '/a/b'] }, /MeshedService\(team-a\/echo\)\.scratchDirs: 'a-b' names a volume twice/],
    ['a bad env name', { env: { '1X': 'y' } }, /MeshedService\(team-a\/echo\)\.env: '1X' must be an environment variable name/],
    ['a bad health path', { healthPath: 'health' }, /MeshedService\(team-a\/echo\)\.healthPath: 'health' must be an absolute HTTP path/],
    ['a bad memory limit', { resources: { memoryLimit: 'lots' } }, /resources\.memoryLimit: 'lots' must be a Kubernetes quantity/],
    ['a bad trust domain', { trustDomain: 'Corp.Example' }, /trustDomain: 'Corp\.Example' must be lowercase/],
    [
      'injection that turns native sidecars off for its pods',
      { injection: { ...INJECTION, podAnnotations: { ...INJECTION.podAnnotations, 'sidecar.istio.io/nativeSidecar': 'false' } } },
      /MeshedService\(team-a\/echo\)\.injection\.podAnnotations\['sidecar\.istio\.io\/nativeSidecar'\]: 'false' must not be set on a meshed pod: the native-sidecar mode is mesh-wide \(istio\.nativeSidecars\)/,
    ],
    [
      'injection that turns them on for its pods',
      { injection: { ...INJECTION, podAnnotations: { ...INJECTION.podAnnotations, 'sidecar.istio.io/nativeSidecar': 'true' } } },
      /podAnnotations\['sidecar\.istio\.io\/nativeSidecar'\]: 'true' must not be set on a meshed pod/,
    ],
    ['a scratch dir on a declared volume name', { scratchDirs: ['/tmp'], volumes: [{ name: 'tmp', emptyDir: {} }] }, /MeshedService\(team-a\/echo\)\.scratchDirs: 'tmp' names a volume twice/],
    ['an empty command', { command: [] }, /MeshedService\(team-a\/echo\)\.command: \[\] must list at least one word/],
    ['an env name starting with a digit', { env: { '9LIVES': 'x' } }, /MeshedService\(team-a\/echo\)\.env: '9LIVES' must be an environment variable name/],
    ['an env value from both a Secret and a ConfigMap', { env: { DB: { secretKeyRef: { name: 'db', key: 'pw' }, configMapKeyRef: { name: 'db', key: 'pw' } } } }, /MeshedService\(team-a\/echo\)\.env\.DB: .* must set exactly one of secretKeyRef, configMapKeyRef \(sets secretKeyRef and configMapKeyRef\)/],
    ['a Secret name that is not DNS-1123', { env: { DB: { secretKeyRef: { name: 'DB_Creds', key: 'pw' } } } }, /MeshedService\(team-a\/echo\)\.env\.DB\.secretKeyRef\.name: 'DB_Creds' must be a DNS-1123 subdomain/],
    ['a Secret key with a slash', { env: { DB: { secretKeyRef: { name: 'db', key: 'a/b' } } } }, /env\.DB\.secretKeyRef\.key: 'a\/b' must be a Secret or ConfigMap key/],
    ['an envFrom without a source', { envFrom: [{ prefix: 'DB_' }] }, /MeshedService\(team-a\/echo\)\.envFrom\[0\]: .* must set exactly one of secretRef, configMapRef/],
    ['an envFrom prefix that is no variable name', { envFrom: [{ configMapRef: { name: 'cfg' }, prefix: '1_' }] }, /envFrom\[0\]\.prefix: '1_' must be an environment variable name/],
    ['a volume name that is not a DNS-1123 label', { volumes: [{ name: 'Data', emptyDir: {} }] }, /MeshedService\(team-a\/echo\)\.volumes\[0\]\.name: 'Data' must be a DNS-1123 label/],
    ["a volume name of the sidecar's", { volumes: [{ name: 'istio-data', emptyDir: {} }] }, /volumes\[0\]\.name: 'istio-data' is a volume name the injected sidecar uses/],
    ['a volume with two sources', { volumes: [{ name: 'v', emptyDir: {}, secret: { secretName: 's' } }] }, /volumes\[0\]: .* must set exactly one of emptyDir, configMap, secret, persistentVolumeClaim/],
    ['a ConfigMap volume named badly', { volumes: [{ name: 'v', configMap: { name: 'my_config' } }] }, /volumes\[0\]\.configMap\.name: 'my_config' must be a DNS-1123 subdomain/],
    ['a claim with neither claimName nor size', { volumes: [{ name: 'v', persistentVolumeClaim: {} }] }, /volumes\[0\]\.persistentVolumeClaim: \{\} must set exactly one of claimName, size/],
    ['a claim size that is no quantity', { versions: [{ name: 'v1', image: IMAGE }], volumes: [{ name: 'v', persistentVolumeClaim: { size: '10GB' } }] }, /volumes\[0\]\.persistentVolumeClaim\.size: '10GB' must be a Kubernetes quantity/],
    ['a created claim with two pods', { volumes: [{ name: 'v', persistentVolumeClaim: { size: '1Gi' } }] }, /volumes\[0\]\.persistentVolumeClaim: '1Gi' creates a ReadWriteOnce claim, which one pod at most may mount, but the service runs 2/],
    ['a storage class on an existing claim', { volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'data', storageClassName: 'fast' } }] }, /persistentVolumeClaim\.storageClassName: 'fast' applies only to a claim the mesh creates/],
    ['a mount of an undeclared volume', { volumes: [{ name: 'a', emptyDir: {} }], volumeMounts: [{ name: 'b', mountPath: '/b' }] }, /MeshedService\(team-a\/echo\)\.volumeMounts\[0\]\.name: 'b' must name one of volumes \(declared: a\)/],
    ['a relative mount path', { volumes: [{ name: 'a', emptyDir: {} }], volumeMounts: [{ name: 'a', mountPath: 'data' }] }, /volumeMounts\[0\]\.mountPath: 'data' must be an absolute path/],
    ['a mount path with ..', { volumes: [{ name: 'a', emptyDir: {} }], volumeMounts: [{ name: 'a', mountPath: '/data/../etc' }] }, /volumeMounts\[0\]\.mountPath: '\/data\/\.\.\/etc' must be an absolute path/],
    ['two mounts on one path', { volumes: [{ name: 'a', emptyDir: {} }, { name: 'b', emptyDir: {} }], volumeMounts: [{ name: 'a', mountPath: '/data' }, { name: 'b', mountPath: '/data' }] }, /volumeMounts\[1\]\.mountPath: '\/data' is mounted twice/],
    ['a mount on a scratch dir', { scratchDirs: ['/tmp'], volumes: [{ name: 'a', emptyDir: {} }], volumeMounts: [{ name: 'a', mountPath: '/tmp' }] }, /volumeMounts\[0\]\.mountPath: '\/tmp' is mounted twice/],
    ['an absolute subPath', { volumes: [{ name: 'a', emptyDir: {} }], volumeMounts: [{ name: 'a', mountPath: '/d', subPath: '/x' }] }, /volumeMounts\[0\]\.subPath: '\/x' must be a relative path inside the volume/],
    ['probes and healthPath', { healthPath: '/health', probes: { readiness: { httpGet: { path: '/ready' } } } }, /MeshedService\(team-a\/echo\)\.probes: .* must not be set with healthPath/],
    ['a probe with httpGet and exec', { probes: { liveness: { httpGet: { path: '/' }, exec: { command: ['true'] } } } }, /probes\.liveness: .* must set exactly one of httpGet, exec/],
    ['a probe port out of range', { probes: { readiness: { httpGet: { path: '/', port: 0 } } } }, /probes\.readiness\.httpGet\.port: 0 must be an integer port/],
    ['a probe with an empty exec command', { probes: { startup: { exec: { command: [] } } } }, /probes\.startup\.exec\.command: \[\] must list at least one word/],
    ['a probe period of 0', { probes: { readiness: { exec: { command: ['true'] }, periodSeconds: 0 } } }, /probes\.readiness\.periodSeconds: 0 must be a whole number, 1 or more/],
    ['an unknown probe kind', { probes: { ready: { exec: { command: ['true'] } } } as never }, /probes\.ready: .* is not a known key \(known keys here: readiness, liveness, startup\)/],
    ['fsGroup 0', { fsGroup: 0 }, /MeshedService\(team-a\/echo\)\.fsGroup: 0 must be a non-root numeric id/],
    ['runAsGroup 0', { runAsGroup: 0 }, /MeshedService\(team-a\/echo\)\.runAsGroup: 0 must be a non-root numeric id/],
    ['a bad CPU limit', { resources: { cpuLimit: 'fast' } }, /resources\.cpuLimit: 'fast' must be a Kubernetes quantity/],
    ['a node selector key that is no qualified name', { nodeSelector: { 'bad key': 'x' } }, /nodeSelector\.bad key: 'bad key' must be a qualified name/],
    ['a node selector value that is no label value', { nodeSelector: { pool: 'a b' } }, /nodeSelector\.pool: 'a b' must be a label value/],
    ['a toleration without operator', { tolerations: [{ key: 'gpu' } as never] }, /MeshedService\(team-a\/echo\)\.tolerations\[0\]\.operator: undefined must be 'Exists' or 'Equal'/],
  ])('%s', (_, overrides, message) => {
    expect(() => declare(overrides)).toThrow(message);
  });
});
