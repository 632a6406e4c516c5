import { SOCKET_WAIT_CONTAINER } from '../../lib/istio/ingress-gateway';
import { PROXY_CONTAINER, WORKLOAD_SOCKET_VOLUME } from '../../lib/istio/workload-socket';
import { find, registeredEntries, synthesize } from '../support/synth';

const GITOPS = { gitops: { repoURL: 'https://git.example/platform/mesh.git' } };

/**
 * The IstioOperator (istioctl) and the Argo CD Applications of the Helm charts are two
 * renderings of one install: read from the synthesized objects, they must agree on
 * everything SPIRE depends on.
 */
describe.each([
  ['the default mesh', GITOPS],
  [
    'a customised mesh',
    {
      ...GITOPS,
      trustDomain: 'corp.example',
      namespaces: { spire: 'identity', istio: 'mesh-system' },
      istio: { nativeSidecars: false, hub: 'registry.example/istio', ingressGateway: { serviceType: 'ClusterIP' } },
    },
  ],
])('%s: the istioctl and Helm renderings agree', (_name, overrides) => {
  const { config, charts, argocd, mesh } = synthesize(overrides);
  const iop = find(charts.get('istio-operator')!, 'IstioOperator', 'spire-mesh', config.namespaces.istio).spec;
  const application = (chart: string) => argocd.find((o) => o.kind === 'Application' && (o as any).spec.source.chart === chart) as any;
  const values = (chart: string) => application(chart).spec.source.helm.valuesObject;
  const istiod = values('istiod');
  const gateway = values('gateway');
  const iopGateway = iop.components.ingressGateways[0];
  const patches: Array<{ path: string; value: any }> = iopGateway.k8s.overlays[0].patches;
  const patch = (suffix: string) => patches.find((p) => p.path.endsWith(suffix))!.value;

  test('trust domain and root namespace', () => {
    expect(istiod.meshConfig).toEqual(iop.meshConfig);
    expect(istiod.meshConfig.trustDomain).toBe(config.trustDomain);
    expect(istiod.global.istioNamespace).toBe(iop.values.global.istioNamespace);
    expect(values('base').global.istioNamespace).toBe(iop.values.global.istioNamespace);
  });

  test('the identical spire injection template', () => {
    expect(istiod.sidecarInjectorWebhook.templates).toEqual(iop.values.sidecarInjectorWebhook.templates);
    expect(Object.keys(istiod.sidecarInjectorWebhook.templates)).toEqual(['spire']);
  });

  test("istiod's ENABLE_NATIVE_SIDECARS", () => {
    expect(istiod.env).toEqual(iop.values.pilot.env);
    expect(istiod.env.ENABLE_NATIVE_SIDECARS).toBe(String(config.istio.nativeSidecars));
  });

  test('hub and tag of the images, and the chart version', () => {
    expect([istiod.global.hub, istiod.global.tag]).toEqual([iop.hub, iop.tag]);
    for (const chart of ['base', 'istiod', 'gateway']) expect(application(chart).spec.source.targetRevision).toBe(iop.tag);
  });

  test('the gateway receives the same SPIRE socket volume and istio-proxy mount', () => {
    expect(gateway.volumes).toEqual([patch(`volumes.[name:${WORKLOAD_SOCKET_VOLUME}]`)]);
    expect(gateway.volumeMounts).toEqual([patch(`containers.[name:${PROXY_CONTAINER}].volumeMounts.[name:${WORKLOAD_SOCKET_VOLUME}]`)]);
    expect(gateway.volumes[0].csi.driver).toBe(mesh.spire.csiDriver.driverName);
  });

  test('the gateway waits for the socket with the same init container', () => {
    expect(gateway.initContainers).toEqual(patch('initContainers'));
    expect(gateway.initContainers.map((c: { name: string }) => c.name)).toEqual([SOCKET_WAIT_CONTAINER]);
    // Istio's proxy image at the install's hub and tag: what the node pulls for the gateway anyway.
    expect(gateway.initContainers[0].image).toBe(`${iop.hub}/proxyv2:${iop.tag}`);
  });

  test('the gateway keeps the service account that has a registration entry', () => {
    // istioctl's gateway chart (manifests/charts/gateways/istio-ingress) names it `<name>-service-account`.
    expect(gateway.serviceAccount).toEqual({ create: true, name: `${iopGateway.name}-service-account` });
    expect(gateway.name).toBe(iopGateway.name);
    const entries = registeredEntries(charts.get('registration')!);
    const gatewayId = `spiffe://${config.trustDomain}/ns/${config.namespaces.istio}/sa/${gateway.serviceAccount.name}`;
    expect(entries.map((e: { spiffe_id: string }) => e.spiffe_id)).toContain(gatewayId);
  });

  test('the gateway keeps its selector and ports, which the bookinfo Gateways and `forward` use', () => {
    expect(gateway.labels).toEqual(iopGateway.label);
    expect(gateway.service).toEqual(iopGateway.k8s.service);
    const targets = gateway.service.ports.map((p: { targetPort: number }) => p.targetPort);
    for (const name of ['bookinfo-gateway', 'bookinfo-gateway-mtls']) {
      const gw = find(charts.get(`bookinfo-${config.bookinfo.namespaces[0]}`)!, 'Gateway', name);
      expect(gw.spec.selector).toEqual(gateway.labels);
      expect(targets).toContain(gw.spec.servers[0].port.number);
    }
  });
});
