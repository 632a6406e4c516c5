import { BaseValues, GatewayValues, IstioChart, IstiodValues } from './helm-values-api';
import { IstioInstall } from './install';

/** One Helm release of the Istio install: a chart, its release name and its values. */
export interface IstioHelmRelease {
  readonly chart: IstioChart;
  /** Helm release name; the gateway's is also its Deployment and Service name. */
  readonly releaseName: string;
  /** Namespace the release is installed into. */
  readonly namespace: string;
  /** Chart version: the Istio release. */
  readonly version: string;
  readonly values: BaseValues | IstiodValues | GatewayValues;
}

/**
 * The Istio install rendered as Helm releases of Istio's official charts, in install order:
 * `base` (CRDs), `istiod` (control plane and injector), then the ingress gateway when there
 * is one. The same model as the IstioOperator (operator.ts), so the two installs agree on
 * everything SPIRE depends on; a test compares them field by field.
 * @see https://istio.io/latest/docs/setup/install/helm/
 */
export function istioHelmReleases(install: IstioInstall): IstioHelmRelease[] {
  const release = (chart: IstioChart, releaseName: string, values: IstioHelmRelease['values']): IstioHelmRelease => ({
    chart,
    releaseName,
    namespace: install.namespace,
    version: install.version,
    values,
  });
  const base: BaseValues = { global: { istioNamespace: install.namespace } };
  const istiod: IstiodValues = {
    global: { istioNamespace: install.namespace, hub: install.hub, tag: install.version, ...install.vm?.globalValues() },
    meshConfig: { trustDomain: install.trustDomain, rootNamespace: install.rootNamespace },
    env: { ...install.pilotEnv },
    autoscaleEnabled: false,
    sidecarInjectorWebhook: { templates: { ...install.injectionTemplates } },
  };
  const gateway = install.ingressGateway;
  return [
    release('base', 'istio-base', base),
    release('istiod', 'istiod', istiod),
    ...(gateway ? [release('gateway', gateway.name, gateway.helmValues())] : []),
    ...(install.vm ? [release('gateway', install.vm.eastWestGateway.name, install.vm.eastWestGateway.helmValues())] : []),
  ];
}
