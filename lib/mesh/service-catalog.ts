import { Construct } from 'constructs';
import { AuthorizationMode } from '../authorization/mode';
import { WorkloadIdentity } from '../identity';
import { IIngressGateway, ISidecarInjection } from '../istio/interfaces';
import { ValidationError } from '../validation';
import { parseCaller, ServiceDeclaration, serviceKey } from './declaration';
import { MeshedService, meshedServiceIdentity } from './meshed-service';

/** Everything a declaration needs from the mesh to become a {@link MeshedService}. */
export interface ServiceCatalogProps {
  readonly trustDomain: string;
  readonly injection: ISidecarInjection;
  /** @default - no gateway: `ingress` callers and routes are refused */
  readonly gateway?: IIngressGateway;
  /** @default 'enforce' */
  readonly authorization?: AuthorizationMode;
  /**
   * Identities of workloads declared elsewhere (VM workloads), by `<namespace>/<name>`, that callers may name.
   * @default - none
   */
  readonly otherIdentities?: ReadonlyMap<string, WorkloadIdentity>;
}

/**
 * The declared services of a mesh by key, resolving caller names to the identities the
 * registration entries are made from.
 */
export class ServiceCatalog {
  private readonly identities = new Map<string, WorkloadIdentity>();

  constructor(
    private readonly props: ServiceCatalogProps,
    declarations: readonly ServiceDeclaration[],
  ) {
    for (const d of declarations) {
      const key = serviceKey(d);
      if (this.identities.has(key)) throw new ValidationError('services', key, 'is declared twice');
      this.identities.set(key, meshedServiceIdentity(props.trustDomain, d.namespace, d.name, d.serviceAccountName));
    }
    for (const [key, identity] of props.otherIdentities ?? []) {
      if (this.identities.has(key)) throw new ValidationError('services', key, 'is declared twice');
      this.identities.set(key, identity);
    }
  }

  /**
   * The identities of caller names listed by the service `owner` (`<namespace>/<name>`);
   * throws naming the first unknown one and the service listing it.
   */
  public resolveCallers(owner: string, refs: readonly string[]): WorkloadIdentity[] {
    const namespace = owner.split('/')[0];
    return refs.map((ref) => {
      const caller = parseCaller(ref, namespace);
      if (caller.ingress) {
        if (!this.props.gateway) throw new ValidationError(`service ${owner} callers`, ref, 'needs the ingress gateway (istio.ingressGateway.enabled)');
        return this.props.gateway.identity;
      }
      const identity = this.identities.get(caller.key);
      if (!identity) throw new ValidationError(`service ${owner} callers`, ref, `is not a declared service (known: ${[...this.identities.keys()].join(', ')})`);
      return identity;
    });
  }

  /**
   * Builds the service `d` declares, its callers resolved, in `scope`.
   * @param extraCallers identities admitted besides the declared callers (resolved elsewhere)
   */
  public declare(scope: Construct, d: ServiceDeclaration, extraCallers: readonly WorkloadIdentity[] = []): MeshedService {
    const { callers: _names, route, ...rest } = d;
    if (route && !this.props.gateway) throw new ValidationError(`service ${serviceKey(d)} route`, route.hosts, 'needs the ingress gateway (istio.ingressGateway.enabled)');
    return new MeshedService(scope, d.name, {
      ...rest,
      trustDomain: this.props.trustDomain,
      injection: this.props.injection,
      authorization: this.props.authorization,
      callers: [...this.resolveCallers(serviceKey(d), d.callers ?? []), ...extraCallers],
      ...(route && this.props.gateway ? { route: { ...route, gateway: this.props.gateway } } : {}),
    });
  }
}
