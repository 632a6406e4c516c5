import * as kplus from 'cdk8s-plus-25';
import { Construct } from 'constructs';
import { MeshConfig } from '../config/mesh-config';
import { IWorkloadApiCsi } from '../spire/interfaces';
import { istioHelmReleases, IstioHelmRelease } from './helm-values';
import { SpireInjectionTemplate } from './injection-template';
import { IngressGateway } from './ingress-gateway';
import { istioProxyImage, IstioInstall } from './install';
import { IstioOperator } from './operator';
import { IstioVmSettings } from './vm-settings';
import { EastWestGateway } from '../vm/east-west-gateway';

export interface IstioProps {
  /** The mesh configuration: trust domain and the `istio` section. */
  readonly config: MeshConfig;
  /** Istio's namespace (from the namespaces chart). */
  readonly namespace: kplus.Namespace;
  /** The SPIFFE CSI driver that serves the SPIRE agent's Workload API socket. */
  readonly csi: IWorkloadApiCsi;
}

/**
 * The Istio install with SPIRE as its identity provider: the injection template, the
 * ingress gateway (unless turned off), the one install model, and its two renderings: the
 * IstioOperator (istioctl) and the Helm releases (Argo CD).
 */
export class Istio extends Construct {
  public readonly injection: SpireInjectionTemplate;
  /** Undefined when `istio.ingressGateway.enabled` is false. */
  public readonly ingressGateway?: IngressGateway;
  public readonly install: IstioInstall;
  /** With VM workloads (`vms` non-empty): the east-west gateway VMs reach istiod and the services through. */
  public readonly eastWestGateway?: EastWestGateway;
  public readonly operator: IstioOperator;
  /** The same install as Helm releases of Istio's charts, in install order. */
  public readonly helmReleases: readonly IstioHelmRelease[];

  constructor(scope: Construct, id: string, props: IstioProps) {
    super(scope, id);
    const { config } = props;
    const { istio } = config;
    this.injection = new SpireInjectionTemplate({ csi: props.csi, nativeSidecars: istio.nativeSidecars, istioVersion: istio.version });
    this.ingressGateway = istio.ingressGateway.enabled
      ? new IngressGateway({
          csi: props.csi,
          trustDomain: config.trustDomain,
          namespace: props.namespace,
          socketWaitImage: istioProxyImage(istio.hub, istio.version),
          serviceType: istio.ingressGateway.serviceType,
        })
      : undefined;
    this.eastWestGateway =
      config.vms.length > 0
        ? new EastWestGateway({
            csi: props.csi,
            trustDomain: config.trustDomain,
            namespace: props.namespace,
            network: config.vmAccess.network,
            socketWaitImage: istioProxyImage(istio.hub, istio.version),
            serviceType: config.vmAccess.eastWestGatewayServiceType,
          })
        : undefined;
    this.install = new IstioInstall({
      namespace: props.namespace,
      trustDomain: config.trustDomain,
      hub: istio.hub,
      version: istio.version,
      injection: this.injection,
      ingressGateway: this.ingressGateway,
      vm: this.eastWestGateway
        ? new IstioVmSettings({ meshId: config.vmAccess.meshID, network: config.vmAccess.network, clusterName: config.clusterName, eastWestGateway: this.eastWestGateway })
        : undefined,
    });
    this.operator = new IstioOperator(this, 'operator', { install: this.install });
    this.helmReleases = istioHelmReleases(this.install);
  }
}
