import * as kplus from 'cdk8s-plus-25';
import * as YAML from 'yaml';
import { SpireInjectionTemplate } from '../../lib/istio/injection-template';
import { IngressGateway } from '../../lib/istio/ingress-gateway';
import { IstioInstall, IstioInstallProps } from '../../lib/istio/install';
import { IstioOperator } from '../../lib/istio/operator';
import { meshIndex } from '../../lib/synth';
import { istioOperatorProblems } from '../../lib/testing/istio-operator-schema';
import { find, synthesize } from '../support/synth';
import { testChart } from '../support/test-app';

const csi = { driverName: 'csi.spiffe.io', socketFileName: 'socket' };

describe('the IstioOperator of the default mesh', () => {
  const { mesh, config, charts, all } = synthesize();
  const iop = find(charts.get('istio-operator')!, 'IstioOperator', 'spire-mesh', 'istio-system');

  test('is install.istio.io/v1alpha1 and uses only fields of the Istio 1.30 API', () => {
    expect(iop.apiVersion).toBe('install.istio.io/v1alpha1');
    expect(istioOperatorProblems(iop)).toEqual([]);
  });

  test('profile default, images from the configured hub and version, no pull policy or pull secrets', () => {
    expect(iop.spec).toMatchObject({ profile: 'default', hub: config.istio.hub, tag: config.istio.version });
    const text = YAML.stringify(iop);
    expect(text).not.toMatch(/imagePullPolicy|imagePullSecrets/);
  });

  test("the trust domain is SPIRE's, the root namespace Istio's", () => {
    expect(iop.spec.meshConfig).toEqual({ trustDomain: config.trustDomain, rootNamespace: config.namespaces.istio });
    expect(iop.spec.values.global.istioNamespace).toBe(config.namespaces.istio);
  });

  test('carries the injection template the pods request, rendered by that object', () => {
    const { injection } = mesh.istio;
    expect(iop.spec.values.sidecarInjectorWebhook.templates).toEqual({ [injection.name]: injection.render() });
    expect(injection.podAnnotations['inject.istio.io/templates']).toBe(`sidecar,${injection.name}`);
  });

  test('is only in the istioctl chart, written below istioctl/, never in the kubectl apply set', () => {
    const holders = [...charts].filter(([, objs]) => objs.some((o) => o.kind === 'IstioOperator')).map(([id]) => id);
    expect(holders).toEqual(['istio-operator']);
    const step = meshIndex(mesh).steps.find((s) => s.chart === 'istio-operator')!;
    expect(step).toMatchObject({ tool: 'istioctl', file: 'istioctl/istio-operator.k8s.yaml' });
    expect(all.filter((o) => o.kind === 'IstioOperator')).toHaveLength(1);
  });

  test('the istio-operator step comes after namespaces and before mesh-policy', () => {
    const ids = mesh.charts.map((c) => c.name);
    expect(ids.indexOf('istio-operator')).toBeGreaterThan(ids.indexOf('namespaces'));
    expect(ids.indexOf('mesh-policy')).toBe(ids.indexOf('istio-operator') + 1);
  });
});

test.each([
  [true, 'true'],
  [false, 'false'],
])('nativeSidecars=%s sets ENABLE_NATIVE_SIDECARS=%s and the template patches the matching list', (nativeSidecars, env) => {
  const { charts, mesh } = synthesize({ istio: { nativeSidecars } });
  const iop = find(charts.get('istio-operator')!, 'IstioOperator', 'spire-mesh');
  expect(iop.spec.values.pilot.env).toEqual({ ENABLE_NATIVE_SIDECARS: env });
  const spec = YAML.parse(iop.spec.values.sidecarInjectorWebhook.templates.spire).spec;
  expect(Object.keys(spec).sort()).toEqual([nativeSidecars ? 'initContainers' : 'containers', 'volumes']);
  expect(mesh.istio.injection.nativeSidecars).toBe(nativeSidecars);
});

test('a custom trust domain and Istio namespace reach meshConfig and the gateway identity', () => {
  const { charts, mesh } = synthesize({ trustDomain: 'corp.example', namespaces: { istio: 'mesh-system' } });
  const iop = find(charts.get('istio-operator')!, 'IstioOperator', 'spire-mesh', 'mesh-system');
  expect(iop.spec.meshConfig.trustDomain).toBe('corp.example');
  expect(mesh.istio.ingressGateway!.identity.spiffeId).toBe('spiffe://corp.example/ns/mesh-system/sa/istio-ingressgateway-service-account');
});

describe('with istio.ingressGateway.enabled=false', () => {
  const { charts, mesh } = synthesize({ istio: { ingressGateway: { enabled: false } } });

  test("the default profile's gateway is turned off explicitly and the mesh has no gateway", () => {
    const iop = find(charts.get('istio-operator')!, 'IstioOperator', 'spire-mesh');
    expect(iop.spec.components.ingressGateways).toEqual([{ name: 'istio-ingressgateway', enabled: false }]);
    expect(mesh.istio.ingressGateway).toBeUndefined();
    expect(istioOperatorProblems(iop)).toEqual([]);
  });
});

describe('the IstioOperator model', () => {
  test('refuses a field the API does not have (the demo-era operator.istio.io spelling included)', () => {
    const { charts } = synthesize();
    const iop = find(charts.get('istio-operator')!, 'IstioOperator', 'spire-mesh');
    expect(istioOperatorProblems({ ...iop, spec: { ...iop.spec, addonComponents: {} } })).toEqual(["/spec must NOT have additional properties 'addonComponents'"]);
    expect(istioOperatorProblems({ ...iop, apiVersion: 'operator.istio.io/v1alpha1' })).not.toEqual([]);
  });
});

describe('bad input', () => {
  const props = (overrides: Partial<IstioInstallProps>): IstioInstallProps => {
    const namespace = new kplus.Namespace(testChart(), 'ns', { metadata: { name: 'istio-system' } });
    return {
      namespace,
      trustDomain: 'example.org',
      hub: 'docker.io/istio',
      version: '1.30.3',
      injection: new SpireInjectionTemplate({ csi, nativeSidecars: true, istioVersion: '1.30.3' }),
      ...overrides,
    };
  };
  const otherNamespace = () => new kplus.Namespace(testChart(), 'other', { metadata: { name: 'elsewhere' } });

  test.each([
    [{ version: '1.30.0-alpha.1' }, /version: '1.30.0-alpha.1' must be a released version/],
    [{ version: '1.29.2' }, /^version: '1.29.2' must be a patch release of Istio 1.30 \(1.30.x\)/],
    [{ version: '1.30.4' }, /^injection.istioVersion: '1.30.3' must be the installed Istio version \('1.30.4'\)/],
    [{ hub: 'docker.io/istio:1.30.3' }, /hub: 'docker.io\/istio:1.30.3' must be a registry and repository prefix/],
    [{ trustDomain: 'spiffe://example.org' }, /trustDomain: 'spiffe:\/\/example.org' must not include a scheme/],
  ])('%j throws naming the prop', (override, message) => {
    expect(() => new IstioOperator(testChart(), 'iop', { install: new IstioInstall(props(override)) })).toThrow(message);
  });

  test('a gateway in another namespace than Istio is refused', () => {
    const ingressGateway = new IngressGateway({ csi, trustDomain: 'example.org', namespace: otherNamespace(), socketWaitImage: 'docker.io/istio/proxyv2:1.30.3' });
    expect(() => new IstioInstall(props({ ingressGateway }))).toThrow(
      /ingressGateway.namespace: 'elsewhere' must be the namespace Istio is installed into \('istio-system'\)/,
    );
  });

  test('a gateway identity in another trust domain is refused', () => {
    const ingressGateway = new IngressGateway({ csi, trustDomain: 'other.org', namespace: props({}).namespace, socketWaitImage: 'docker.io/istio/proxyv2:1.30.3' });
    expect(() => new IstioInstall(props({ ingressGateway }))).toThrow(
      /ingressGateway.identity.trustDomain: 'other.org' must be the mesh trust domain \('example.org'\)/,
    );
  });
});
