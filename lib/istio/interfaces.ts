import { WorkloadIdentity } from '../identity';

/**
 * What workloads need from the Istio install, as interfaces: which injection templates a
 * pod requests, and the ingress gateway their routing binds to. The Istio constructs
 * implement them; bookinfo and registration take the constructs.
 */

/** Sidecar injection as a meshed pod requests it. */
export interface ISidecarInjection {
  /**
   * The pod annotations that select the injection templates (including the SPIRE one),
   * e.g. `{ 'inject.istio.io/templates': 'sidecar,spire' }`.
   */
  readonly podAnnotations: Readonly<Record<string, string>>;
  /**
   * The pod labels that trigger injection, e.g. `{ 'sidecar.istio.io/inject': 'true' }`.
   */
  readonly podLabels: Readonly<Record<string, string>>;
}

/** The ingress gateway as a Gateway resource and the registration see it. */
export interface IIngressGateway {
  /** Labels of the gateway pods, which a Gateway's `selector` matches. */
  readonly selector: Readonly<Record<string, string>>;
  /** The port the gateway proxy listens on for plain HTTP (the demo's 8080). */
  readonly httpPort: number;
  /** The port the gateway proxy listens on for ISTIO_MUTUAL TLS (the demo's 7080); its Service exposes it on the same port. */
  readonly mtlsPort: number;
  /** The fully qualified name of the gateway's Service, which meshed clients call (`<name>.<namespace>.svc.cluster.local`). */
  readonly serviceHost: string;
  /** The gateway's service account identity, which needs a SPIRE entry like any workload. */
  readonly identity: WorkloadIdentity;
}
