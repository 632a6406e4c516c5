import { Construct } from 'constructs';
import { checkGitRepoUrl, checkGitRevision, checkRepoPath } from '../validation';
import { IN_CLUSTER } from './application-api';
import { ArgoApplication, ArgoCdSettings } from './application';

/** The name of the root Application, and the prefix of its children's names. */
export const ROOT_APPLICATION_NAME = 'spire-mesh';

export interface RootApplicationProps {
  readonly settings: ArgoCdSettings;
  /** The Git repository holding the synthesized output. */
  readonly repoURL: string;
  /** Branch, tag or commit to follow. */
  readonly revision: string;
  /** The output directory (`dist/`) inside the repository. */
  readonly path: string;
  /**
   * Which files under {@link path} the root syncs: the kubectl steps and the child
   * Applications, never the istioctl input, the index or the Argo CD files the user applies
   * by hand. A gobwas glob without separators (`*` also crosses `/`).
   */
  readonly include: string;
  /** @default ROOT_APPLICATION_NAME */
  readonly name?: string;
}

/**
 * The one Application a user applies (`kubectl apply -n argocd -f`): it syncs `dist/` from
 * Git, whose objects carry sync waves in apply order, Istio's child Applications included.
 * It is the only object that names the Git repository.
 */
export class RootApplication extends Construct {
  public readonly application: ArgoApplication;

  constructor(scope: Construct, id: string, props: RootApplicationProps) {
    super(scope, id);
    this.application = new ArgoApplication(this, 'application', {
      name: props.name ?? ROOT_APPLICATION_NAME,
      settings: props.settings,
      spec: {
        source: {
          repoURL: checkGitRepoUrl('repoURL', props.repoURL),
          targetRevision: checkGitRevision('revision', props.revision),
          path: checkRepoPath('path', props.path),
          directory: { recurse: true, include: props.include },
        },
        // Every synthesized object names its namespace, so the root needs no default one.
        destination: { server: IN_CLUSTER },
      },
    });
  }
}
