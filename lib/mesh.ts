import { App } from 'cdk8s';
import { Bookinfo } from './bookinfo/bookinfo';
import { BookinfoRouting } from './bookinfo/routing';
import { MeshConfig } from './config/mesh-config';
import { MeshChart, SYNC_WAVE_ANNOTATION } from './core/mesh-chart';
import { MeshNamespaces } from './core/namespaces';
import { workloadIdentity } from './identity';
import { IIngressGateway, ISidecarInjection } from './istio/interfaces';

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
  /** One bookinfo copy per `bookinfo.namespaces` entry, in that order. */
  readonly bookinfo: readonly Bookinfo[];
}

export interface BuildMeshOptions {
  /** Where `synth()` writes. @default 'dist' */
  readonly outdir?: string;
}

/**
 * Builds the whole mesh from one validated config: the charts, in apply order, each
 * depending on the one before (so output files are numbered) and every object annotated
 * with the Argo CD sync wave of its chart.
 */
export function buildMesh(config: MeshConfig, options: BuildMeshOptions = {}): Mesh {
  const outdir = options.outdir ?? 'dist';
  const app = new App({ outdir });
  const istioctlApp = new App({ outdir: `${outdir}/${ISTIOCTL_SUBDIR}` });
  const charts: MeshChart[] = [];
  const ordered = <T extends MeshChart>(chart: T): T => {
    const previous = charts.filter((c) => c.tool === chart.tool).pop();
    if (previous) chart.addDependency(previous);
    charts.push(chart);
    return chart;
  };

  const namespacesChart = ordered(new MeshChart(app, 'namespaces', { description: 'namespaces of SPIRE, Istio and the workloads' }));
  const namespaces = new MeshNamespaces(namespacesChart, 'namespaces', config);

  // MERGE: replace with istio.injection
  const injection: ISidecarInjection = {
    podAnnotations: { 'inject.istio.io/templates': 'sidecar,spire' },
    podLabels: { 'sidecar.istio.io/inject': 'true' },
  };
  // MERGE: replace with istio.ingressGateway
  const gateway: IIngressGateway | undefined = config.istio.ingressGateway.enabled
    ? {
        selector: { istio: 'ingressgateway' },
        httpPort: 8080,
        mtlsPort: 7080,
        identity: workloadIdentity(config.trustDomain, config.namespaces.istio, 'istio-ingressgateway-service-account'),
      }
    : undefined;

  const bookinfo = config.bookinfo.namespaces.map((namespace, i) => {
    const chart = ordered(new MeshChart(app, `bookinfo-${namespace}`, { description: `bookinfo, its Gateways and routes in namespace ${namespace}` }));
    const copy = new Bookinfo(chart, 'bookinfo', { namespace, trustDomain: config.trustDomain, injection, images: config.bookinfo.images });
    // Copies share the ingress gateway: the first answers any host (the demo's localhost URL), the others only their own.
    new BookinfoRouting(chart, 'routing', { productpage: copy.productpage, gateway, hosts: [i === 0 ? '*' : `${namespace}.bookinfo.local`] });
    return copy;
  });

  charts.forEach((chart, wave) => {
    for (const obj of chart.allObjects) obj.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(wave));
  });
  return { config, app, istioctlApp, charts, namespaces, bookinfo };
}
