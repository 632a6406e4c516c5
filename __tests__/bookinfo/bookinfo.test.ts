import { Bookinfo } from '../../lib/bookinfo/bookinfo';
import { DEFAULT_CONFIG } from '../../lib/config/mesh-config';
import { Manifest, schemaProblems } from '../support/schema';
import { find, synthesize } from '../support/synth';
import { testChart } from '../support/test-app';
import { restrictedProblems, serviceWiringProblems } from '../support/workloads';

const APPS = ['details', 'ratings', 'reviews', 'productpage'];
const DEPLOYMENTS: Record<string, [app: string, version: string, imageKey: keyof typeof DEFAULT_CONFIG.bookinfo.images]> = {
  'details-v1': ['details', 'v1', 'detailsV1'],
  'ratings-v1': ['ratings', 'v1', 'ratingsV1'],
  'reviews-v1': ['reviews', 'v1', 'reviewsV1'],
  'reviews-v2': ['reviews', 'v2', 'reviewsV2'],
  'reviews-v3': ['reviews', 'v3', 'reviewsV3'],
  'productpage-v1': ['productpage', 'v1', 'productpageV1'],
};

describe('bookinfo in the default mesh', () => {
  const { charts, config, mesh } = synthesize();
  const objs = charts.get('bookinfo-default')!;
  const deployments = Object.keys(DEPLOYMENTS).map((name) => find(objs, 'Deployment', name, 'default'));

  test('matches the demo inventory: four Services on 9080 named http, four service accounts, six Deployments', () => {
    for (const app of APPS) {
      expect(find(objs, 'Service', app, 'default').spec.ports).toEqual([{ name: 'http', port: 9080, targetPort: 9080, protocol: 'TCP' }]);
      expect(find(objs, 'ServiceAccount', `bookinfo-${app}`, 'default')).toBeDefined();
    }
    expect(objs.filter((m) => m.kind === 'Deployment').map((m) => m.metadata.name).sort()).toEqual(Object.keys(DEPLOYMENTS).sort());
  });

  test.each(Object.entries(DEPLOYMENTS))('%s: labels, service account, image from the config, uid 1000', (name, [app, version, imageKey]) => {
    const d = find(objs, 'Deployment', name, 'default');
    const pod = d.spec.template;
    expect(pod.metadata.labels).toMatchObject({ app, version });
    expect(pod.spec.serviceAccountName).toBe(`bookinfo-${app}`);
    expect(pod.spec.containers[0].image).toBe(config.bookinfo.images[imageKey]);
    expect(pod.spec.containers[0].securityContext.runAsUser).toBe(1000);
    expect(d.spec.replicas).toBe(1);
  });

  test('every pod requests the sidecar,spire templates, names the Istio release and is selected for injection', () => {
    for (const d of deployments) {
      expect(d.spec.template.metadata.annotations).toEqual({ 'inject.istio.io/templates': 'sidecar,spire', 'spire-mesh/istio-version': '1.30.3' });
      expect(d.spec.template.metadata.labels).toHaveProperty(['sidecar.istio.io/inject'], 'true');
    }
  });

  test("reviews set LOG_DIR and write to emptyDirs at /tmp and Liberty's output dir", () => {
    for (const v of ['v1', 'v2', 'v3']) {
      const spec = find(objs, 'Deployment', `reviews-${v}`).spec.template.spec;
      expect(spec.containers[0].env).toEqual([{ name: 'LOG_DIR', value: '/tmp/logs' }]);
      expect(spec.containers[0].volumeMounts.map((m: any) => m.mountPath)).toEqual(['/tmp', '/opt/ibm/wlp/output']);
      for (const m of spec.containers[0].volumeMounts) {
        expect(spec.volumes).toContainEqual({ name: m.name, emptyDir: {} });
      }
    }
  });

  test('productpage writes to an emptyDir at /tmp, on an otherwise read-only root', () => {
    const spec = find(objs, 'Deployment', 'productpage-v1').spec.template.spec;
    expect(spec.containers[0].volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(spec.volumes).toEqual([{ name: 'tmp', emptyDir: {} }]);
    expect(spec.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
  });

  test('each Service selects exactly its app\'s pods on a declared container port', () => {
    expect(serviceWiringProblems(objs)).toEqual([]);
  });

  test('each workload\'s identity is the SPIFFE ID of its own service account', () => {
    const [bookinfo] = mesh.bookinfo;
    expect(bookinfo.identities.map((i) => i.spiffeId)).toEqual(APPS.map((app) => `spiffe://example.org/ns/default/sa/bookinfo-${app}`));
    for (const d of deployments) {
      const app = d.spec.template.metadata.labels.app;
      const service = bookinfo.services.find((s) => s.name === app)!;
      expect(service.identity.spiffeId).toBe(`spiffe://example.org/ns/default/sa/${d.spec.template.spec.serviceAccountName}`);
      expect(service.identity.namespace).toBe(d.metadata.namespace);
    }
  });

  test('app containers pass Pod Security Standards "restricted", with requests and a memory limit', () => {
    for (const d of deployments) {
      const spec = d.spec.template.spec;
      expect(spec.containers.flatMap((c: any) => restrictedProblems(spec, c))).toEqual([]);
    }
  });

  test("productpage's memory fits the 8 gunicorn workers its image starts (Dockerfile: gunicorn -w 8 -k gevent, no --preload)", () => {
    const mebibytes = (q: string) => Number(/^(\d+)Mi$/.exec(q)![1]);
    const resources = find(objs, 'Deployment', 'productpage-v1').spec.template.spec.containers[0].resources;
    // Each worker imports Flask, gevent, requests and the OpenTelemetry SDK itself: ~45 MiB.
    expect(mebibytes(resources.requests.memory)).toBeGreaterThanOrEqual(8 * 45);
    expect(mebibytes(resources.limits.memory)).toBeGreaterThanOrEqual(2 * 8 * 45);
  });

  test('every app is probed on /health at its Service port', () => {
    for (const d of deployments) {
      expect(d.spec.template.spec.containers[0].readinessProbe.httpGet).toEqual({ path: '/health', port: 9080 });
    }
  });
});

describe('configuration flows into bookinfo', () => {
  test('an image override reaches its Deployment only', () => {
    const image = 'registry.example.com/bookinfo/reviews-v2@sha256:' + 'a'.repeat(64);
    const { charts } = synthesize({ bookinfo: { images: { reviewsV2: image } } });
    const objs = charts.get('bookinfo-default')!;
    expect(find(objs, 'Deployment', 'reviews-v2').spec.template.spec.containers[0].image).toBe(image);
    expect(find(objs, 'Deployment', 'reviews-v1').spec.template.spec.containers[0].image).toBe(DEFAULT_CONFIG.bookinfo.images.reviewsV1);
  });

  test('the trust domain reaches every identity', () => {
    const { mesh } = synthesize({ trustDomain: 'corp.example' });
    for (const identity of mesh.bookinfo[0].identities) expect(identity.spiffeId).toMatch(/^spiffe:\/\/corp\.example\/ns\/default\/sa\/bookinfo-/);
  });

  test('the injection object passed in is what every pod carries', () => {
    const chart = testChart();
    new Bookinfo(chart, 'bookinfo', {
      namespace: 'shop',
      trustDomain: 'example.org',
      images: DEFAULT_CONFIG.bookinfo.images,
      injection: { podAnnotations: { 'inject.istio.io/templates': 'other' }, podLabels: { 'istio.io/rev': 'canary' } },
    });
    for (const d of (chart.toJson() as Manifest[] as any[]).filter((m) => m.kind === 'Deployment')) {
      expect(d.spec.template.metadata.annotations).toEqual({ 'inject.istio.io/templates': 'other' });
      expect(d.spec.template.metadata.labels).toHaveProperty(['istio.io/rev'], 'canary');
      expect(d.spec.template.metadata.labels).not.toHaveProperty(['sidecar.istio.io/inject']);
    }
  });
});

test('bookinfo.enabled false deploys no bookinfo, and creates no bookinfo chart', () => {
  const { mesh, all } = synthesize({ bookinfo: { enabled: false } });
  expect(mesh.bookinfo).toEqual([]);
  expect(mesh.charts.map((c) => c.name)).not.toContain('bookinfo-default');
  expect(all.filter((m) => m.kind === 'Deployment' && m.metadata.namespace === 'default')).toEqual([]);
});

describe('bookinfo in several namespaces', () => {
  const { charts, mesh, all } = synthesize({ bookinfo: { namespaces: ['default', 'team-a', 'team-b'] } });

  test('each namespace gets its own chart with a full, independent copy', () => {
    for (const ns of ['default', 'team-a', 'team-b']) {
      const objs = charts.get(`bookinfo-${ns}`)!;
      expect(objs.every((m) => m.metadata.namespace === ns)).toBe(true);
      expect(objs.filter((m) => m.kind === 'Deployment')).toHaveLength(6);
      expect(serviceWiringProblems(objs)).toEqual([]);
    }
    expect(schemaProblems(all)).toEqual([]);
  });

  test('no two objects share kind, namespace and name', () => {
    const keys = all.map((m) => `${m.apiVersion}/${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
  });

  test('each copy has its own identities', () => {
    const ids = mesh.bookinfo.flatMap((b) => b.identities.map((i) => i.spiffeId));
    expect(ids).toHaveLength(12);
    expect(new Set(ids).size).toBe(12);
    expect(mesh.bookinfo[1].identities[0].spiffeId).toBe('spiffe://example.org/ns/team-a/sa/bookinfo-details');
  });

  test('bookinfo charts come last, in the order of the namespaces', () => {
    expect(mesh.charts.slice(-3).map((c) => c.name)).toEqual(['bookinfo-default', 'bookinfo-team-a', 'bookinfo-team-b']);
  });
});
