import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import * as YAML from 'yaml';
import { IstioHelmRelease } from '../../lib/istio/helm-values';
import { IstioChart } from '../../lib/istio/helm-values-api';
import { PROXY_CONTAINER, WORKLOAD_SOCKET_VOLUME } from '../../lib/istio/workload-socket';
import { podSpecProblems } from '../support/schema';
import { synthesize } from '../support/synth';

const REFERENCE = path.join(__dirname, 'reference', 'istio-1.30.3');
const read = (file: string) => fs.readFileSync(path.join(REFERENCE, file), 'utf8');

/** The keys a chart reads: its values.yaml, whose defaults sit under `_internal_defaults_do_not_set` (merged by the chart's zzz_profile.yaml). */
function chartDefaults(chart: IstioChart): Record<string, unknown> {
  return YAML.parse(read(`${chart}/values.yaml`))._internal_defaults_do_not_set;
}

/** Keys of meshConfig this project may set: the same closed list the IstioOperator schema allows (istio.mesh.v1alpha1). */
const MESH_CONFIG_KEYS = ['trustDomain', 'rootNamespace'];

/** Maps whose default has entries but whose keys are free: the gateway schema types `labels` as a plain object, and the chart copies every entry onto its objects. */
const FREE_MAPS = ['labels'];

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Every key path of `values` that the chart's defaults do not have. A default map with
 * entries is closed (its keys are the chart's); an empty default map (`env: {}`,
 * `templates: {}`) or one of FREE_MAPS is a free map of strings, except `meshConfig`, which is closed to
 * MESH_CONFIG_KEYS; a list default takes a list; a scalar or null default takes a scalar.
 */
function unknownKeys(values: unknown, defaults: unknown, at = ''): string[] {
  if (at === 'meshConfig') {
    return Object.keys(values as object).filter((k) => !MESH_CONFIG_KEYS.includes(k)).map((k) => `${at}.${k}`);
  }
  if (isMap(defaults)) {
    if (!isMap(values)) return [`${at}: a mapping expected`];
    if (Object.keys(defaults).length === 0 || FREE_MAPS.includes(at)) {
      return Object.entries(values).filter(([, v]) => typeof v !== 'string').map(([k]) => `${at}.${k}: a string expected`);
    }
    return Object.entries(values).flatMap(([k, v]) => {
      const child = at ? `${at}.${k}` : k;
      return k in defaults ? unknownKeys(v, defaults[k], child) : [`${child}: not a key of the chart`];
    });
  }
  if (Array.isArray(defaults)) return Array.isArray(values) ? [] : [`${at}: a list expected`];
  return isMap(values) || Array.isArray(values) ? [`${at}: a scalar expected`] : [];
}

describe.each([
  ['the default mesh', {}],
  ['a customised mesh', { trustDomain: 'corp.example', namespaces: { istio: 'mesh-system' }, istio: { nativeSidecars: false, hub: 'registry.example/istio' } }],
])('the Helm values of %s', (_name, overrides) => {
  const { mesh } = synthesize(overrides);
  const releases = mesh.istio.helmReleases;
  const release = (chart: IstioChart): IstioHelmRelease => releases.find((r) => r.chart === chart)!;

  test('are three releases of the charts base, istiod and gateway, in install order, at the Istio version', () => {
    expect(releases.map((r) => r.chart)).toEqual(['base', 'istiod', 'gateway']);
    for (const r of releases) expect(r).toMatchObject({ version: mesh.istio.install.version, namespace: mesh.istio.install.namespace });
  });

  test.each(['base', 'istiod', 'gateway'] as const)('%s sets only keys its chart has', (chart) => {
    expect(unknownKeys(release(chart).values, chartDefaults(chart))).toEqual([]);
  });

  test("the gateway's values pass the chart's values.schema.json", () => {
    const schema = JSON.parse(read('gateway/values.schema.json'));
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    expect(validate(release('gateway').values) ? [] : validate.errors).toEqual([]);
  });

  test("the gateway's volumes, mounts and init containers form a valid pod spec", () => {
    const values = release('gateway').values as any;
    const proxy = { name: PROXY_CONTAINER, image: 'auto', volumeMounts: values.volumeMounts };
    expect(podSpecProblems({ containers: [proxy], volumes: values.volumes, initContainers: values.initContainers })).toEqual([]);
  });
});

describe('the check of Helm values against the charts', () => {
  const { mesh } = synthesize();
  const istiod = mesh.istio.helmReleases.find((r) => r.chart === 'istiod')!.values;

  test.each([
    ['a misspelt key', { ...istiod, sidecarInjectorWebHook: {} }, ['sidecarInjectorWebHook: not a key of the chart']],
    ["istioctl's pilot.env spelling, which the istiod chart does not have", { ...istiod, pilot: { env: {} } }, ['pilot: not a key of the chart']],
    ['a meshConfig field the project does not set', { ...istiod, meshConfig: { trustDomain: 'x', outboundTrafficPolicy: {} } }, ['meshConfig.outboundTrafficPolicy']],
    ['a non-string env value', { ...istiod, env: { ENABLE_NATIVE_SIDECARS: true } }, ['env.ENABLE_NATIVE_SIDECARS: a string expected']],
  ])('refuses %s', (_name, values, problems) => {
    expect(unknownKeys(values, chartDefaults('istiod'))).toEqual(problems);
  });

  test("the gateway chart's schema refuses an unknown key", () => {
    const validate = new Ajv({ strict: false }).compile(JSON.parse(read('gateway/values.schema.json')));
    expect(validate({ volumez: [] })).toBe(false);
  });
});

describe('the gateway form (why the chart values, not the gateway,spire templates)', () => {
  const gatewayTemplate = read('istiod/files/gateway-injection-template.yaml');
  const sidecarTemplate = read('istiod/files/injection-template.yaml');
  const { mesh } = synthesize();

  test("the gateway chart asks for istiod's `gateway` template alone, and our values leave that alone", () => {
    expect(chartDefaults('gateway').podAnnotations).toMatchObject({ 'inject.istio.io/templates': 'gateway' });
    const values = mesh.istio.helmReleases.find((r) => r.chart === 'gateway')!.values;
    expect(values).not.toHaveProperty('podAnnotations');
  });

  test('the `gateway` template keeps istio-proxy in containers, so inject.go never moves it to initContainers', () => {
    expect(gatewayTemplate).toMatch(/^ {2}containers:\n {2}- name: istio-proxy$/m);
    expect(gatewayTemplate).not.toMatch(/initContainers/);
    // The sidecar template, and the `spire` template under native sidecars, name it in initContainers instead.
    expect(sidecarTemplate).toMatch(/initContainers:/);
    expect(mesh.istio.injection.podSpec.initContainers?.map((c) => c.name)).toEqual([PROXY_CONTAINER]);
  });

  test("the `gateway` template declares workload-socket with a null emptyDir, so the chart's CSI volume of that name stands (no 'more than 1 volume type')", () => {
    expect(gatewayTemplate).toMatch(new RegExp(`^ {2}- emptyDir:\\n {4}name: ${WORKLOAD_SOCKET_VOLUME}$`, 'm'));
  });
});
