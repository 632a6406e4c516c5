import { Construct } from 'constructs';
import { AuthorizationMode } from '../authorization/mode';
import { WorkloadIdentity } from '../identity';
import { IIngressGateway, ISidecarInjection } from '../istio/interfaces';
import { ServiceCatalog } from '../mesh/service-catalog';
import { MeshedService } from '../mesh/meshed-service';
import { BookinfoApp, bookinfoDeclarations, BookinfoImages } from './declarations';

export { BOOKINFO_PORT } from './declarations';

export interface BookinfoProps {
  /** The namespace this copy runs in; each copy has its own identities. */
  readonly namespace: string;
  readonly trustDomain: string;
  readonly injection: ISidecarInjection;
  /**
   * One image per Deployment.
   * @default DEFAULT_BOOKINFO_IMAGES
   */
  readonly images?: BookinfoImages;
  /**
   * The ingress gateway that routes to productpage; productpage admits its identity.
   * @default - none: productpage has no caller
   */
  readonly gateway?: IIngressGateway;
  /**
   * Callers admitted besides bookinfo's own call graph, per app (e.g. a service of yours
   * reading `details`).
   * @default - none
   */
  readonly extraCallers?: Partial<Record<BookinfoApp, readonly WorkloadIdentity[]>>;
  /**
   * Whether each app admits only its declared callers.
   * @default 'enforce'
   */
  readonly authorization?: AuthorizationMode;
}

/**
 * Istio's bookinfo sample as meshed services, built from `bookinfoDeclarations` in
 * lib/bookinfo/declarations.ts: details v1, ratings v1, reviews v1–v3 and productpage v1, each
 * app on port 9080, running as its own `bookinfo-<app>` service account, callable only along
 * bookinfo's call graph.
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
  /** One identity per service account, in the order above. */
  public readonly identities: readonly WorkloadIdentity[];

  constructor(scope: Construct, id: string, props: BookinfoProps) {
    super(scope, id);
    this.namespace = props.namespace;
    const declared = bookinfoDeclarations({ namespace: props.namespace, images: props.images, ingress: props.gateway !== undefined });
    const catalog = new ServiceCatalog(props, Object.values(declared));
    const declare = (app: BookinfoApp) => catalog.declare(this, declared[app], props.extraCallers?.[app]);
    this.details = declare('details');
    this.ratings = declare('ratings');
    this.reviews = declare('reviews');
    this.productpage = declare('productpage');
    this.services = [this.details, this.ratings, this.reviews, this.productpage];
    this.identities = this.services.map((s) => s.identity);
  }
}
