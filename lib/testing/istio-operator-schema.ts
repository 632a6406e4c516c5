import type { ValidateFunction } from 'ajv';
import { optionalPeer } from './optional-peer';

/**
 * A closed JSON schema of Istio 1.30's IstioOperator, for the fields istioctl accepts. The
 * CRD cannot be used: it preserves unknown fields, and istioctl (not the API server) reads
 * the file. Field names come from:
 * - IstioOperatorSpec, IstioComponentSpec, ComponentSpec, GatewayComponentSpec,
 *   KubernetesResources, KubernetesOverlay, Patch: istio/istio 1.30 operator/pkg/apis/types.go,
 *   documented at https://istio.io/latest/docs/reference/config/istio.operator.v1alpha1/
 * - `values`: operator/pkg/apis/values_types.proto (global.istioNamespace, global.meshID,
 *   global.network, global.multiCluster.clusterName, pilot.env,
 *   sidecarInjectorWebhook.templates); only the branches this project sets are opened.
 * - `meshConfig`: https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/
 *   (trustDomain, rootNamespace); only the fields this project sets are opened.
 * Kubernetes types inside `k8s` (affinity, resources, …) are left open: the project sets none.
 */
const closed = (properties: Record<string, unknown>, required: string[] = []) => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});
const str = { type: 'string' };
const bool = { type: 'boolean' };
const obj = { type: 'object' };
const stringMap = { type: 'object', additionalProperties: str };

const patch = closed({ path: str, value: {} }, ['path']);
const overlay = closed({ apiVersion: str, kind: str, name: str, patches: { type: 'array', items: patch } }, ['kind', 'name']);
const kubernetesResources = closed({
  affinity: obj,
  env: { type: 'array' },
  hpaSpec: obj,
  imagePullPolicy: str,
  nodeSelector: stringMap,
  podDisruptionBudget: obj,
  podAnnotations: stringMap,
  priorityClassName: str,
  readinessProbe: obj,
  replicaCount: { type: 'integer', minimum: 0 },
  resources: obj,
  service: obj,
  strategy: obj,
  tolerations: { type: 'array' },
  serviceAnnotations: stringMap,
  securityContext: obj,
  volumes: { type: 'array' },
  volumeMounts: { type: 'array' },
  overlays: { type: 'array', items: overlay },
});
const componentFields = { enabled: bool, namespace: str, hub: str, tag: { type: ['string', 'number'] }, k8s: kubernetesResources };
const component = closed(componentFields);
const gateway = closed({ ...componentFields, name: str, label: stringMap }, ['name']);

export const ISTIO_OPERATOR_SCHEMA = closed(
  {
    apiVersion: { const: 'install.istio.io/v1alpha1' },
    kind: { const: 'IstioOperator' },
    metadata: obj,
    spec: closed({
      profile: str,
      installPackagePath: str,
      hub: str,
      tag: { type: ['string', 'number'] },
      namespace: str,
      revision: str,
      compatibilityVersion: str,
      meshConfig: closed({ trustDomain: str, rootNamespace: str }),
      components: closed({
        base: closed({ enabled: bool, k8s: kubernetesResources }),
        pilot: component,
        cni: component,
        ztunnel: component,
        istiodRemote: component,
        ingressGateways: { type: 'array', items: gateway },
        egressGateways: { type: 'array', items: gateway },
        gateway: component,
      }),
      values: closed({
        // meshID, network, multiCluster.clusterName: set only with VM workloads (values_types.proto GlobalConfig, MultiClusterConfig).
        global: closed({ istioNamespace: str, meshID: str, network: str, multiCluster: closed({ clusterName: str }) }),
        pilot: closed({ env: stringMap }),
        sidecarInjectorWebhook: closed({ templates: stringMap }),
      }),
      unvalidatedValues: obj,
    }),
  },
  ['apiVersion', 'kind', 'metadata', 'spec'],
);

let validator: ValidateFunction | undefined;

/** Problems of an IstioOperator against {@link ISTIO_OPERATOR_SCHEMA}; empty when it is valid. */
export function istioOperatorProblems(manifest: unknown): string[] {
  validator ??= new (optionalPeer<typeof import('ajv')>('ajv').default)({ strict: false, allErrors: true }).compile(ISTIO_OPERATOR_SCHEMA);
  if (validator(manifest)) return [];
  return (validator.errors ?? []).map(
    (e) => `${e.instancePath || '/'} ${e.message}${'additionalProperty' in e.params ? ` '${e.params.additionalProperty}'` : ''}`,
  );
}
