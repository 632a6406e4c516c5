/**
 * The values of Istio 1.30's Helm charts `base`, `istiod` and `gateway` that this project
 * sets, as TypeScript types: a closed model, as operator-api.ts is for the IstioOperator.
 * Each key is in the chart's `values.yaml` (under `_internal_defaults_do_not_set`, which the
 * charts merge user values over); the gateway's also in its `values.schema.json`. Tests check
 * every rendered key against those files (__tests__/istio/reference/).
 * @see https://github.com/istio/istio/tree/1.30.3/manifests/charts/base/values.yaml
 * @see https://github.com/istio/istio/tree/1.30.3/manifests/charts/istio-control/istio-discovery/values.yaml
 * @see https://github.com/istio/istio/tree/1.30.3/manifests/charts/gateway/values.yaml
 */

/** The three charts, in the order they are installed. */
export const ISTIO_CHARTS = ['base', 'istiod', 'gateway'] as const;
export type IstioChart = (typeof ISTIO_CHARTS)[number];

/** `base`: Istio's CRDs and cluster roles. */
export interface BaseValues {
  readonly global: {
    /** Where istiod runs (for the webhook Service references). */
    readonly istioNamespace: string;
  };
}

/** `istiod`: the control plane and the sidecar injector. */
export interface IstiodValues {
  readonly global: {
    readonly istioNamespace: string;
    /** Registry prefix of every Istio image, the injected proxies' too. */
    readonly hub: string;
    /** Image tag: the Istio release. */
    readonly tag: string;
    /** With VM workloads: the mesh ID, network and cluster name (the chart's `global.meshID`, `global.network`, `global.multiCluster.clusterName`). */
    readonly meshID?: string;
    readonly network?: string;
    readonly multiCluster?: { readonly clusterName: string };
  };
  /** Runtime config of istiod and the proxies (`istio.mesh.v1alpha1.MeshConfig`). */
  readonly meshConfig: {
    readonly trustDomain: string;
    readonly rootNamespace: string;
  };
  /** istiod's environment (the chart's `env`, istioctl's `values.pilot.env`). */
  readonly env: Readonly<Record<string, string>>;
  /** Argo CD reports an HPA without metrics as Degraded; istiod runs one replica instead. */
  readonly autoscaleEnabled: boolean;
  readonly sidecarInjectorWebhook: {
    /** Custom injection templates by name, each a YAML document. */
    readonly templates: Readonly<Record<string, string>>;
  };
}

/** One port of the gateway Service (`service.ports` items). */
export interface GatewayServicePort {
  readonly name: string;
  readonly port: number;
  readonly targetPort: number;
  readonly protocol: 'TCP';
}

/** `gateway`: one gateway Deployment, Service and ServiceAccount, injected by istiod. */
export interface GatewayValues {
  /** Name of the Deployment and Service (else the release name). */
  readonly name: string;
  /** Labels of every object; `istio` becomes the pod and Service selector label. */
  readonly labels: Readonly<Record<string, string>>;
  readonly serviceAccount: {
    readonly create: boolean;
    readonly name: string;
  };
  readonly autoscaling: {
    readonly enabled: boolean;
  };
  readonly replicaCount: number;
  /** Environment of the gateway's proxy container. @default - none */
  readonly env?: Readonly<Record<string, string>>;
  readonly service: {
    readonly type: 'LoadBalancer' | 'NodePort' | 'ClusterIP';
    readonly ports: readonly GatewayServicePort[];
  };
  /** Pod volumes, Kubernetes JSON. */
  readonly volumes: readonly Record<string, unknown>[];
  /** Mounts of the `istio-proxy` container, Kubernetes JSON. */
  readonly volumeMounts: readonly Record<string, unknown>[];
  /** Init containers of the pod, Kubernetes JSON. */
  readonly initContainers: readonly Record<string, unknown>[];
}
