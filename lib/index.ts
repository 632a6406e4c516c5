/**
 * spire-mesh as a library: the constructs and their types, for a cdk8s app of your own.
 * `buildMesh` assembles the whole mesh from a `MeshConfig`; every construct below can also
 * be used on its own, with props it owns and validates.
 *
 * ```ts
 * import { buildMesh, loadMeshConfig, MeshedService, synthMesh } from 'spire-mesh';
 * ```
 * See examples/own-service for a chart adding a service to the mesh.
 */

// The composition root, the config it reads, and synthesis to dist/.
export * from './composition-root';
export * from './config/mesh-config';
export { ConfigError, loadMeshConfig, readMeshConfig, resolveMeshConfig, CONFIG_ENV_VAR, DEFAULT_CONFIG_FILE } from './config/load';
export { meshIndex, publishMesh, synthMesh, synthReport, IDENTITY_GRAPH_FILE } from './synth';
export * from './core/index-contract';

// Contracts between parts, and the shared input rules.
export * from './identity';
export * from './validation';
export * from './istio/interfaces';
export * from './spire/interfaces';

// Meshed services, their routing and authorization.
export * from './mesh/meshed-service';
export { MESH_PROTOCOLS, type MeshProtocol } from './mesh/rules';
export * from './mesh/declaration';
export * from './mesh/service-catalog';
export * from './mesh/service-route';
export * from './mesh/workload';
export * from './authorization/mode';
export * from './authorization/principal';
export * from './authorization/allow-nothing';
export * from './authorization/caller-policy';
export * from './authorization/identity-graph';
export * from './bookinfo/declarations';
export * from './bookinfo/bookinfo';
export * from './bookinfo/routing';

// The platform: charts, namespaces, SPIRE, Istio, registration.
export * from './core/mesh-chart';
export * from './core/namespaces';
export * from './spire/spire';
export * from './spire/server';
export * from './spire/settings';
export * from './spire/agent';
export * from './spire/csi-driver';
export * from './istio/istio';
export * from './istio/install';
export * from './istio/ingress-gateway';
export * from './istio/injection-template';
export * from './istio/operator';
export * from './istio/peer-authentication';
export * from './istio/helm-values';
export * from './argocd/gitops';
export * from './argocd/application';
export * from './argocd/root-application';
export * from './argocd/istio-applications';
export * from './argocd/health-customization';
export * from './registration/registration';
export * from './registration/entry';
export * from './registration/spiffe-id';
export * from './registration/selector';

// Workloads on VMs (docs/vms.md).
export * from './vm/vm-workload';
export * from './vm/attestation';
export * from './vm/east-west-gateway';
export * from './vm/cluster-access';
export * from './spire/vm-node-attestation';
export * from './istio/vm-settings';
