import { checkPort, checkWholeNumber, ValidationError } from '../validation';

/**
 * The rules and names of meshed services that the config loader checks before any
 * construct exists, kept free of cdk8s so both use the same ones.
 */

/**
 * Protocols Istio recognises from a Service port's name; the port is named after its protocol.
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/
 */
export const MESH_PROTOCOLS = ['http', 'http2', 'grpc', 'tcp'] as const;
export type MeshProtocol = (typeof MESH_PROTOCOLS)[number];

/** Ports the injected proxy listens on in every pod; an app port there would collide. */
export const ISTIO_PROXY_PORTS: readonly number[] = [15000, 15001, 15004, 15006, 15008, 15009, 15020, 15021, 15053, 15090];

/** The port an app listens on: a port, and none of the proxy's. */
export function checkAppPort(field: string, port: number): number {
  checkPort(field, port);
  if (ISTIO_PROXY_PORTS.includes(port)) {
    throw new ValidationError(field, port, `must not be a port of the injected proxy (${ISTIO_PROXY_PORTS.join(', ')})`);
  }
  return port;
}

/**
 * An environment variable name as the Kubernetes API accepts it (also an envFrom prefix).
 * (`IsEnvVarName` in k8s.io/apimachinery's validation package).
 */
export function checkEnvName(field: string, name: string): string {
  if (!/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(name)) {
    throw new ValidationError(field, name, 'must be an environment variable name: letters, digits, "_", "-" and ".", not starting with a digit');
  }
  return name;
}

/** The most replicas of one version: far above any service of a mesh this size, well below what would swamp synth and the cluster. */
export const MAX_REPLICAS = 1000;

/** Replicas of a Deployment: 0 (scaled down) to {@link MAX_REPLICAS}. */
export function checkReplicas(field: string, replicas: number): number {
  return checkWholeNumber(field, replicas, 0, MAX_REPLICAS);
}

/** The Deployment of one version: `<service>-<version>`. */
export function deploymentName(service: string, version: string): string {
  return `${service}-${version}`;
}

const HOST = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const PATH_PREFIX = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/;

/** A host a route answers: a DNS name, optionally `*.`-prefixed (never a bare `*`, which is bookinfo's). */
export function checkRouteHost(field: string, host: string): string {
  if (!HOST.test(host)) throw new ValidationError(field, host, 'must be a DNS name, optionally starting with "*."');
  return host;
}

/** A URI prefix a route sends on. */
export function checkPathPrefix(field: string, prefix: string): string {
  if (!PATH_PREFIX.test(prefix)) throw new ValidationError(field, prefix, 'must be a URI path starting with "/"');
  return prefix;
}

/** The Gateway of a routed service: `<service>-gateway`. */
export function routeGatewayName(service: string): string {
  return `${service}-gateway`;
}
