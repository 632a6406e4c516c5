import * as kplus from 'cdk8s-plus-25';
import { checkImageHub, checkTrustDomain, ValidationError } from '../validation';
import { SpireInjectionTemplate } from './injection-template';
import { IngressGateway } from './ingress-gateway';
import { checkIstioVersion } from './version';
import { IstioVmSettings, vmPilotEnv } from './vm-settings';

/** The istiod env var that makes the injector put `istio-proxy` in `initContainers`. */
export const NATIVE_SIDECARS_ENV = 'ENABLE_NATIVE_SIDECARS';
/** The image of Istio's proxy (`global.proxy.image`), below the hub. */
const PROXY_IMAGE_NAME = 'proxyv2';

/** Istio's proxy image at a release, as the injector names it (`<hub>/proxyv2:<version>`). */
export function istioProxyImage(hub: string, version: string): string {
  return `${hub}/${PROXY_IMAGE_NAME}:${version}`;
}

export interface IstioInstallProps {
  /** Istio's namespace, which is also the mesh's root namespace. */
  readonly namespace: kplus.Namespace;
  /** The SPIFFE trust domain, the same value SPIRE issues identities in. */
  readonly trustDomain: string;
  /** Registry prefix of the Istio images, e.g. `docker.io/istio`. */
  readonly hub: string;
  /** The Istio release: image tag, chart version, and the `istioctl` that installs it; a patch of SUPPORTED_ISTIO_MINOR. */
  readonly version: string;
  /** The SPIRE injection template; its native-sidecar mode is what istiod is configured with. */
  readonly injection: SpireInjectionTemplate;
  /**
   * The ingress gateway with SPIRE's socket mounted.
   * @default - no ingress gateway
   */
  readonly ingressGateway?: IngressGateway;
  /**
   * Workloads on VMs: mesh ID, network and cluster name, WorkloadEntry auto-registration
   * and health checks, and the east-west gateway.
   * @default - no VM workloads: none of these is set
   */
  readonly vm?: IstioVmSettings;
}

/**
 * The one model of the Istio install, which both renderings read: the `IstioOperator` for
 * `istioctl` (operator.ts) and the Helm values of the `base`, `istiod` and `gateway` charts
 * for Argo CD (helm-values.ts). Everything SPIRE depends on is decided here once: the trust
 * domain, the `spire` injection template and the injector's native-sidecar mode, the images,
 * and the gateway. Not a construct: it emits nothing itself.
 */
export class IstioInstall {
  /** Where Istio is installed. */
  public readonly namespace: string;
  /** Namespace whose policies (e.g. PeerAuthentication) apply mesh-wide. */
  public readonly rootNamespace: string;
  public readonly trustDomain: string;
  public readonly hub: string;
  /** Image tag and chart version. */
  public readonly version: string;
  public readonly injection: SpireInjectionTemplate;
  public readonly ingressGateway?: IngressGateway;
  /** Undefined without VM workloads. */
  public readonly vm?: IstioVmSettings;
  /** istiod's environment: the injector's native-sidecar mode, taken from the template so both agree. */
  public readonly pilotEnv: Readonly<Record<string, string>>;
  /** Custom injection templates by name, as `sidecarInjectorWebhook.templates` holds them. */
  public readonly injectionTemplates: Readonly<Record<string, string>>;

  constructor(props: IstioInstallProps) {
    this.namespace = props.namespace.name;
    this.rootNamespace = this.namespace;
    this.trustDomain = checkTrustDomain('trustDomain', props.trustDomain);
    this.hub = checkImageHub('hub', props.hub);
    this.version = checkIstioVersion('version', props.version);
    const gateway = props.ingressGateway;
    if (gateway && gateway.namespace !== this.namespace) {
      throw new ValidationError('ingressGateway.namespace', gateway.namespace, `must be the namespace Istio is installed into ('${this.namespace}')`);
    }
    if (gateway && gateway.identity.trustDomain !== this.trustDomain) {
      throw new ValidationError('ingressGateway.identity.trustDomain', gateway.identity.trustDomain, `must be the mesh trust domain ('${this.trustDomain}')`);
    }
    if (props.injection.istioVersion !== this.version) {
      throw new ValidationError('injection.istioVersion', props.injection.istioVersion, `must be the installed Istio version ('${this.version}'): meshed pods record the release that injects them`);
    }
    this.injection = props.injection;
    this.ingressGateway = gateway;
    this.vm = props.vm;
    this.pilotEnv = { [NATIVE_SIDECARS_ENV]: String(props.injection.nativeSidecars), ...(props.vm ? vmPilotEnv() : {}) };
    this.injectionTemplates = { [props.injection.name]: props.injection.render() };
  }
}
