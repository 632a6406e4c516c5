import { Construct } from 'constructs';
import { Gateway, VirtualService } from '../../imports/networking.istio.io';
import { IIngressGateway } from '../istio/interfaces';
import { checkPort, checkUnique, ValidationError } from '../validation';
import { checkPathPrefix, checkRouteHost, routeGatewayName } from './rules';

/** How the ingress gateway exposes a service. */
export interface ServiceRouteOptions {
  /** The gateway whose pods serve the route; its identity must be among the service's callers. */
  readonly gateway: IIngressGateway;
  /** Host names the route answers, e.g. `api.example.com` or `*.example.com`; at least one. */
  readonly hosts: readonly string[];
  /**
   * URI prefixes sent to the service.
   * @default ['/']
   */
  readonly pathPrefixes?: readonly string[];
}

export interface ServiceRouteProps extends ServiceRouteOptions {
  /** The Service the route sends to, in its namespace. */
  readonly serviceName: string;
  readonly namespace: string;
  /** The Service port. */
  readonly port: number;
}

/**
 * A service exposed through the ingress gateway: a Gateway `<service>-gateway` (plain HTTP
 * on the gateway's `httpPort`, the route's hosts) and a VirtualService `<service>` sending
 * the path prefixes to the Service.
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/
 */
export class ServiceRoute extends Construct {
  public readonly hosts: readonly string[];
  public readonly pathPrefixes: readonly string[];
  public readonly gateway: Gateway;
  public readonly virtualService: VirtualService;

  constructor(scope: Construct, id: string, props: ServiceRouteProps) {
    super(scope, id);
    const field = (prop: string) => `ServiceRoute(${props.serviceName}).${prop}`;
    this.hosts = [...props.hosts];
    if (this.hosts.length === 0) throw new ValidationError(field('hosts'), [], 'must list at least one host');
    this.hosts.forEach((h, i) => checkRouteHost(field(`hosts[${i}]`), h));
    checkUnique(field('hosts'), this.hosts);
    this.pathPrefixes = [...(props.pathPrefixes ?? ['/'])];
    if (this.pathPrefixes.length === 0) throw new ValidationError(field('pathPrefixes'), [], 'must list at least one prefix');
    this.pathPrefixes.forEach((p, i) => checkPathPrefix(field(`pathPrefixes[${i}]`), p));
    checkUnique(field('pathPrefixes'), this.pathPrefixes);
    checkPort(field('port'), props.port);

    this.gateway = new Gateway(this, 'gateway', {
      metadata: { name: routeGatewayName(props.serviceName), namespace: props.namespace },
      spec: {
        selector: { ...props.gateway.selector },
        servers: [{ port: { number: props.gateway.httpPort, name: 'http', protocol: 'HTTP' }, hosts: [...this.hosts] }],
      },
    });
    this.virtualService = new VirtualService(this, 'virtual-service', {
      metadata: { name: props.serviceName, namespace: props.namespace },
      spec: {
        hosts: [...this.hosts],
        gateways: [this.gateway.name],
        http: [
          {
            match: this.pathPrefixes.map((prefix) => ({ uri: { prefix } })),
            route: [{ destination: { host: props.serviceName, port: { number: props.port } } }],
          },
        ],
      },
    });
  }
}
