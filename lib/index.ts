/**
 * spire-mesh as a library: the constructs and their types, for a cdk8s app of your own.
 * `buildMesh` assembles the whole mesh from a `MeshConfig`; every construct below can also
 * be used on its own, with props it owns and validates.
 *
 * ```ts
 * import { buildMesh, loadMeshConfig, MeshedService, synthMesh } from 'spire-mesh';
 * ```
 * See examples/own-service for a team's chart in the mesh's App, with its snapshot test.
 *
 * This is the public API: what users build with. Internal helpers (the per-rule validators,
 * renderers, names and annotations the parts share) stay in their modules; lib/ imports them
 * from there, never from here.
 *
 * @packageDocumentation
 */

// The composition root, the config it reads, and synthesis to dist/.
export { buildMesh, type BuildMeshOptions, type Mesh, type MeshContext } from './composition-root';
export * from './config/mesh-config';
export { ConfigError, loadMeshConfig, readMeshConfig, resolveMeshConfig, CONFIG_ENV_VAR, DEFAULT_CONFIG_FILE, type LoadOptions, type LoadedConfig } from './config/load';
export { publishMesh, synthMesh, synthReport, OWNED_SUBDIRS } from './synth';
export { ValidationError } from './validation';

// What synth writes to dist/meta/index.json for the CLI and other tools: read it with parseIndex.
export {
  parseIndex,
  IndexError,
  INDEX_FILE,
  INDEX_VERSION,
  INDEX_TOOLS,
  type MeshIndex,
  type IndexStep,
  type IndexObject,
  type IndexTool,
  type IndexAdmin,
  type IndexSpireServerAdmin,
  type IndexIngressGateway,
  type IdentityGraph,
  type IdentityNode,
  type IdentityEdge,
} from './core/index-contract';

// Contracts between parts.
export { workloadIdentity, type WorkloadIdentity } from './identity';
export * from './istio/interfaces';
export * from './spire/interfaces';

// Meshed services, their routing and authorization.
export { MeshedService, meshedServiceIdentity, type MeshedServiceProps, type MeshedServiceVersion, type MeshedServiceResources } from './mesh/meshed-service';
export { MESH_PROTOCOLS, type MeshProtocol } from './mesh/rules';
export type { ServiceDeclaration, CallerRef } from './mesh/declaration';
export { ServiceCatalog, type ServiceCatalogProps } from './mesh/service-catalog';
export { ServiceRoute, type ServiceRouteProps, type ServiceRouteOptions } from './mesh/service-route';
export { markMeshWorkload, type IMeshWorkload } from './mesh/workload';
export { AUTHORIZATION_MODES, type AuthorizationMode } from './authorization/mode';
export { AllowNothing, type AllowNothingProps } from './authorization/allow-nothing';
export { CallerPolicy, type CallerPolicyProps } from './authorization/caller-policy';
export { BOOKINFO_APPS, type BookinfoApp, type BookinfoImages } from './bookinfo/declarations';
export { Bookinfo, type BookinfoProps } from './bookinfo/bookinfo';
export { BookinfoRouting, type BookinfoRoutingProps } from './bookinfo/routing';

// The platform: charts, namespaces, SPIRE, Istio, Argo CD, registration.
export { MeshChart, type MeshChartProps, type MeshStep, type ApplyTool } from './core/mesh-chart';
export { MeshNamespaces, type MeshNamespacesProps } from './core/namespaces';
export { Spire, type SpireProps } from './spire/spire';
export { SpireServer, type SpireServerProps } from './spire/server';
export {
  SPIRE_LOG_LEVELS,
  SPIRE_DATASTORE_TYPES,
  SPIRE_CA_KEY_TYPES,
  type SpireServerSettings,
  type SpireLogLevel,
  type SpireDatastoreType,
  type SpireCaKeyType,
  type SecretKeySelector,
} from './spire/settings';
export { SpireAgent, type SpireAgentProps } from './spire/agent';
export { SpireAgentIdentity, type SpireAgentIdentityProps } from './spire/agent-identity';
export { SpiffeCsiDriver, type SpiffeCsiDriverProps } from './spire/csi-driver';
export { Istio, type IstioProps } from './istio/istio';
export { IstioInstall, type IstioInstallProps } from './istio/install';
export { IngressGateway, type IngressGatewayProps } from './istio/ingress-gateway';
export { SpireInjectionTemplate, type SpireInjectionTemplateProps, type PodSpecPatch } from './istio/injection-template';
export { IstioOperator, type IstioOperatorProps } from './istio/operator';
export { MeshPeerAuthentication, type MeshPeerAuthenticationProps } from './istio/peer-authentication';
export { buildGitOps, gitopsFiles, type MeshGitOps, type MeshGitOpsProps } from './argocd/gitops';
export { ArgoApplication, type ArgoApplicationProps, type ArgoCdSettings } from './argocd/application';
export { RootApplication, type RootApplicationProps } from './argocd/root-application';
export { IstioApplications, type IstioApplicationsProps } from './argocd/istio-applications';
export { ApplicationHealthCustomization, type ApplicationHealthCustomizationProps } from './argocd/health-customization';
export { SpireRegistration, type SpireRegistrationProps } from './registration/registration';
export { RegistrationEntry, type RegistrationEntryProps, type SpireEntryJson } from './registration/entry';
export { parseSpiffeId, type SpiffeId } from './registration/spiffe-id';
export { KNOWN_SELECTOR_TYPES, type Selector, type SelectorType } from './registration/selector';

// What the constructs expose (the models they render, their settings), named so users can type against them.
export { WorkloadSocket } from './istio/workload-socket';
export { TAINT_EFFECTS, TOLERATION_OPERATORS, type Toleration, type TaintEffect, type TolerationOperator } from './core/node-placement';
export type { AgentConf } from './spire/agent-conf';
export type { HealthChecksConf } from './spire/health';
export type { ServerConf } from './spire/server-conf';
export type { IstioHelmRelease } from './istio/helm-values';
export { ISTIO_CHARTS, type BaseValues, type IstiodValues, type GatewayValues, type GatewayServicePort, type IstioChart } from './istio/helm-values-api';
export type { IstioOperatorSpec, IstioMeshConfig, IstioValues, IstioComponents, GatewayComponentSpec, KubernetesOverlay, OverlayPatch } from './istio/operator-api';
export type { ApplicationSpec, ApplicationSource, ApplicationDestination, SyncPolicy, ResourceIgnoreDifferences } from './argocd/application-api';
// The Istio classes generated by `cdk8s import` (imports/) that the constructs expose as their API objects.
export * as istioNetworking from '../imports/networking.istio.io';
export * as istioSecurity from '../imports/security.istio.io';

// Workloads on VMs (docs/vms.md). VmWorkload is a type here: `config.vms` makes them (synth refuses one made elsewhere).
export type { VmWorkload, VmWorkloadProps, VmPort } from './vm/vm-workload';
export type { MeshVms } from './vm/mesh-vms';
export {
  VM_ATTESTORS,
  type VmAttestorType,
  type VmAttestation,
  type JoinTokenAttestation,
  type X509PopAttestation,
  type AwsIidAttestation,
  type CaBundleSource,
} from './vm/attestation';
export { EastWestGateway, type EastWestGatewayProps } from './vm/east-west-gateway';
export { SpireServerVmService, type SpireServerVmServiceProps, IstiodExposure, type IstiodExposureProps } from './vm/cluster-access';
export { VmNodeAttestation, type VmNodeAttestationProps } from './spire/vm-node-attestation';
export { IstioVmSettings, type IstioVmSettingsProps } from './istio/vm-settings';
