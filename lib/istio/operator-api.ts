/**
 * The fields of Istio 1.30's `install.istio.io/v1alpha1` IstioOperator that this project
 * sets, as TypeScript types. `cdk8s import` cannot type this kind: its CRD preserves
 * unknown fields and istioctl reads the file, not the API server. Each field is in the API:
 * @see https://istio.io/latest/docs/reference/config/istio.operator.v1alpha1/
 * @see https://github.com/istio/istio/blob/1.30.3/operator/pkg/apis/types.go (IstioOperatorSpec, GatewayComponentSpec, KubernetesResources, KubernetesOverlay, Patch)
 * @see https://github.com/istio/istio/blob/1.30.3/operator/pkg/apis/values_types.proto (values)
 * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/ (meshConfig)
 */

export const ISTIO_OPERATOR_API_VERSION = 'install.istio.io/v1alpha1';
export const ISTIO_OPERATOR_KIND = 'IstioOperator';

export interface IstioOperatorSpec {
  /** Base profile the rest customises. */
  readonly profile: 'default';
  /** Registry prefix of every Istio image. */
  readonly hub: string;
  /** Image tag: the Istio release. */
  readonly tag: string;
  readonly meshConfig: IstioMeshConfig;
  readonly values: IstioValues;
  readonly components: IstioComponents;
}

/** `meshConfig`: runtime config of istiod and the proxies. */
export interface IstioMeshConfig {
  /** Trust domain of every workload certificate; must equal SPIRE's. */
  readonly trustDomain: string;
  /** Namespace whose policies (e.g. PeerAuthentication) apply mesh-wide. */
  readonly rootNamespace: string;
}

/** `values`: the validated pass-through to the Helm charts istioctl renders. */
export interface IstioValues {
  readonly global: {
    /** Required when Istio is installed outside `istio-system`. */
    readonly istioNamespace: string;
  } & Partial<MultiClusterGlobalValues>;
  readonly pilot: {
    /** Environment of istiod; values are strings, as Kubernetes env vars are. */
    readonly env: Readonly<Record<string, string>>;
  };
  readonly sidecarInjectorWebhook: {
    /** Custom injection templates by name, each a YAML document. */
    readonly templates: Readonly<Record<string, string>>;
  };
}

/** `values.global` for VMs and multiple networks (values_types.proto: meshID, multiCluster.clusterName, network). */
export interface MultiClusterGlobalValues {
  readonly meshID: string;
  readonly multiCluster: { readonly clusterName: string };
  readonly network: string;
}

export interface IstioComponents {
  readonly ingressGateways: readonly GatewayComponentSpec[];
}

/** One gateway of `components.ingressGateways`. */
export interface GatewayComponentSpec {
  readonly name: string;
  readonly enabled: boolean;
  /** Labels of the gateway pods (and its Service selector). */
  readonly label?: Readonly<Record<string, string>>;
  readonly k8s?: {
    /** Environment of the gateway's proxy container. @default - none */
    readonly env?: readonly { readonly name: string; readonly value: string }[];
    /** Merged into the gateway Service; `ports` replaces the default list (and sets the container ports). */
    readonly service?: {
      readonly type: string;
      readonly ports: readonly { readonly name: string; readonly port: number; readonly targetPort: number; readonly protocol: string }[];
    };
    readonly overlays: readonly KubernetesOverlay[];
  };
}

/** Patches to one rendered object, applied by istioctl before it applies the object. */
export interface KubernetesOverlay {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly patches: readonly OverlayPatch[];
}

export interface OverlayPatch {
  /** `a.b.[key:value].c`: `[key:value]` selects a list item; an item that does not exist is added. */
  readonly path: string;
  readonly value: unknown;
}
