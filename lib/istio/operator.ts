import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { INGRESS_GATEWAY_NAME } from './ingress-gateway';
import { IstioInstall } from './install';
import { ISTIO_OPERATOR_API_VERSION, ISTIO_OPERATOR_KIND, IstioOperatorSpec } from './operator-api';

export interface IstioOperatorProps {
  /** The Istio install this operator renders for `istioctl`. */
  readonly install: IstioInstall;
}

/**
 * The `IstioOperator` that `istioctl install -f` reads, rendered from the install model:
 * profile `default`, SPIRE's trust domain, the `spire` injection template, istiod's
 * native-sidecar mode, and the ingress gateway. Emitted as a plain `ApiObject` because the
 * kind has no typed import (see operator-api.ts).
 */
export class IstioOperator extends Construct {
  /** Where istioctl installs Istio. */
  public readonly namespace: string;
  /** Namespace whose policies apply mesh-wide (`meshConfig.rootNamespace`). */
  public readonly rootNamespace: string;
  public readonly trustDomain: string;
  public readonly install: IstioInstall;
  public readonly spec: IstioOperatorSpec;
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: IstioOperatorProps) {
    super(scope, id);
    const { install } = props;
    this.install = install;
    this.namespace = install.namespace;
    this.rootNamespace = install.rootNamespace;
    this.trustDomain = install.trustDomain;
    const gateway = install.ingressGateway;
    this.spec = {
      profile: 'default',
      hub: install.hub,
      tag: install.version,
      meshConfig: { trustDomain: install.trustDomain, rootNamespace: install.rootNamespace },
      values: {
        global: { istioNamespace: install.namespace, ...install.vm?.globalValues() },
        pilot: { env: { ...install.pilotEnv } },
        sidecarInjectorWebhook: { templates: { ...install.injectionTemplates } },
      },
      components: {
        // The default profile installs this gateway; without the socket it would take istiod's certificates, so it is turned off explicitly.
        ingressGateways: [
          gateway ? gateway.componentSpec() : { name: INGRESS_GATEWAY_NAME, enabled: false },
          ...(install.vm ? [install.vm.eastWestGateway.componentSpec()] : []),
        ],
      },
    };
    this.apiObject = new ApiObject(this, 'resource', {
      apiVersion: ISTIO_OPERATOR_API_VERSION,
      kind: ISTIO_OPERATOR_KIND,
      metadata: { name: 'spire-mesh', namespace: install.namespace },
      spec: this.spec,
    });
  }
}
