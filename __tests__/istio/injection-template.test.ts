import * as YAML from 'yaml';
import { BUILT_IN_TEMPLATES, INJECT_LABEL, ISTIO_VERSION_ANNOTATION, SpireInjectionTemplate, TEMPLATES_ANNOTATION } from '../../lib/istio/injection-template';
import { PROXY_CONTAINER, WORKLOAD_SOCKET_DIR, WORKLOAD_SOCKET_VOLUME } from '../../lib/istio/workload-socket';
import { podSpecProblems } from '../support/schema';

const csi = { driverName: 'csi.spiffe.io', socketFileName: 'socket' };

/** The pod spec fragment as Istio reads it: parsed from the rendered template string. */
function renderedSpec(template: SpireInjectionTemplate): Record<string, any> {
  const doc = YAML.parse(template.render());
  expect(Object.keys(doc)).toEqual(['spec']);
  return doc.spec;
}

const proxyIn = (list: Array<{ name: string; volumeMounts?: unknown[] }> | undefined) => list?.find((c) => c.name === PROXY_CONTAINER);

describe.each([
  { nativeSidecars: true, patched: 'initContainers', untouched: 'containers' },
  { nativeSidecars: false, patched: 'containers', untouched: 'initContainers' },
])('the spire template with nativeSidecars=$nativeSidecars', ({ nativeSidecars, patched, untouched }) => {
  // GIVEN a template for this native-sidecar mode
  const template = new SpireInjectionTemplate({ csi, nativeSidecars, istioVersion: '1.30.3' });
  // WHEN Istio parses the rendered string
  const spec = renderedSpec(template);

  test(`mounts the socket read-only into ${patched}[istio-proxy] and leaves ${untouched} alone`, () => {
    expect(proxyIn(spec[patched])?.volumeMounts).toEqual([{ name: WORKLOAD_SOCKET_VOLUME, mountPath: WORKLOAD_SOCKET_DIR, readOnly: true }]);
    expect(spec[untouched]).toBeUndefined();
  });

  test('declares the CSI volume the mount names, read-only', () => {
    expect(spec.volumes).toEqual([{ name: WORKLOAD_SOCKET_VOLUME, csi: { driver: 'csi.spiffe.io', readOnly: true } }]);
  });

  test('is a valid pod spec fragment', () => {
    // Istio merges the fragment into a pod that always has containers; the schema requires the list, so an empty one stands in for it.
    expect(podSpecProblems({ containers: [], ...spec })).toEqual([]);
  });

  test('serialises the typed fragment unchanged', () => {
    expect(spec).toEqual(template.podSpecJson());
  });
});

describe('what a meshed pod requests', () => {
  test('the templates annotation names sidecar first, then this template by its own name', () => {
    const template = new SpireInjectionTemplate({ csi, nativeSidecars: true, istioVersion: '1.30.3', name: 'spiffe' });
    expect(template.podAnnotations).toEqual({ [TEMPLATES_ANNOTATION]: 'sidecar,spiffe', [ISTIO_VERSION_ANNOTATION]: '1.30.3' });
  });

  test('the Istio release that injects it, so an upgrade changes the pod template and re-creates the proxy', () => {
    expect(new SpireInjectionTemplate({ csi, nativeSidecars: true, istioVersion: '1.30.4' }).podAnnotations).toHaveProperty([ISTIO_VERSION_ANNOTATION], '1.30.4');
  });

  test('injection is triggered by the pod label', () => {
    expect(new SpireInjectionTemplate({ csi, nativeSidecars: true, istioVersion: '1.30.3' }).podLabels).toEqual({ [INJECT_LABEL]: 'true' });
  });
});

test('the CSI driver name comes from the driver object passed in', () => {
  const template = new SpireInjectionTemplate({ csi: { driverName: 'csi.example.test', socketFileName: 'socket' }, nativeSidecars: true, istioVersion: '1.30.3' });
  expect(renderedSpec(template).volumes[0].csi.driver).toBe('csi.example.test');
  expect(template.socket.socketPath).toBe(`${WORKLOAD_SOCKET_DIR}/socket`);
});

describe("the names of Istio's own templates are refused", () => {
  // The templates istiod 1.30.3 ships: manifests/charts/istio-control/istio-discovery/templates/istiod-injector-configmap.yaml:54-81, one per files/*.yaml it reads.
  const ISTIO_1_30_TEMPLATES = ['sidecar', 'gateway', 'grpc-simple', 'grpc-agent', 'waypoint', 'kube-gateway', 'agentgateway'];

  test('the reserved list is exactly the ones Istio 1.30 ships', () => {
    expect([...BUILT_IN_TEMPLATES].sort()).toEqual([...ISTIO_1_30_TEMPLATES].sort());
  });

  test.each(ISTIO_1_30_TEMPLATES)('%s', (name) => {
    expect(() => new SpireInjectionTemplate({ csi, nativeSidecars: true, istioVersion: '1.30.3', name })).toThrow(`name: '${name}' must not be one of Istio's built-in templates`);
  });
});

describe('bad input', () => {
  test.each([
    [{ name: 'sidecar' }, /name: 'sidecar' must not be one of Istio's built-in templates/],
    [{ name: 'Spire' }, /name: 'Spire' must be a DNS-1123 label/],
    [{ istioVersion: '1.31.0' }, /istioVersion: '1.31.0' must be a patch release of Istio 1.30/],
    [{ csi: { driverName: 'CSI_driver', socketFileName: 'socket' } }, /csi.driverName: 'CSI_driver' must be a DNS-1123 subdomain/],
    [{ csi: { driverName: 'csi.spiffe.io', socketFileName: 'agent.sock' } }, /csi.socketFileName: 'agent.sock' must be 'socket'/],
  ])('%j throws naming the prop', (override, message) => {
    expect(() => new SpireInjectionTemplate({ csi, nativeSidecars: true, istioVersion: '1.30.3', ...override })).toThrow(message);
  });
});
