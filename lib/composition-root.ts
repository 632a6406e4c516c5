import { App } from 'cdk8s';
import { buildGitOps, MeshGitOps } from './argocd/gitops';
import { AllowNothing } from './authorization/allow-nothing';
import { identityGraph } from './authorization/identity-graph';
import { ALLOW_NOTHING_NAME, AuthorizationMode } from './authorization/mode';
import { Bookinfo } from './bookinfo/bookinfo';
import { BookinfoRouting } from './bookinfo/routing';
import { MeshConfig } from './config/mesh-config';
import { bookinfoServiceDeclarations, serviceDeclaration } from './config/services';
import { spireServerChoices } from './config/spire-server';
import { IdentityGraph } from './core/index-contract';
import { ApplyTool, MeshChart, SYNC_OPTIONS_ANNOTATION, SYNC_WAVE_ANNOTATION } from './core/mesh-chart';
import { MeshNamespaces } from './core/namespaces';
import { ISTIO_CHARTS } from './istio/helm-values-api';
import { IIngressGateway, ISidecarInjection } from './istio/interfaces';
import { Istio } from './istio/istio';
import { MeshPeerAuthentication } from './istio/peer-authentication';
import { ServiceCatalog } from './mesh/service-catalog';
import { MeshedService } from './mesh/meshed-service';
import { collectMeshWorkloads, IMeshWorkload } from './mesh/workload';
import { SpireRegistration } from './registration/registration';
import { Spire, SpireProps } from './spire/spire';
import { checkDns1123Label, checkOwnNamespace, ValidationError } from './validation';
import { MeshVms, vmIdentities, vmNodeAttestation } from './vm/mesh-vms';
import { collectVmWorkloads, isVmWorkload } from './vm/vm-workload';

/** The istioctl-applied charts go here, below the output directory, so `kubectl apply -f dist/` (not recursive) skips them. */
export const ISTIOCTL_SUBDIR = 'istioctl';

/** Every chart of the mesh, in apply order, and the two Apps that write them. */
export interface Mesh {
  readonly config: MeshConfig;
  /** Charts applied with `kubectl apply -f <outdir>`. */
  readonly app: App;
  /** Charts applied with `istioctl install -f`, written to `<outdir>/istioctl`. */
  readonly istioctlApp: App;
  /** All charts, of both Apps, in apply order. */
  readonly charts: readonly MeshChart[];
  readonly namespaces: MeshNamespaces;
  /** SPIRE server, agents and the SPIFFE CSI driver. */
  readonly spire: Spire;
  /** The Istio install (IstioOperator, SPIRE injection template, ingress gateway), applied with istioctl. */
  readonly istio: Istio;
  /** Mesh-wide STRICT mTLS, applied once Istio (and its CRDs) is installed. */
  readonly meshPolicy: MeshPeerAuthentication;
  /** The SPIRE entries of every mesh identity, and the Job that creates them. */
  readonly registration: SpireRegistration;
  /** One bookinfo copy per `bookinfo.namespaces` entry, in that order; none when `bookinfo.enabled` is false. */
  readonly bookinfo: readonly Bookinfo[];
  /** The Argo CD Applications, written to `<outdir>/argocd/`; undefined when `gitops.repoURL` is empty. */
  readonly gitops?: MeshGitOps;
  /** The config's `services`, in that order. */
  readonly services: readonly MeshedService[];
  /** Every meshed workload of both Apps (bookinfo's, the config's, the ones `extend` added), collected from the construct tree. */
  readonly workloads: readonly IMeshWorkload[];
  /** The allow-nothing default of each meshed namespace; none when `authorization.mode` is `off`. */
  readonly namespaceDefaults: readonly AllowNothing[];
  /** Who may call whom, from the collected workloads. */
  readonly identityGraph: IdentityGraph;
  /** The config's VM workloads and their cluster side; undefined when `vms` is empty. */
  readonly vms?: MeshVms;
}

/** What code adding its own workloads to the mesh gets (see {@link BuildMeshOptions.extend}). */
export interface MeshContext {
  readonly trustDomain: string;
  /** What a meshed pod carries to get the SPIRE-enabled sidecar. */
  readonly injection: ISidecarInjection;
  /** Undefined when `istio.ingressGateway.enabled` is false. */
  readonly ingressGateway?: IIngressGateway;
  /** The config's `authorization.mode`; pass it to each `MeshedService`. */
  readonly authorization: AuthorizationMode;
  /** The services declared so far (bookinfo's and the config's), by `<namespace>/<name>`, to name as callers. */
  readonly services: ReadonlyMap<string, MeshedService>;
  /** A new chart, applied after the mesh's own workloads. */
  addChart(name: string, description: string): MeshChart;
}

export interface BuildMeshOptions {
  /** Where `synth()` writes. @default 'dist' */
  readonly outdir?: string;
  /**
   * Adds the user's own workloads in code. Called once the config's services exist and
   * before the mesh collects every meshed workload, so a `MeshedService` declared here gets
   * its namespace, SPIRE entry, allow-nothing default and graph node like any other.
   * @default - nothing added
   */
  readonly extend?: (mesh: MeshContext) => void;
}

/**
 * Builds the whole mesh from one validated config: the charts, in apply order (numbered
 * output files, see `MeshChart`), and every object annotated with the Argo CD sync wave of
 * its chart.
 *
 * Charts are created first, in apply order, and filled afterwards in the order the
 * constructs need each other (registration, applied early, reads the identities of
 * workloads applied last).
 */
export function buildMesh(config: MeshConfig, options: BuildMeshOptions = {}): Mesh {
  const outdir = options.outdir ?? 'dist';
  const app = new App({ outdir });
  const istioctlApp = new App({ outdir: `${outdir}/${ISTIOCTL_SUBDIR}` });
  const charts: MeshChart[] = [];
  const ordered = (scope: App, name: string, description: string, tool: ApplyTool = 'kubectl', waves = 1): MeshChart => {
    const last = charts[charts.length - 1];
    const wave = last ? last.wave + last.waves : 0;
    const chart = new MeshChart(scope, { name, description, tool, position: charts.filter((c) => c.tool === tool).length, wave, waves });
    charts.push(chart);
    return chart;
  };

  const namespacesChart = ordered(app, 'namespaces', 'namespaces of SPIRE, Istio and the workloads');
  const spireChart = ordered(app, 'spire', 'SPIRE server, agents and the SPIFFE CSI driver');
  const registrationChart = ordered(app, 'registration', 'SPIRE registration entries and the Job that creates them');
  // Under Argo CD the Istio step is its Helm releases, one wave each.
  const istioChart = ordered(istioctlApp, 'istio-operator', 'Istio with SPIRE socket mounts (istioctl install -f)', 'istioctl', ISTIO_CHARTS.length);
  const policyChart = ordered(app, 'mesh-policy', 'mesh-wide STRICT mutual TLS and the allow-nothing default of each meshed namespace');
  const bookinfoNamespaces = config.bookinfo.enabled ? config.bookinfo.namespaces : [];
  const bookinfoCharts = bookinfoNamespaces.map((namespace) =>
    ordered(app, `bookinfo-${namespace}`, `bookinfo, its Gateways, routes and authorization in namespace ${namespace}`),
  );
  const serviceNamespaces = [...new Set(config.services.map((s) => s.namespace))];
  const serviceCharts = new Map(
    serviceNamespaces.map((namespace) => [
      namespace,
      ordered(app, `services-${namespace}`, `the config's services, their routes and authorization in namespace ${namespace}`),
    ]),
  );

  const vmChart = config.vms.length > 0 ? ordered(app, 'vms', 'workloads on VMs (WorkloadGroup, Service, ALLOW policy each) and istiod exposed to them') : undefined;

  const namespaces = new MeshNamespaces(namespacesChart, 'namespaces', { spire: config.namespaces.spire, istio: config.namespaces.istio });
  const baseSpireProps = spireProps(config, namespaces);
  const spire = new Spire(spireChart, 'spire', { ...baseSpireProps, server: { ...baseSpireProps.server, vmNodeAttestation: vmNodeAttestation(config) } });
  const istio = new Istio(istioChart, 'istio', {
    config,
    namespace: namespaces.istio,
    csi: spire.csiDriver,
  });
  const meshPolicy = new MeshPeerAuthentication(policyChart, 'peer-authentication', { operator: istio.operator });
  const gateway = istio.ingressGateway;
  const authorization = config.authorization.mode;
  const declared = config.services.map(serviceDeclaration);
  const catalog = new ServiceCatalog(
    { trustDomain: config.trustDomain, injection: istio.injection, gateway, authorization, otherIdentities: vmIdentities(config) },
    [...bookinfoServiceDeclarations(config), ...declared],
  );
  const bookinfo = bookinfoNamespaces.map((namespace, i) => {
    const chart = bookinfoCharts[i];
    const copy = new Bookinfo(chart, 'bookinfo', {
      namespace,
      trustDomain: config.trustDomain,
      injection: istio.injection,
      images: config.bookinfo.images,
      gateway,
      authorization,
      extraCallers: Object.fromEntries(
        Object.entries(config.bookinfo.extraCallers).map(([app, refs]) => [app, catalog.resolveCallers(`${namespace}/${app}`, refs)]),
      ),
    });
    // Copies share the ingress gateway: the first answers any host (the demo's localhost URL), the others only their own.
    new BookinfoRouting(chart, 'routing', {
      productpage: copy.productpage,
      gateway,
      hosts: [i === 0 ? '*' : `${namespace}.bookinfo.local`],
    });
    return copy;
  });

  const services = declared.map((d) => catalog.declare(serviceCharts.get(d.namespace)!, d));
  const vms = vmChart ? new MeshVms(spireChart, vmChart, { config, catalog, istio, server: spire.server, authorization }) : undefined;

  options.extend?.({
    trustDomain: config.trustDomain,
    injection: istio.injection,
    ingressGateway: gateway,
    authorization,
    services: new Map([...bookinfo.flatMap((b) => b.services), ...services].map((s) => [s.key, s])),
    addChart: (name, description) => {
      checkDns1123Label('MeshContext.addChart name', name);
      if (charts.some((c) => c.name === name)) throw new ValidationError('MeshContext.addChart name', name, 'is already the name of a chart: each apply step needs its own');
      return ordered(app, name, description);
    },
  });

  // Everything below follows the app: it reads the meshed workloads from the construct tree.
  const workloads = collectMeshWorkloads(app, istioctlApp);
  const workloadNamespaces = [...new Set(workloads.map((w) => w.namespace))];
  for (const namespace of workloadNamespaces) namespaces.addWorkloadNamespace(namespace);
  // Deny-by-default only where the mesh owns the namespace: in a built-in one such as `default`
  // it would cut off every workload the mesh does not know. Each service's own ALLOW policy
  // already refuses undeclared callers for the pods it selects, wherever they run.
  const namespaceDefaults =
    authorization === 'enforce'
      ? workloadNamespaces.filter((namespace) => namespaces.workloads.has(namespace)).map((namespace) => new AllowNothing(policyChart, `allow-nothing-${namespace}`, { namespace }))
      : [];
  const keys = new Set<string>();
  for (const w of workloads) {
    if (keys.has(w.key)) throw new ValidationError(`MeshedService(${w.key})`, w.key, 'is declared twice: both would write the same objects');
    keys.add(w.key);
    if (authorization === 'enforce' && w.name === ALLOW_NOTHING_NAME) {
      throw new ValidationError(`MeshedService(${w.key}).name`, w.name, "is the name of the namespace's default policy: choose another");
    }
    checkOwnNamespace(`MeshedService(${w.key}).namespace`, w.namespace, { allowDefault: true });
    if (w.namespace === istio.operator.rootNamespace) {
      throw new ValidationError(`MeshedService(${w.key}).namespace`, w.namespace, "must not be Istio's root namespace: its AuthorizationPolicies would apply mesh-wide");
    }
    if (authorization === 'enforce' && w.authorization === 'off') {
      throw new ValidationError(`MeshedService(${w.key}).authorization`, w.authorization, "must be 'enforce' when authorization.mode is 'enforce': its namespace allows nothing by default");
    }
  }
  const graph = identityGraph(workloads, gateway);
  const registration = new SpireRegistration(registrationChart, 'registration', {
    server: spire.server,
    agents: spire.agent,
    // A VM workload's entry selects its proxy's unix user under its machines' node alias, not k8s selectors.
    identities: [...workloads.filter((w) => !isVmWorkload(w)).map((w) => w.identity), ...(gateway ? [gateway.identity] : []), ...(istio.eastWestGateway ? [istio.eastWestGateway.identity] : [])],
    additionalEntries: collectVmWorkloads(app).flatMap((vm) => vm.registrationEntries),
    trustDomain: config.trustDomain,
    kubectlImage: config.images.kubectl,
    busyboxImage: config.images.busybox,
    jqImage: config.images.jq,
  });

  for (const chart of charts) {
    for (const obj of chart.allObjects) {
      obj.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(chart.wave));
      // Argo CD dry-runs every object before the first wave, when Istio's CRDs (installed by a later wave) do not exist yet.
      if (chart.tool === 'kubectl' && /\.istio\.io\//.test(obj.apiVersion)) obj.metadata.addAnnotation(SYNC_OPTIONS_ANNOTATION, 'SkipDryRunOnMissingResource=true');
    }
  }

  const { gitops: git } = config;
  const gitops = git.repoURL
    ? buildGitOps({
        settings: {
          namespace: git.argocd.namespace,
          project: git.argocd.project,
          automated: git.automated.enabled ? { prune: git.automated.prune, selfHeal: git.automated.selfHeal } : undefined,
          retry: git.retry,
        },
        repoURL: git.repoURL,
        revision: git.revision,
        path: git.path,
        istio: { releases: istio.helmReleases, chartRepository: git.istioChartRepository, firstWave: istioChart.wave },
      })
    : undefined;
  return {
    config,
    app,
    istioctlApp,
    charts,
    namespaces,
    spire,
    istio,
    meshPolicy,
    bookinfo,
    services,
    workloads,
    namespaceDefaults,
    identityGraph: graph,
    registration,
    gitops,
    ...(vms ? { vms } : {}),
  };
}

/** MeshConfig's SPIRE sections as the SPIRE constructs' own props. */
function spireProps(config: MeshConfig, namespaces: MeshNamespaces): SpireProps {
  const { replicas, datastore, storageSize, caKeyType, caTtl, defaultX509SvidTtl, logLevel, caSubject } = config.spire.server;
  return {
    namespace: namespaces.spire,
    trustDomain: config.trustDomain,
    clusterName: config.clusterName,
    server: {
      image: config.images.spireServer,
      replicas,
      datastore: datastore.type,
      // The config's empty names and strings mean "not set" (every config key has a default).
      ...spireServerChoices(config.spire.server),
      storageSize,
      caKeyType,
      caTtl,
      defaultX509SvidTtl,
      logLevel,
      caSubject,
    },
    agent: { image: config.images.spireAgent, ...config.spire.agent },
    csiDriver: { image: config.images.spiffeCsiDriver, registrarImage: config.images.csiNodeDriverRegistrar, ...config.spire.csiDriver },
  };
}
