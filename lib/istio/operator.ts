import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-25';
import { Construct } from 'constructs';
import { checkImageHub, checkReleaseVersion, checkTrustDomain, ValidationError } from '../validation';
import { SpireInjectionTemplate } from './injection-template';
import { IngressGateway, INGRESS_GATEWAY_NAME } from './ingress-gateway';
import { ISTIO_OPERATOR_API_VERSION, ISTIO_OPERATOR_KIND, IstioOperatorSpec } from './operator-api';

/** The istiod env var that makes the injector put `istio-proxy` in `initContainers`. */
export const NATIVE_SIDECARS_ENV = 'ENABLE_NATIVE_SIDECARS';

export interface IstioOperatorProps {
  /** Istio's namespace, which is also the mesh's root namespace. */
  readonly namespace: kplus.Namespace;
  /** The SPIFFE trust domain, the same value SPIRE issues identities in. */
  readonly trustDomain: string;
  /** Registry prefix of the Istio images, e.g. `docker.io/istio`. */
  readonly hub: string;
  /** The Istio release (image tag); must match the `istioctl` that installs it. */
  readonly version: string;
  /** The SPIRE injection template; its native-sidecar mode is what istiod is configured with. */
  readonly injection: SpireInjectionTemplate;
  /**
   * The ingress gateway with SPIRE's socket mounted.
   * @default - no ingress gateway: the default profile's one is turned off
   */
  readonly ingressGateway?: IngressGateway;
}

/**
 * The `IstioOperator` that `istioctl install -f` reads: profile `default`, SPIRE's trust
 * domain, the `spire` injection template, istiod's native-sidecar mode taken from that
 * template (so template and injector agree), and the ingress gateway. Emitted as a plain
 * `ApiObject` because the kind has no typed import (see operator-api.ts).
 */
export class IstioOperator extends Construct {
  /** Where istioctl installs Istio. */
  public readonly namespace: string;
  /** Namespace whose policies apply mesh-wide (`meshConfig.rootNamespace`). */
  public readonly rootNamespace: string;
  public readonly trustDomain: string;
  public readonly spec: IstioOperatorSpec;
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: IstioOperatorProps) {
    super(scope, id);
    this.namespace = props.namespace.name;
    this.rootNamespace = this.namespace;
    this.trustDomain = checkTrustDomain('trustDomain', props.trustDomain);
    const tag = checkReleaseVersion('version', props.version);
    const gateway = props.ingressGateway;
    if (gateway && gateway.namespace !== this.namespace) {
      throw new ValidationError('ingressGateway.namespace', gateway.namespace, `must be the namespace Istio is installed into ('${this.namespace}')`);
    }
    if (gateway && gateway.identity.trustDomain !== this.trustDomain) {
      throw new ValidationError('ingressGateway.identity.trustDomain', gateway.identity.trustDomain, `must be the mesh trust domain ('${this.trustDomain}')`);
    }

    this.spec = {
      profile: 'default',
      hub: checkImageHub('hub', props.hub),
      tag,
      meshConfig: { trustDomain: this.trustDomain, rootNamespace: this.rootNamespace },
      values: {
        global: { istioNamespace: this.namespace },
        pilot: { env: { [NATIVE_SIDECARS_ENV]: String(props.injection.nativeSidecars) } },
        sidecarInjectorWebhook: { templates: { [props.injection.name]: props.injection.render() } },
      },
      components: {
        // The default profile installs this gateway; without the socket it would take istiod's certificates, so it is turned off explicitly.
        ingressGateways: [gateway ? gateway.componentSpec() : { name: INGRESS_GATEWAY_NAME, enabled: false }],
      },
    };
    this.apiObject = new ApiObject(this, 'resource', {
      apiVersion: ISTIO_OPERATOR_API_VERSION,
      kind: ISTIO_OPERATOR_KIND,
      metadata: { name: 'spire-mesh', namespace: this.namespace },
      spec: this.spec,
    });
  }
}
