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
