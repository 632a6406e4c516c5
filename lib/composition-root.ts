import { App } from 'cdk8s';
import { buildGitOps, MeshGitOps } from './argocd/gitops';
import { Bookinfo } from './bookinfo/bookinfo';
import { BookinfoRouting } from './bookinfo/routing';
import { MeshConfig } from './config/mesh-config';
import { ApplyTool, MeshChart, SYNC_OPTIONS_ANNOTATION, SYNC_WAVE_ANNOTATION } from './core/mesh-chart';
import { MeshNamespaces } from './core/namespaces';
import { ISTIO_CHARTS } from './istio/helm-values-api';
import { Istio } from './istio/istio';
import { MeshPeerAuthentication } from './istio/peer-authentication';
import { SpireRegistration } from './registration/registration';
import { Spire, SpireProps } from './spire/spire';

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
  /** One bookinfo copy per `bookinfo.namespaces` entry, in that order. */
  readonly bookinfo: readonly Bookinfo[];
  /** The Argo CD Applications, written to `<outdir>/argocd/`; undefined when `gitops.repoURL` is empty. */
  readonly gitops?: MeshGitOps;
}

export interface BuildMeshOptions {
  /** Where `synth()` writes. @default 'dist' */
  readonly outdir?: string;
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
  const policyChart = ordered(app, 'mesh-policy', 'mesh-wide STRICT mutual TLS');
  const bookinfoCharts = config.bookinfo.namespaces.map((namespace) =>
    ordered(app, `bookinfo-${namespace}`, `bookinfo, its Gateways and routes in namespace ${namespace}`),
  );

  const namespaces = new MeshNamespaces(namespacesChart, 'namespaces', config);
  const spire = new Spire(spireChart, 'spire', spireProps(config, namespaces));
  const istio = new Istio(istioChart, 'istio', {
    config,
    namespace: namespaces.istio,
    csi: spire.csiDriver,
  });
  const meshPolicy = new MeshPeerAuthentication(policyChart, 'peer-authentication', { operator: istio.operator });
  const bookinfo = config.bookinfo.namespaces.map((namespace, i) => {
    const chart = bookinfoCharts[i];
    const copy = new Bookinfo(chart, 'bookinfo', {
      namespace,
      trustDomain: config.trustDomain,
      injection: istio.injection,
      images: config.bookinfo.images,
    });
    // Copies share the ingress gateway: the first answers any host (the demo's localhost URL), the others only their own.
    new BookinfoRouting(chart, 'routing', {
      productpage: copy.productpage,
      gateway: istio.ingressGateway,
      hosts: [i === 0 ? '*' : `${namespace}.bookinfo.local`],
    });
    return copy;
  });
  const registration = new SpireRegistration(registrationChart, 'registration', {
    server: spire.server,
    agents: spire.agent,
    identities: [...bookinfo.flatMap((copy) => copy.identities), ...(istio.ingressGateway ? [istio.ingressGateway.identity] : [])],
    trustDomain: config.trustDomain,
    image: config.images.kubectl,
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
        outdir,
        settings: {
          namespace: git.argocd.namespace,
          project: git.argocd.project,
          automated: git.automated.enabled ? { prune: git.automated.prune, selfHeal: git.automated.selfHeal } : undefined,
        },
        repoURL: git.repoURL,
        revision: git.revision,
        path: git.path,
        istio: { releases: istio.helmReleases, chartRepository: git.istioChartRepository, firstWave: istioChart.wave },
      })
    : undefined;
  return { config, app, istioctlApp, charts, namespaces, spire, istio, meshPolicy, bookinfo, registration, gitops };
}

/** MeshConfig's SPIRE sections as the SPIRE constructs' own props. */
function spireProps(config: MeshConfig, namespaces: MeshNamespaces): SpireProps {
  const { replicas, datastore, storageSize, caKeyType, caTtl, defaultX509SvidTtl, logLevel, caSubject } = config.spire.server;
  const secret = datastore.connectionStringSecret;
  return {
    namespace: namespaces.spire,
    trustDomain: config.trustDomain,
    clusterName: config.clusterName,
    server: {
      image: config.images.spireServer,
      replicas,
      datastore: datastore.type,
      // The config's empty name means "no Secret" (every config key has a default).
      connectionStringSecret: secret.name === '' ? undefined : secret,
      storageSize,
      caKeyType,
      caTtl,
      defaultX509SvidTtl,
      logLevel,
      caSubject,
    },
    agent: { image: config.images.spireAgent, ...config.spire.agent },
    csiDriver: { image: config.images.spiffeCsiDriver, registrarImage: config.images.csiNodeDriverRegistrar },
  };
}
