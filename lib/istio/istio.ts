import * as kplus from 'cdk8s-plus-25';
import { Construct } from 'constructs';
import { MeshConfig } from '../config/mesh-config';
import { IWorkloadApiCsi } from '../spire/interfaces';
import { SpireInjectionTemplate } from './injection-template';
import { IngressGateway } from './ingress-gateway';
import { IstioOperator } from './operator';

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
 * ingress gateway (unless turned off) and the IstioOperator that carries both.
 */
export class Istio extends Construct {
  public readonly injection: SpireInjectionTemplate;
  /** Undefined when `istio.ingressGateway.enabled` is false. */
  public readonly ingressGateway?: IngressGateway;
  public readonly operator: IstioOperator;

  constructor(scope: Construct, id: string, props: IstioProps) {
    super(scope, id);
    const { config } = props;
    this.injection = new SpireInjectionTemplate({ csi: props.csi, nativeSidecars: config.istio.nativeSidecars });
    this.ingressGateway = config.istio.ingressGateway.enabled
      ? new IngressGateway({ csi: props.csi, trustDomain: config.trustDomain, namespace: props.namespace })
      : undefined;
    this.operator = new IstioOperator(this, 'operator', {
      namespace: props.namespace,
      trustDomain: config.trustDomain,
      hub: config.istio.hub,
      version: config.istio.version,
      injection: this.injection,
      ingressGateway: this.ingressGateway,
    });
  }
}
