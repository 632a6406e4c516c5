import { Construct } from 'constructs';
import { BookinfoConfig } from '../config/mesh-config';
import { WorkloadIdentity } from '../identity';
import { ISidecarInjection } from '../istio/interfaces';
import { MeshedService, MeshedServiceProps } from '../mesh/meshed-service';

/** The port every bookinfo app listens on and its Service exposes. */
export const BOOKINFO_PORT = 9080;

export interface BookinfoProps {
  /** The namespace this copy runs in; each copy has its own identities. */
  readonly namespace: string;
  readonly trustDomain: string;
  readonly injection: ISidecarInjection;
  /** One image per Deployment. */
  readonly images: BookinfoConfig['images'];
}

/**
 * Istio's bookinfo sample as meshed services: details v1, ratings v1, reviews v1–v3 and
 * productpage v1, each app on port 9080 and running as its own `bookinfo-<app>` service account.
 * @see https://istio.io/latest/docs/examples/bookinfo/
 */
export class Bookinfo extends Construct {
  public readonly namespace: string;
  public readonly details: MeshedService;
  public readonly ratings: MeshedService;
  public readonly reviews: MeshedService;
  public readonly productpage: MeshedService;
  /** The four services, in the order above. */
  public readonly services: readonly MeshedService[];
  /** One identity per service account, for the registration construct. */
  public readonly identities: readonly WorkloadIdentity[];

  constructor(scope: Construct, id: string, props: BookinfoProps) {
    super(scope, id);
    this.namespace = props.namespace;
    const app = (name: string, rest: Pick<MeshedServiceProps, 'versions'> & Partial<MeshedServiceProps>) =>
      new MeshedService(this, name, {
        name,
        namespace: props.namespace,
        port: BOOKINFO_PORT,
        trustDomain: props.trustDomain,
        injection: props.injection,
        serviceAccountName: `bookinfo-${name}`,
        healthPath: '/health',
        ...rest,
      });
    const images = props.images;

    this.details = app('details', {
      versions: [{ name: 'v1', image: images.detailsV1 }],
      resources: { cpuRequest: '20m', memoryRequest: '32Mi', memoryLimit: '128Mi' },
    });
    this.ratings = app('ratings', {
      versions: [{ name: 'v1', image: images.ratingsV1 }],
      resources: { cpuRequest: '20m', memoryRequest: '32Mi', memoryLimit: '128Mi' },
    });
    this.reviews = app('reviews', {
      versions: [
        { name: 'v1', image: images.reviewsV1 },
        { name: 'v2', image: images.reviewsV2 },
        { name: 'v3', image: images.reviewsV3 },
      ],
      env: { LOG_DIR: '/tmp/logs' },
      scratchDirs: ['/tmp', '/opt/ibm/wlp/output'],
      // WebSphere Liberty on OpenJ9: the image is not known to write only below the two
      // scratch dirs (class cache, server workarea), so its root stays writable.
      readOnlyRootFilesystem: false,
      resources: { cpuRequest: '100m', memoryRequest: '256Mi', memoryLimit: '512Mi' },
    });
    this.productpage = app('productpage', {
      versions: [{ name: 'v1', image: images.productpageV1 }],
      // Python writes temporary files to /tmp only; the rest of the image is read-only.
      scratchDirs: ['/tmp'],
      resources: { cpuRequest: '50m', memoryRequest: '64Mi', memoryLimit: '256Mi' },
    });
    this.services = [this.details, this.ratings, this.reviews, this.productpage];
    this.identities = this.services.map((s) => s.identity);
  }
}
