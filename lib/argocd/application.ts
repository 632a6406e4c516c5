import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { SYNC_WAVE_ANNOTATION } from '../core/mesh-chart';
import { checkDns1123Label, checkDns1123Subdomain } from '../validation';
import { APPLICATION_API_VERSION, APPLICATION_KIND, ApplicationSpec, RESOURCES_FINALIZER, SyncPolicy } from './application-api';

/** Where Argo CD runs and how it syncs: shared by every Application of the mesh. */
export interface ArgoCdSettings {
  /** The namespace Argo CD watches for Applications. */
  readonly namespace: string;
  /** The AppProject every Application belongs to. */
  readonly project: string;
  /** Automated sync, or `undefined` for manual sync. */
  readonly automated?: {
    readonly prune: boolean;
    readonly selfHeal: boolean;
  };
}

export interface ArgoApplicationProps {
  /** The Application's name, unique in the Argo CD namespace. */
  readonly name: string;
  /** Namespace, project and sync policy, shared by the mesh's Applications. */
  readonly settings: ArgoCdSettings;
  /** What to deploy where; the project and sync policy come from {@link settings}. */
  readonly spec: Omit<ApplicationSpec, 'project' | 'syncPolicy'>;
  /**
   * Sync options of this Application (e.g. `RespectIgnoreDifferences=true`).
   * @default - none
   */
  readonly syncOptions?: readonly string[];
  /**
   * The sync wave of the Application inside its parent's sync.
   * @default - no wave annotation (an Application applied by hand)
   */
  readonly wave?: number;
}

/**
 * One Argo CD `Application`, with the project and sync policy of the mesh, and the resources
 * finalizer: deleting the Application deletes what it deployed, so removing a step from Git
 * (prune) removes its objects rather than orphaning them.
 */
export class ArgoApplication extends Construct {
  public readonly name: string;
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: ArgoApplicationProps) {
    super(scope, id);
    this.name = checkDns1123Subdomain('name', props.name);
    const { settings } = props;
    const syncPolicy: SyncPolicy = {
      ...(settings.automated ? { automated: { enabled: true, prune: settings.automated.prune, selfHeal: settings.automated.selfHeal } } : {}),
      ...(props.syncOptions?.length ? { syncOptions: [...props.syncOptions] } : {}),
    };
    const spec: ApplicationSpec = { project: checkDns1123Subdomain('project', settings.project), ...props.spec, syncPolicy };
    this.apiObject = new ApiObject(this, 'resource', {
      apiVersion: APPLICATION_API_VERSION,
      kind: APPLICATION_KIND,
      metadata: {
        name: this.name,
        namespace: checkDns1123Label('namespace', settings.namespace),
        finalizers: [RESOURCES_FINALIZER],
        ...(props.wave === undefined ? {} : { annotations: { [SYNC_WAVE_ANNOTATION]: String(props.wave) } }),
      },
      spec,
    });
  }
}
