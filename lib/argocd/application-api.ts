/**
 * The fields of Argo CD's `argoproj.io/v1alpha1` Application that this project sets, as
 * TypeScript types (a closed model; tests validate every rendered Application against the
 * v3.5.1 CRD with unknown fields refused). `cdk8s import` of that CRD would generate far
 * more than these few types, and the kind is emitted as a plain `ApiObject` like the
 * IstioOperator.
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/#applications
 * @see https://github.com/argoproj/argo-cd/blob/v3.5.1/manifests/crds/application-crd.yaml
 */

export const APPLICATION_API_VERSION = 'argoproj.io/v1alpha1';
export const APPLICATION_KIND = 'Application';
/** Deleting an Application with this finalizer deletes the resources it manages (cascade). */
export const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';
/** The cluster Argo CD itself runs in. */
export const IN_CLUSTER = 'https://kubernetes.default.svc';

export interface ApplicationSpec {
  readonly project: string;
  readonly source: ApplicationSource;
  readonly destination: ApplicationDestination;
  readonly syncPolicy: SyncPolicy;
  readonly ignoreDifferences?: readonly ResourceIgnoreDifferences[];
}

/** A Git directory (`path`) or a Helm chart of a chart repository (`chart`). */
export interface ApplicationSource {
  readonly repoURL: string;
  readonly targetRevision: string;
  readonly path?: string;
  readonly chart?: string;
  readonly directory?: {
    readonly recurse: boolean;
    /** Glob (github.com/gobwas/glob, no path separators: `*` also matches `/`) over paths relative to `path`. */
    readonly include: string;
  };
  readonly helm?: {
    readonly releaseName: string;
    /** Values as an object, so they are typed and diffable (the chart's own values lie under them). */
    readonly valuesObject: unknown;
  };
}

export interface ApplicationDestination {
  readonly server: string;
  readonly namespace?: string;
}

export interface SyncPolicy {
  readonly automated?: {
    readonly enabled: boolean;
    readonly prune: boolean;
    readonly selfHeal: boolean;
  };
  readonly syncOptions?: readonly string[];
  readonly retry?: RetryStrategy;
}

/**
 * How Argo CD retries a failed sync (`RetryStrategy`, pkg/apis/application/v1alpha1/types.go
 * at v3.5.1). `limit` 0 (also what an omitted limit decodes to) retries never; a negative limit
 * retries without end (`RetryCount < Limit || Limit < 0`, controller/appcontroller.go:1620).
 * Durations are seconds as a bare number, or a Go duration (`parseStringToDuration`).
 */
export interface RetryStrategy {
  readonly limit: number;
  readonly backoff: {
    readonly duration: string;
    readonly factor: number;
    readonly maxDuration: string;
  };
  /** Retry with the newest revision of the source rather than the one that failed. */
  readonly refresh: boolean;
}

/** Fields of live objects Argo CD leaves out of the diff. */
export interface ResourceIgnoreDifferences {
  readonly group: string;
  readonly kind: string;
  readonly jqPathExpressions: readonly string[];
}
