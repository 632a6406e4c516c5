import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { IstioHelmRelease } from '../istio/helm-values';
import { ArgoCdSettings } from './application';
import { ApplicationHealthCustomization } from './health-customization';
import { IstioApplications } from './istio-applications';
import { RootApplication, ROOT_APPLICATION_NAME } from './root-application';

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
  /** The mesh's output directory (`dist`); Argo CD files go below it. */
  readonly outdir: string;
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
  /** Writes `<outdir>/argocd/`: the root Application and the health customisation (applied by hand). */
  readonly app: App;
  /** Writes `<outdir>/argocd/apps/`: the Istio Applications the root syncs. */
  readonly appsApp: App;
  readonly root: RootApplication;
  readonly health: ApplicationHealthCustomization;
  readonly istio: IstioApplications;
}

/** Builds the Argo CD Applications of the mesh (nothing is written until the Apps synth). */
export function buildGitOps(props: MeshGitOpsProps): MeshGitOps {
  const app = new App({ outdir: path.join(props.outdir, ARGOCD_SUBDIR) });
  const appsApp = new App({ outdir: path.join(props.outdir, ARGOCD_APPS_SUBDIR) });
  const chart = (scope: App, id: string) => new Chart(scope, id, { disableResourceNameHashes: true });
  const root = new RootApplication(chart(app, 'root'), 'root', {
    settings: props.settings,
    repoURL: props.repoURL,
    revision: props.revision,
    path: props.path,
    include: ROOT_INCLUDE,
  });
  const health = new ApplicationHealthCustomization(chart(app, 'argocd-cm-health'), 'health', { namespace: props.settings.namespace });
  const istio = new IstioApplications(chart(appsApp, 'istio'), 'istio', {
    settings: props.settings,
    releases: props.istio.releases,
    chartRepository: props.istio.chartRepository,
    firstWave: props.istio.firstWave,
    namePrefix: ROOT_APPLICATION_NAME,
  });
  return { app, appsApp, root, health, istio };
}

/** Printed by synth when `gitops.repoURL` is empty. */
export const GITOPS_DISABLED_HINT =
  'Argo CD files not written: set gitops.repoURL in spire-mesh.config.yaml to get dist/argocd/ (see docs/gitops.md)';
