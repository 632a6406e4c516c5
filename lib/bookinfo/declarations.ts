import { INGRESS_CALLER, ServiceDeclaration } from '../mesh/declaration';

/** The port every bookinfo app listens on and its Service exposes. */
export const BOOKINFO_PORT = 9080;

/** One image per bookinfo Deployment, each pinned. */
export interface BookinfoImages {
  /** @default 'registry.istio.io/release/examples-bookinfo-details-v1:1.20.3' */
  readonly detailsV1: string;
  /** @default 'registry.istio.io/release/examples-bookinfo-ratings-v1:1.20.3' */
  readonly ratingsV1: string;
  /** @default 'registry.istio.io/release/examples-bookinfo-reviews-v1:1.20.3' */
  readonly reviewsV1: string;
  /** @default 'registry.istio.io/release/examples-bookinfo-reviews-v2:1.20.3' */
  readonly reviewsV2: string;
  /** @default 'registry.istio.io/release/examples-bookinfo-reviews-v3:1.20.3' */
  readonly reviewsV3: string;
  /** @default 'registry.istio.io/release/examples-bookinfo-productpage-v1:1.20.3' */
  readonly productpageV1: string;
}

const image = (name: string) => `registry.istio.io/release/examples-bookinfo-${name}:1.20.3`;

/** The images Istio's bookinfo 1.20.3 release publishes: the one place these defaults live. */
export const DEFAULT_BOOKINFO_IMAGES: BookinfoImages = {
  detailsV1: image('details-v1'),
  ratingsV1: image('ratings-v1'),
  reviewsV1: image('reviews-v1'),
  reviewsV2: image('reviews-v2'),
  reviewsV3: image('reviews-v3'),
  productpageV1: image('productpage-v1'),
};

/** The four apps, in the order they are declared. */
export const BOOKINFO_APPS = ['details', 'ratings', 'reviews', 'productpage'] as const;
export type BookinfoApp = (typeof BOOKINFO_APPS)[number];

/** The names of bookinfo's routing objects, as in the demo (see `BookinfoRouting`). */
export const BOOKINFO_ROUTING = {
  httpGateway: 'bookinfo-gateway',
  mtlsGateway: 'bookinfo-gateway-mtls',
  virtualService: 'bookinfo-service',
  destinationRule: 'enable-mtls',
} as const;

/** The objects bookinfo's routing writes in each of its namespaces, as `<kind>/<name>`, besides its services'. */
export const BOOKINFO_ROUTING_OBJECTS: readonly string[] = [
  `Gateway/${BOOKINFO_ROUTING.httpGateway}`,
  `Gateway/${BOOKINFO_ROUTING.mtlsGateway}`,
  `VirtualService/${BOOKINFO_ROUTING.virtualService}`,
  `DestinationRule/${BOOKINFO_ROUTING.destinationRule}`,
];

export interface BookinfoDeclarationOptions {
  readonly namespace: string;
  /** @default DEFAULT_BOOKINFO_IMAGES */
  readonly images?: BookinfoImages;
  /**
   * The ingress gateway routes to productpage, so productpage admits it.
   * @default true
   */
  readonly ingress?: boolean;
}

/**
 * Istio's bookinfo sample in the services model, with its real call graph: the ingress
 * gateway calls productpage; productpage calls details and reviews; reviews calls ratings.
 * Each app listens on 9080, answers `/health` and runs as `bookinfo-<app>`.
 * @see https://istio.io/latest/docs/examples/bookinfo/
 */
export function bookinfoDeclarations(options: BookinfoDeclarationOptions): Record<BookinfoApp, ServiceDeclaration> {
  const images = options.images ?? DEFAULT_BOOKINFO_IMAGES;
  const app = (name: BookinfoApp, rest: Omit<ServiceDeclaration, 'name' | 'namespace' | 'port'>): ServiceDeclaration => ({
    name,
    namespace: options.namespace,
    port: BOOKINFO_PORT,
    serviceAccountName: `bookinfo-${name}`,
    healthPath: '/health',
    ...rest,
  });
  return {
    details: app('details', {
      versions: [{ name: 'v1', image: images.detailsV1 }],
      resources: { cpuRequest: '20m', memoryRequest: '32Mi', memoryLimit: '128Mi' },
      callers: ['productpage'],
    }),
    ratings: app('ratings', {
      versions: [{ name: 'v1', image: images.ratingsV1 }],
      resources: { cpuRequest: '20m', memoryRequest: '32Mi', memoryLimit: '128Mi' },
      callers: ['reviews'],
    }),
    reviews: app('reviews', {
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
      callers: ['productpage'],
    }),
    productpage: app('productpage', {
      versions: [{ name: 'v1', image: images.productpageV1 }],
      // Python writes temporary files to /tmp only; the rest of the image is read-only.
      scratchDirs: ['/tmp'],
      // The image runs `gunicorn -w 8 -k gevent` without --preload (its Dockerfile in
      // istio/istio samples/bookinfo/src/productpage), so each of the 8 workers imports
      // Flask, gevent, requests and the OpenTelemetry SDK itself: about 45 MiB each plus
      // the arbiter, some 380 MiB at rest. 256Mi would OOM-kill it; the limit leaves twice
      // that for request bursts.
      resources: { cpuRequest: '100m', memoryRequest: '384Mi', memoryLimit: '768Mi' },
      callers: options.ingress === false ? [] : [INGRESS_CALLER],
    }),
  };
}
