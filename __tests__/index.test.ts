import * as path from 'path';
import * as ts from 'typescript';
import * as api from '../lib';
import * as testing from '../lib/testing';

// The package's public API is a list someone reviews: a name added to or dropped from lib/index.ts
// shows up here. Per-rule validators, renderers and shared names stay in their modules.
test('GIVEN the package entry WHEN listing its runtime exports THEN they are the constructs, builders, loaders, synth functions and value lists users build with', () => {
  expect(Object.keys(api).sort()).toEqual([
    'AUTHORIZATION_MODES', 'AllowNothing', 'ApplicationHealthCustomization', 'ArgoApplication', 'BOOKINFO_APPS', 'Bookinfo',
    'BookinfoRouting', 'CONFIG_ENV_VAR', 'CallerPolicy', 'ConfigError', 'DEFAULT_CONFIG', 'DEFAULT_CONFIG_FILE', 'EastWestGateway', 'INDEX_FILE',
    'INDEX_TOOLS', 'INDEX_VERSION', 'ISTIO_CHARTS', 'IndexError', 'IngressGateway', 'Istio', 'IstioApplications', 'IstioInstall',
    'IstioOperator', 'IstioVmSettings', 'IstiodExposure', 'KNOWN_SELECTOR_TYPES', 'MESH_PROTOCOLS', 'MeshChart', 'MeshNamespaces', 'MeshPeerAuthentication',
    'MeshedService', 'OWNED_SUBDIRS', 'RegistrationEntry', 'RootApplication', 'SPIRE_CA_KEY_TYPES', 'SPIRE_DATASTORE_TYPES', 'SPIRE_LOG_LEVELS',
    'ServiceCatalog', 'ServiceRoute', 'SpiffeCsiDriver', 'Spire', 'SpireAgent', 'SpireAgentIdentity', 'SpireInjectionTemplate',
    'SpireRegistration', 'SpireServer', 'SpireServerVmService', 'TAINT_EFFECTS', 'TOLERATION_OPERATORS', 'VM_ATTESTORS', 'ValidationError',
    'VmNodeAttestation', 'WorkloadSocket',
    'buildGitOps', 'buildMesh', 'gitopsFiles', 'istioNetworking', 'istioSecurity', 'loadMeshConfig', 'markMeshWorkload',
    'meshedServiceIdentity', 'parseIndex', 'parseSpiffeId', 'publishMesh', 'readMeshConfig', 'resolveMeshConfig', 'synthMesh',
    'synthReport', 'workloadIdentity',
  ]);
  expect(Object.keys(api).filter((name) => /^check[A-Z]/.test(name))).toEqual([]);
});

test('GIVEN the spire-mesh/testing entry WHEN listing its runtime exports THEN they are the checks of a mesh repository’s own tests', () => {
  expect(Object.keys(testing).sort()).toEqual([
    'PLATFORM_ANNOTATIONS', 'chartSnapshot', 'distProblems', 'expectDistFresh', 'meshManifests', 'registeredEntries', 'schemaProblems', 'wiringProblems',
  ]);
});

// Types are part of the API too, and invisible at run time: the compiler lists them.
test('GIVEN both entries WHEN listing their type-only exports THEN they are the props, config shapes and contracts users name', () => {
  const entries = [path.join(__dirname, '..', 'lib', 'index.ts'), path.join(__dirname, '..', 'lib', 'testing', 'index.ts')];
  const program = ts.createProgram(entries, { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, strict: true, noEmit: true, skipLibCheck: true, types: [] });
  const checker = program.getTypeChecker();
  const typeOnly = (file: string, runtime: object) =>
    checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(file)!)!).map((s) => s.name).filter((name) => !(name in runtime)).sort();
  expect(typeOnly(entries[0], api)).toEqual([
    'AgentConf', 'AllowNothingProps', 'ApplicationDestination', 'ApplicationHealthCustomizationProps', 'ApplicationSource',
    'ApplicationSpec', 'ApplyTool', 'ArgoApplicationProps', 'ArgoCdSettings', 'AuthorizationConfig', 'AuthorizationMode',
    'AwsIidAttestation', 'BaseValues', 'BookinfoApp', 'BookinfoConfig', 'BookinfoImages', 'BookinfoProps', 'BookinfoRoutingProps',
    'BuildMeshOptions', 'CaBundleSource', 'CallerPolicyProps', 'CallerRef', 'EastWestGatewayProps', 'GatewayComponentSpec',
    'GatewayServicePort', 'GatewayServiceType', 'GatewayValues', 'GitOpsConfig', 'HealthChecksConf', 'IIngressGateway',
    'IMeshWorkload', 'ISidecarInjection', 'ISpireAgentAttestation', 'ISpireAgentPsat', 'ISpireAgentSocket', 'ISpireServerAdmin',
    'ISpireServerEndpoint', 'IWorkloadApiCsi', 'IdentityEdge', 'IdentityGraph', 'IdentityNode', 'ImagesConfig', 'IndexAdmin',
    'IndexIngressGateway', 'IndexObject', 'IndexSpireServerAdmin', 'IndexStep', 'IndexTool', 'IngressGatewayProps',
    'IstioApplicationsProps', 'IstioChart', 'IstioComponents', 'IstioConfig', 'IstioHelmRelease', 'IstioInstallProps',
    'IstioMeshConfig', 'IstioOperatorProps', 'IstioOperatorSpec', 'IstioProps', 'IstioValues', 'IstioVmSettingsProps',
    'IstiodExposureProps', 'IstiodValues', 'JoinTokenAttestation', 'KubernetesOverlay', 'LoadOptions', 'LoadedConfig', 'Mesh',
    'MeshChartProps', 'MeshConfig', 'MeshContext', 'MeshGitOps', 'MeshGitOpsProps', 'MeshIndex', 'MeshNamespacesProps',
    'MeshPeerAuthenticationProps', 'MeshProtocol', 'MeshStep', 'MeshVms', 'MeshedServiceProps', 'MeshedServiceResources',
    'MeshedServiceVersion', 'OverlayPatch', 'PodSpecPatch', 'RegistrationEntryProps', 'ResourceIgnoreDifferences',
    'RootApplicationProps', 'SecretKeySelector', 'Selector', 'SelectorType', 'ServerConf', 'ServiceCatalogProps', 'ServiceConfig',
    'ServiceDeclaration', 'ServiceRouteOptions', 'ServiceRouteProps', 'ServiceVersionConfig', 'SpiffeCsiDriverConfig',
    'SpiffeCsiDriverProps', 'SpiffeId', 'SpireAgentConfig', 'SpireAgentIdentityProps', 'SpireAgentProps', 'SpireCaKeyType',
    'SpireDatastoreType', 'SpireEntryJson', 'SpireInjectionTemplateProps', 'SpireKeyManagerType', 'SpireLogLevel', 'SpireProps',
    'SpireRegistrationProps', 'SpireServerConfig', 'SpireServerProps', 'SpireServerSettings', 'SpireServerVmServiceProps',
    'SpireUpstreamAuthorityType', 'SyncPolicy', 'TaintEffect', 'Toleration', 'TolerationOperator', 'VmAttestation',
    'VmAttestorType', 'VmNodeAttestationProps', 'VmPort', 'VmWorkload', 'VmWorkloadProps', 'WorkloadIdentity',
    'X509PopAttestation',
  ]);
  expect(typeOnly(entries[1], testing)).toEqual(['DeclaredEntry', 'Manifest']);
});
