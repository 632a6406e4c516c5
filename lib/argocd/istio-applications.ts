import { Construct } from 'constructs';
import { IstioHelmRelease } from '../istio/helm-values';
import { ISTIO_CHARTS, IstioChart } from '../istio/helm-values-api';
import { checkHelmRepoUrl } from '../validation';
import { IN_CLUSTER, ResourceIgnoreDifferences } from './application-api';
import { ArgoApplication, ArgoCdSettings } from './application';

const MUTATING_WEBHOOK_CA: ResourceIgnoreDifferences = {
  group: 'admissionregistration.k8s.io',
  kind: 'MutatingWebhookConfiguration',
  jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'],
};
/** Installed with `failurePolicy: Ignore` and no CA; istiod adds its CA and switches to Fail once it serves (istio/istio#52785, #57643). */
const VALIDATING_WEBHOOK_CA_AND_POLICY: ResourceIgnoreDifferences = {
  group: 'admissionregistration.k8s.io',
  kind: 'ValidatingWebhookConfiguration',
  jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle', '.webhooks[]?.failurePolicy'],
};

/**
 * The webhook fields istiod rewrites after start, per chart (read in the 1.30.3 charts): base
 * holds `istiod-default-validator`; istiod its injector and its own validator.
 */
const FIELDS_ISTIOD_WRITES: Readonly<Record<IstioChart, readonly ResourceIgnoreDifferences[]>> = {
  base: [VALIDATING_WEBHOOK_CA_AND_POLICY],
  istiod: [MUTATING_WEBHOOK_CA, VALIDATING_WEBHOOK_CA_AND_POLICY],
  gateway: [],
};

/**
 * Charts synced with server-side apply (`ServerSideApply=true`, Argo CD docs
 * user-guide/sync-options.md at v3.5.1: valid in an Application's `syncPolicy.syncOptions`). base
 * holds Istio's CRDs: client-side apply copies each object into its last-applied annotation,
 * capped with the others at 256 KiB, and the largest, `destinationrules.networking.istio.io`, is
 * already 146 KiB of compact JSON in 1.30.3 and grows with each minor. Server-side apply
 * stores no such copy.
 */
const SERVER_SIDE_APPLY: Readonly<Record<IstioChart, boolean>> = { base: true, istiod: false, gateway: false };

export interface IstioApplicationsProps {
  readonly settings: ArgoCdSettings;
  /** The Istio install as Helm releases, in install order. */
  readonly releases: readonly IstioHelmRelease[];
  /** Helm repository of Istio's charts. */
  readonly chartRepository: string;
  /** Sync wave of the first release; each next release gets the next wave. */
  readonly firstWave: number;
  /** Prefix of the Application names (the root Application's name). */
  readonly namePrefix: string;
}

/**
 * One Argo CD Application per Istio Helm release (`base`, `istiod`, `gateway`), each in its
 * own sync wave, so the root Application installs them in order and waits for each to be
 * healthy. They name the chart repository, never the Git repository.
 */
export class IstioApplications extends Construct {
  public readonly applications: readonly ArgoApplication[];

  constructor(scope: Construct, id: string, props: IstioApplicationsProps) {
    super(scope, id);
    const repoURL = checkHelmRepoUrl('chartRepository', props.chartRepository);
    this.applications = props.releases.map((release) => {
      const webhooks = FIELDS_ISTIOD_WRITES[release.chart];
      return new ArgoApplication(this, release.releaseName, {
        name: `${props.namePrefix}-${release.releaseName}`,
        settings: props.settings,
        // By chart, not position: a second gateway (the east-west one, with VM workloads) shares the gateways' wave.
        wave: props.firstWave + ISTIO_CHARTS.indexOf(release.chart),
        spec: {
          source: {
            repoURL,
            chart: release.chart,
            targetRevision: release.version,
            helm: { releaseName: release.releaseName, valuesObject: release.values },
          },
          destination: { server: IN_CLUSTER, namespace: release.namespace },
          ...(webhooks.length ? { ignoreDifferences: webhooks } : {}),
        },
        syncOptions: [
          // Without it, self-heal and every sync would write the ignored fields back.
          ...(webhooks.length ? ['RespectIgnoreDifferences=true'] : []),
          ...(SERVER_SIDE_APPLY[release.chart] ? ['ServerSideApply=true'] : []),
        ],
      });
    });
  }
}
