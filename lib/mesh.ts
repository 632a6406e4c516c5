import { App } from 'cdk8s';
import { MeshConfig } from './config/mesh-config';
import { MeshChart, SYNC_WAVE_ANNOTATION } from './core/mesh-chart';
import { MeshNamespaces } from './core/namespaces';
import { workloadIdentity } from './identity';
import { SpireRegistration } from './registration/registration';

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
  readonly registration: SpireRegistration;
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

  const registrationChart = ordered(
    new MeshChart(app, 'registration', { description: 'SPIRE registration entries and the Job that creates them' }),
  );
  const registration = new SpireRegistration(registrationChart, 'registration', {
    // MERGE: replace with the SpireServer construct
    server: {
      namespace: config.namespaces.spire,
      podName: 'spire-server-0',
      containerName: 'spire-server',
      binaryPath: '/opt/spire/bin/spire-server',
      adminSocketPath: '/tmp/spire-server/private/api.sock',
    },
    // MERGE: replace with the SpireAgent construct
    agents: { namespace: config.namespaces.spire, serviceAccountName: 'spire-agent', clusterName: config.clusterName },
    identities: [
      // MERGE: replace with the bookinfo constructs' identities
      ...config.bookinfo.namespaces.flatMap((ns) =>
        ['bookinfo-details', 'bookinfo-ratings', 'bookinfo-reviews', 'bookinfo-productpage'].map((sa) =>
          workloadIdentity(config.trustDomain, ns, sa),
        ),
      ),
      // MERGE: replace with the Istio ingress gateway construct's identity
      ...(config.istio.ingressGateway.enabled
        ? [workloadIdentity(config.trustDomain, config.namespaces.istio, 'istio-ingressgateway-service-account')]
        : []),
    ],
    trustDomain: config.trustDomain,
    images: { shell: config.images.registrationShell, kubectl: config.images.kubectl, jq: config.images.jq },
  });

  charts.forEach((chart, wave) => {
    for (const obj of chart.allObjects) obj.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(wave));
  });
  return { config, app, istioctlApp, charts, namespaces, registration };
}
