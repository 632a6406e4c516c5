import * as kplus from 'cdk8s-plus-25';
import { IngressGateway } from '../../lib/istio/ingress-gateway';
import { OverlayPatch } from '../../lib/istio/operator-api';
import { PROXY_CONTAINER, WORKLOAD_SOCKET_DIR, WORKLOAD_SOCKET_VOLUME } from '../../lib/istio/workload-socket';
import { podSpecProblems } from '../support/schema';
import { testChart } from '../support/test-app';

const csi = { driverName: 'csi.spiffe.io', socketFileName: 'socket' };
const socketWaitImage = 'docker.io/istio/proxyv2:1.30.3';
const istioNamespace = () => new kplus.Namespace(testChart(), 'ns', { metadata: { name: 'istio-system' } });

/**
 * Applies overlay patches as istioctl does: `[key:value]` selects a list item, intermediate
 * nodes must exist, a selected leaf item that does not exist is added.
 */
function applyPatches(target: Record<string, any>, patches: readonly OverlayPatch[]): void {
  for (const { path, value } of patches) {
    const segments = path.split('.');
    let node: any = target;
    segments.forEach((segment, i) => {
      const last = i === segments.length - 1;
      const selector = /^\[(\w+):(.+)\]$/.exec(segment);
      if (selector) {
        const index = (node as any[]).findIndex((item) => item[selector[1]] === selector[2]);
        if (last) {
          if (index >= 0) node[index] = value;
          else node.push(value);
        } else {
          if (index < 0) throw new Error(`${path}: no item ${segment}`);
          node = node[index];
        }
      } else if (last) {
        node[segment] = value;
      } else {
        if (node[segment] === undefined) throw new Error(`${path}: no node ${segment}`);
        node = node[segment];
      }
    });
  }
}

/** The parts of istioctl 1.30's rendered gateway Deployment the patches touch. */
const renderedDeployment = () => ({
  spec: {
    template: {
      spec: {
        containers: [{ name: PROXY_CONTAINER, image: 'docker.io/istio/proxyv2:1.30.3', volumeMounts: [{ name: 'istio-envoy', mountPath: '/etc/istio/proxy' }] }],
        volumes: [{ name: 'istio-envoy', emptyDir: {} }],
      },
    },
  },
});

describe('the ingress gateway component', () => {
  // GIVEN the gateway for a CSI driver with a non-default name
  const gateway = new IngressGateway({ csi: { driverName: 'csi.example.test', socketFileName: 'socket' }, trustDomain: 'corp.example', namespace: istioNamespace(), socketWaitImage });
  const spec = gateway.componentSpec();

  test('is istio-ingressgateway, enabled, labelled with the selector Gateways match', () => {
    expect(spec).toMatchObject({ name: 'istio-ingressgateway', enabled: true, label: { istio: 'ingressgateway' } });
    expect(spec.label).toEqual(gateway.selector);
  });

  test('its overlays mount the socket into istio-proxy of the rendered Deployment, a valid pod spec', () => {
    // WHEN istioctl applies the overlays to its rendered Deployment
    const deployment = renderedDeployment();
    const [overlay] = spec.k8s!.overlays;
    expect(overlay).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'istio-ingressgateway' });
    applyPatches(deployment, overlay.patches);
    // THEN istio-proxy has the mount and the pod the CSI volume of the driver passed in
    const pod = deployment.spec.template.spec;
    const proxy = pod.containers.find((c) => c.name === PROXY_CONTAINER)!;
    expect(proxy.volumeMounts).toContainEqual({ name: WORKLOAD_SOCKET_VOLUME, mountPath: WORKLOAD_SOCKET_DIR, readOnly: true });
    expect(pod.volumes).toContainEqual({ name: WORKLOAD_SOCKET_VOLUME, csi: { driver: 'csi.example.test', readOnly: true } });
    expect(podSpecProblems(pod)).toEqual([]);
  });

  test('exposes its identity from the trust domain, namespace and istioctl service account', () => {
    expect(gateway.identity.spiffeId).toBe('spiffe://corp.example/ns/istio-system/sa/istio-ingressgateway-service-account');
    expect(gateway.identity.serviceAccountName).toBe(gateway.serviceAccountName);
  });

  test("has the demo's ports", () => {
    expect([gateway.httpPort, gateway.mtlsPort]).toEqual([8080, 7080]);
  });

  test('its Service routes to both Gateway servers: HTTP and the ISTIO_MUTUAL port (7080 had no Service port before)', () => {
    const ports = spec.k8s!.service!.ports;
    expect(ports.map((p) => p.targetPort)).toEqual(expect.arrayContaining([gateway.httpPort, gateway.mtlsPort]));
    expect(ports.find((p) => p.targetPort === gateway.mtlsPort)).toMatchObject({ port: gateway.mtlsPort, name: 'http-mtls' });
    expect(spec.k8s!.service!.type).toBe('LoadBalancer');
  });

  test('its pod waits for the SPIRE socket in an init container that mounts the same volume', () => {
    const deployment = renderedDeployment();
    applyPatches(deployment, spec.k8s!.overlays[0].patches);
    const pod: Record<string, any> = deployment.spec.template.spec;
    expect(pod.initContainers).toHaveLength(1);
    const [wait] = pod.initContainers;
    expect(wait).toMatchObject({ name: 'wait-for-spire-socket', image: socketWaitImage, command: ['sh', '-c', expect.stringContaining('-S "$SOCKET"')] });
    expect(wait.env).toEqual([{ name: 'SOCKET', value: `${WORKLOAD_SOCKET_DIR}/socket` }]);
    expect(wait.volumeMounts).toEqual([{ name: WORKLOAD_SOCKET_VOLUME, mountPath: WORKLOAD_SOCKET_DIR, readOnly: true }]);
    expect(wait.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    expect(podSpecProblems(pod)).toEqual([]);
  });
});

describe('bad input', () => {
  test.each([
    [{ httpPort: 0 }, /httpPort: 0 must be an integer port/],
    [{ mtlsPort: 8080 }, /mtlsPort: 8080 must differ from httpPort \(8080\)/],
    [{ mtlsPort: 443 }, /mtlsPort: 443 must not be one of the gateway Service's other ports \(15021, 80, 443\)/],
    [{ serviceType: 'ExternalName' as never }, /serviceType: 'ExternalName' must be one of/],
    [{ socketWaitImage: 'busybox' }, /socketWaitImage: 'busybox'/],
    [{ trustDomain: 'Corp.example' }, /trustDomain: 'Corp.example' must be lowercase/],
    [{ csi: { driverName: 'csi.spiffe.io', socketFileName: 'x' } }, /csi.socketFileName: 'x' must be 'socket'/],
  ])('%j throws naming the prop', (override, message) => {
    expect(() => new IngressGateway({ csi, trustDomain: 'example.org', namespace: istioNamespace(), socketWaitImage, ...override })).toThrow(message);
  });
});
