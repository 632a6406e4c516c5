import * as path from 'path';
import { App, Chart, Yaml } from 'cdk8s';
import { IstioHelmRelease } from '../istio/helm-values';
import { ArgoCdSettings } from './application';
import { ApplicationHealthCustomization } from './health-customization';
import { IstioApplications } from './istio-applications';
import { RootApplication } from './root-application';

/** Below the output directory; `kubectl apply -f dist/` (not recursive) skips it. */
export const ARGOCD_SUBDIR = 'argocd';
/** The child Applications the root syncs, below {@link ARGOCD_SUBDIR}. */
export const ARGOCD_APPS_SUBDIR = path.posix.join(ARGOCD_SUBDIR, 'apps');
/**
 * The files of the output directory the root syncs: the numbered kubectl steps
 * (`NNNN-<step>.k8s.yaml`, see MeshChart) and the child Applications. Argo CD matches
 * `directory.include` with gobwas/glob and no separators, so `*` also crosses `/`: the step
 * pattern is anchored on the leading digit, which no subdirectory name has.
 */
export const ROOT_INCLUDE = `{[0-9]*.k8s.yaml,${ARGOCD_APPS_SUBDIR}/*.k8s.yaml}`;

export interface MeshGitOpsProps {
  readonly settings: ArgoCdSettings;
  readonly repoURL: string;
  readonly revision: string;
  /** The output directory inside the Git repository. */
  readonly path: string;
  readonly istio: {
    readonly releases: readonly IstioHelmRelease[];
    readonly chartRepository: string;
    /** The sync wave reserved for the first Istio release. */
    readonly firstWave: number;
  };
}

/** The Argo CD files of the mesh: what the user applies by hand, and what the root syncs. */
export interface MeshGitOps {
  /** Holds the charts below; it is never synthesized itself: synth writes {@link gitopsFiles} below the mesh's output directory. */
  readonly app: App;
  /** Each chart by the file it is written to, relative to the output directory, in a stable order. */
  readonly files: ReadonlyMap<string, Chart>;
  readonly root: RootApplication;
  readonly health: ApplicationHealthCustomization;
  readonly istio: IstioApplications;
}

/** Builds the Argo CD Applications of the mesh (nothing is written: see {@link gitopsFiles}). */
export function buildGitOps(props: MeshGitOpsProps): MeshGitOps {
  const app = new App();
  const chart = (id: string) => new Chart(app, id, { disableResourceNameHashes: true });
  const rootChart = chart('root');
  const healthChart = chart('argocd-cm-health');
  const istioChart = chart('istio');
  const root = new RootApplication(rootChart, 'root', {
    settings: props.settings,
    repoURL: props.repoURL,
    revision: props.revision,
    path: props.path,
    include: ROOT_INCLUDE,
  });
  const health = new ApplicationHealthCustomization(healthChart, 'health', { namespace: props.settings.namespace });
  const istio = new IstioApplications(istioChart, 'istio', {
    settings: props.settings,
    releases: props.istio.releases,
    chartRepository: props.istio.chartRepository,
    firstWave: props.istio.firstWave,
    namePrefix: root.application.name,
  });
  const files = new Map<string, Chart>([
    [path.posix.join(ARGOCD_SUBDIR, 'root.k8s.yaml'), rootChart],
    [path.posix.join(ARGOCD_SUBDIR, 'argocd-cm-health.k8s.yaml'), healthChart],
    [path.posix.join(ARGOCD_APPS_SUBDIR, 'istio.k8s.yaml'), istioChart],
  ]);
  return { app, files, root, health, istio };
}

/** The objects of each Argo CD file, by path relative to the output directory: what synth checks, then writes. */
export function gitopsManifests(gitops: MeshGitOps): Map<string, unknown[]> {
  return new Map([...gitops.files].map(([file, chart]) => [file, chart.toJson()]));
}

/**
 * The Argo CD files as YAML text (cdk8s's own rendering, as `App.synth()` writes it), by path
 * relative to the output directory. Synth writes them; the GitOps example is compared to them.
 */
export function gitopsFiles(gitops: MeshGitOps): Map<string, string> {
  return new Map([...gitopsManifests(gitops)].map(([file, objects]) => [file, Yaml.stringify(...objects)]));
}

/** Printed by synth when `gitops.repoURL` is empty. */
export const GITOPS_DISABLED_HINT =
  'Argo CD files not written: set gitops.repoURL in spire-mesh.config.yaml to get dist/argocd/ (see docs/gitops.md)';

/** What synth reports about Argo CD: each file written, or in one line how to get them. */
export function gitopsReport(gitops: MeshGitOps | undefined, dist: string): string[] {
  if (!gitops) return [`spire-mesh: ${GITOPS_DISABLED_HINT}`];
  return [...gitops.files.keys()].map((file) => `  ${path.join(dist, file)}  (Argo CD)`);
}
