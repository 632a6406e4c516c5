import { App } from 'cdk8s';
import { MeshConfig } from './config/mesh-config';
import { MeshChart, SYNC_WAVE_ANNOTATION } from './core/mesh-chart';
import { MeshNamespaces } from './core/namespaces';
import { IIngressGateway } from './istio/interfaces';
import { ISpireServerAdmin } from './spire/interfaces';

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
  /**
   * The SPIRE part, once built: the operator CLI reaches the server's admin socket through it.
   * @default - no SPIRE part; the index has no `admin.spireServer`
   */
  readonly spire?: { readonly server: ISpireServerAdmin };
  /**
   * The Istio part, once built: the operator CLI port-forwards its ingress gateway.
   * @default - no Istio part; the index has no `admin.ingressGateway`
   */
  readonly istio?: { readonly ingressGateway?: IIngressGateway };
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

  charts.forEach((chart, wave) => {
    for (const obj of chart.allObjects) obj.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(wave));
  });
  return { config, app, istioctlApp, charts, namespaces };
}
