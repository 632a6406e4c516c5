import { App, Chart } from 'cdk8s';
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
import { ApplyTool, chartObjects, MeshChart, MeshStep, SYNC_OPTIONS_ANNOTATION, SYNC_WAVE_ANNOTATION } from './core/mesh-chart';
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

/**
 * What a team's chart needs from the mesh to declare a `MeshedService`: the values every
 * meshed pod carries, and the services it may name as callers.
 */
export interface MeshContext {
  readonly trustDomain: string;
  /** What a meshed pod carries to get the SPIRE-enabled sidecar. */
  readonly injection: ISidecarInjection;
  /** Undefined when `istio.ingressGateway.enabled` is false. */
  readonly ingressGateway?: IIngressGateway;
  /** The config's `authorization.mode`; pass it to each `MeshedService`. */
  readonly authorization: AuthorizationMode;
  /**
   * The `MeshedService` of `<namespace>/<name>` declared so far anywhere in the mesh's App
   * (bookinfo's, the config's, another team's chart), to name as a caller.
   * @throws ValidationError when no such service is in the App yet
   */
  service(key: string): MeshedService;
}

/**
 * The mesh in the user's App: its charts in apply order, its parts, and what it derives
 * from every meshed workload of the App.
 *
 * The derived parts (SPIRE entries, workload namespaces, allow-nothing defaults, identity
 * graph, sync waves) are computed once, by {@link Mesh.finalize}, from the App as it is then:
 * `synthMesh` calls it, and so does reading any member marked "finalizes". Add every chart
 * and `MeshedService` before that; one added afterwards makes synth fail, naming it.
 */
export interface Mesh extends MeshContext {
  readonly config: MeshConfig;
  /** The App of the kubectl charts: the one passed as `BuildMeshOptions.app`, else the mesh's own. */
  readonly app: App;
  /** Charts applied with `istioctl install -f`, written to `<outdir>/istioctl`. */
  readonly istioctlApp: App;
  /** The mesh's own charts, of both Apps, in apply order. Finalizes. */
  readonly charts: readonly MeshChart[];
  /**
   * Every apply step: the mesh's own charts, then every other chart of `app`, in the order
   * they were added to it, each with the next position and sync wave. Finalizes.
   */
  readonly steps: readonly MeshStep[];
  readonly namespaces: MeshNamespaces;
  /** SPIRE server, agents and the SPIFFE CSI driver. */
  readonly spire: Spire;
  /** The Istio install (IstioOperator, SPIRE injection template, ingress gateway), applied with istioctl. */
  readonly istio: Istio;
  /** Mesh-wide STRICT mTLS, applied once Istio (and its CRDs) is installed. */
  readonly meshPolicy: MeshPeerAuthentication;
  /** The SPIRE entries of every mesh identity, and the Job that creates them. Finalizes. */
  readonly registration: SpireRegistration;
  /** One bookinfo copy per `bookinfo.namespaces` entry, in that order; none when `bookinfo.enabled` is false. */
  readonly bookinfo: readonly Bookinfo[];
  /** The Argo CD Applications, written to `<outdir>/argocd/`; undefined when `gitops.repoURL` is empty. */
  readonly gitops?: MeshGitOps;
  /** The config's `services`, in that order. */
  readonly services: readonly MeshedService[];
  /** Every meshed workload of both Apps (bookinfo's, the config's, those of the user's charts), collected from the construct tree. Finalizes. */
  readonly workloads: readonly IMeshWorkload[];
  /** The allow-nothing default of each meshed namespace; none when `authorization.mode` is `off`. Finalizes. */
  readonly namespaceDefaults: readonly AllowNothing[];
  /** Who may call whom, from the collected workloads. Finalizes. */
  readonly identityGraph: IdentityGraph;
  /** The config's VM workloads and their cluster side; undefined when `vms` is empty. */
  readonly vms?: MeshVms;
  /**
   * Completes the mesh from every meshed workload and chart of the App: the workload
   * namespaces, allow-nothing defaults, SPIRE entries, identity graph, and the sync wave of
   * every step. The first call does the work; every call checks that no `MeshedService` or
   * chart joined the App since, and throws naming it if one did. `synthMesh` calls it.
   */
  finalize(): void;
}

export interface BuildMeshOptions {
  /**
   * The App the mesh's kubectl charts join. Every other chart of it is an apply step of the
   * mesh, after the mesh's own, and every `MeshedService` anywhere in it joins the mesh
   * (SPIRE entry, namespace, allow-nothing default, identity graph), whether its chart was
   * created before or after `buildMesh`. `synthMesh` writes all of them to `app.outdir`.
   * @default - a new App writing to `outdir`
   */
  readonly app?: App;
  /**
   * Where `synthMesh` writes, when the mesh makes its own App. Not with `app`, whose outdir it is.
   * @default 'dist'
   */
  readonly outdir?: string;
}

/** What finalize derives from the App. */
interface Final {
  readonly workloads: readonly IMeshWorkload[];
  readonly steps: readonly MeshStep[];
  readonly namespaceDefaults: readonly AllowNothing[];
  readonly identityGraph: IdentityGraph;
  readonly registration: SpireRegistration;
}

/**
 * Builds the whole mesh from one validated config into an App: the charts, in apply order
 * (numbered output files, see `MeshChart`), and every object annotated with the Argo CD sync
 * wave of its chart.
 *
 * Charts are created first, in apply order, and filled afterwards in the order the
 * constructs need each other; what depends on every workload of the App (registration,
 * applied early, reads the identities of workloads applied last) waits for {@link Mesh.finalize}.
 */
export function buildMesh(config: MeshConfig, options: BuildMeshOptions = {}): Mesh {
  if (options.app && options.outdir !== undefined) {
    throw new ValidationError('BuildMeshOptions.outdir', options.outdir, `must not be set with app: the mesh writes to the app's outdir (${options.app.outdir})`);
  }
  const app = options.app ?? new App({ outdir: options.outdir ?? 'dist' });
  const istioctlApp = new App({ outdir: `${app.outdir}/${ISTIOCTL_SUBDIR}` });
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

  const ownCharts = new Set<Chart>(charts);
  const userCharts = (): Chart[] => app.node.findAll().filter((c): c is Chart => Chart.isChart(c) && !ownCharts.has(c));
  let final: Final | undefined;
  registrationChart.node.addValidation({
    validate: () => (final ? [] : ['the mesh was not finalized: synthesize it with synthMesh(mesh) (or call mesh.finalize() first), so its SPIRE entries, namespaces and policies cover every chart of the App']),
  });

  // Everything below follows the App: it reads the meshed workloads and charts from the construct tree as they are now.
  const complete = (): Final => {
    const workloads = collectMeshWorkloads(app, istioctlApp);
    // The cluster side of VMs (the server's node attestors, the east-west gateway, istiod's
    // exposure, the index entry `vm bundle` reads) is built from config.vms alone, before any chart
    // of the user's exists: a VmWorkload made elsewhere would get an identity no machine could attest.
    const configVms = new Set<unknown>(vms?.workloads ?? []);
    const strayVm = collectVmWorkloads(app, istioctlApp).find((vm) => !configVms.has(vm));
    if (strayVm) {
      throw new ValidationError(`VmWorkload(${strayVm.key})`, strayVm.node.path, 'is not one of config.vms: declare workloads on VMs in config.vms, which also builds their cluster side (SPIRE node attestor, east-west gateway, istiod exposure, vm bundle entry)');
    }
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

    const steps: MeshStep[] = charts.map((chart) => ({ chart, name: chart.name, description: chart.description, tool: chart.tool, position: chart.position, wave: chart.wave, waves: chart.waves }));
    for (const chart of userCharts()) {
      const name = chart.node.id;
      checkDns1123Label(`Chart(${chart.node.path}) id`, name);
      if (steps.some((s) => s.name === name)) throw new ValidationError(`Chart(${chart.node.path}) id`, name, 'is already the name of a chart: each apply step needs its own');
      const last = steps[steps.length - 1];
      steps.push({ chart, name, description: `chart ${name} of the app`, tool: 'kubectl', position: steps.filter((s) => s.tool === 'kubectl').length, wave: last.wave + last.waves, waves: 1 });
    }
    for (const step of steps) {
      for (const obj of chartObjects(step.chart)) {
        obj.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(step.wave));
        // Argo CD dry-runs every object before the first wave, when Istio's CRDs (installed by a later wave) do not exist yet.
        if (step.tool === 'kubectl' && /\.istio\.io\//.test(obj.apiVersion)) obj.metadata.addAnnotation(SYNC_OPTIONS_ANNOTATION, 'SkipDryRunOnMissingResource=true');
      }
    }
    return { workloads, steps, namespaceDefaults, identityGraph: graph, registration };
  };
  const finalized = (): Final => (final ??= complete());
  // A workload or chart added once the mesh is complete would be written without its SPIRE entry or sync wave.
  const checkUnchanged = (done: Final): void => {
    const known = new Set<unknown>(done.workloads);
    const late = collectMeshWorkloads(app, istioctlApp).find((w) => !known.has(w));
    const after = 'joined the App after the mesh was finalized (by synthMesh, finalize() or reading charts, steps, workloads, registration, namespaceDefaults or identityGraph): add every chart and service before';
    if (late) throw new ValidationError(`MeshedService(${late.key})`, late.node.path, after);
    const stepCharts = new Set(done.steps.map((s) => s.chart));
    const lateChart = userCharts().find((c) => !stepCharts.has(c));
    if (lateChart) throw new ValidationError(`Chart(${lateChart.node.path})`, lateChart.node.id, after);
  };

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
    trustDomain: config.trustDomain,
    injection: istio.injection,
    ...(gateway ? { ingressGateway: gateway } : {}),
    authorization,
    service: (key) => {
      const declared = collectMeshWorkloads(app, istioctlApp).filter((w): w is MeshedService => w instanceof MeshedService);
      const found = declared.find((s) => s.key === key);
      if (found) return found;
      const shown = declared.slice(0, 10).map((s) => s.key);
      const there = declared.length === 0 ? 'there are none' : `there are ${shown.join(', ')}${declared.length > shown.length ? ', …' : ''}`;
      const bookinfoOff = config.bookinfo.enabled ? '' : '; bookinfo is disabled (bookinfo.enabled: false), so none of its services is there';
      throw new ValidationError('Mesh.service key', key, `is no MeshedService of the App yet (${there}${bookinfoOff})`);
    },
    get charts() {
      finalized();
      return charts;
    },
    get steps() {
      return finalized().steps;
    },
    namespaces,
    spire,
    istio,
    meshPolicy,
    bookinfo,
    services,
    get workloads() {
      return finalized().workloads;
    },
    get namespaceDefaults() {
      return finalized().namespaceDefaults;
    },
    get identityGraph() {
      return finalized().identityGraph;
    },
    get registration() {
      return finalized().registration;
    },
    gitops,
    ...(vms ? { vms } : {}),
    finalize: () => checkUnchanged(finalized()),
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
