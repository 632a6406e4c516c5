import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { SYNC_WAVE_ANNOTATION } from '../core/mesh-chart';
import { argoDurationSeconds, checkArgoDuration, checkDns1123Label, checkDns1123Subdomain, checkWholeNumber, ValidationError } from '../validation';
import { APPLICATION_API_VERSION, APPLICATION_KIND, ApplicationSpec, RESOURCES_FINALIZER, RetryStrategy, SyncPolicy } from './application-api';

/**
 * Retry failed syncs without end, 10s after the first failure, doubling up to every 5 minutes,
 * each time with the newest revision. Without a `retry`, Argo CD retries an automated sync 5
 * times (`Retry: RetryStrategy{Limit: 5}`, controller/appcontroller.go:2383 at v3.5.1) and then
 * never again for that revision (2394-2402): one registration Job that fails while SPIRE
 * restarts would stall every later wave until the next commit. Every step here is idempotent
 * and its usual failures are transient (a server not Ready yet, a webhook not serving yet), so
 * retrying is safe; `refresh` matters because an operation that is retrying blocks any new
 * automated sync (appcontroller.go:2336), so without it a fixing commit would wait behind the
 * failed revision's retries forever. 5 minutes bounds how long a recovered cause or a fix waits.
 */
export const DEFAULT_RETRY: RetryStrategy = {
  limit: -1,
  backoff: { duration: '10s', factor: 2, maxDuration: '5m' },
  refresh: true,
};

/**
 * The rule for a {@link RetryStrategy}, shared by the config loader and {@link ArgoApplication}:
 * limit -1 (no end) or a whole number (0: never retry); durations Argo CD parses, above zero,
 * the cap no shorter than the first wait; factor a whole number, 1 or more.
 */
export function checkRetryStrategy(retry: RetryStrategy, field: (prop: string) => string = (p) => `retry.${p}`): RetryStrategy {
  if (!Number.isInteger(retry.limit) || retry.limit < -1) {
    throw new ValidationError(field('limit'), retry.limit, 'must be -1 (retry without end) or a whole number of retries, 0 or more (0: a failed sync is never retried)');
  }
  checkArgoDuration(field('backoff.duration'), retry.backoff.duration);
  checkArgoDuration(field('backoff.maxDuration'), retry.backoff.maxDuration);
  checkWholeNumber(field('backoff.factor'), retry.backoff.factor, 1);
  if (argoDurationSeconds(retry.backoff.maxDuration) < argoDurationSeconds(retry.backoff.duration)) {
    throw new ValidationError(
      field('backoff.maxDuration'),
      retry.backoff.maxDuration,
      `must be at least ${field('backoff.duration')} (${retry.backoff.duration}): it caps the wait between retries`,
    );
  }
  return retry;
}

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
  /**
   * How a failed sync (automated or not) is retried.
   * @default DEFAULT_RETRY
   */
  readonly retry?: RetryStrategy;
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
      retry: checkRetryStrategy(settings.retry ?? DEFAULT_RETRY),
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
