// Team A's own service: a chart of the app that holds the mesh. In your project, import from
// 'spire-mesh' instead of '../../lib'.
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { MeshContext, MeshedService } from '../../lib';

export interface EchoChartProps {
  /** The mesh the service joins: its trust domain, injection, gateway and the services it names as callers. */
  readonly mesh: MeshContext;
}

/**
 * An echo server in namespace `team-a`, in a chart of its own: bookinfo's productpage and
 * the ingress gateway (at echo.example.com) may call it, nobody else. Because the chart is in
 * the mesh's App, the mesh gives the service its namespace, SPIRE entry and allow-nothing
 * default, and writes the chart after its own, with the next sync wave.
 */
export class EchoChart extends Chart {
  public readonly echo: MeshedService;

  constructor(scope: Construct, id: string, props: EchoChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const { mesh } = props;
    const gateway = mesh.ingressGateway!;
    this.echo = new MeshedService(this, 'echo', {
      name: 'echo',
      namespace: 'team-a',
      port: 8080,
      versions: [{ name: 'v1', image: 'docker.io/ealen/echo-server:0.9.2' }],
      callers: [mesh.service('default/productpage').identity, gateway.identity],
      route: { gateway, hosts: ['echo.example.com'] },
      trustDomain: mesh.trustDomain,
      injection: mesh.injection,
      authorization: mesh.authorization,
    });
  }
}
