import { Construct } from 'constructs';
import { PeerAuthentication, PeerAuthenticationSpecMtlsMode } from '../../imports/security.istio.io';
import { IstioOperator } from './operator';

export interface MeshPeerAuthenticationProps {
  /** The Istio install whose root namespace makes the policy mesh-wide. */
  readonly operator: IstioOperator;
}

/**
 * Mesh-wide STRICT mutual TLS: PeerAuthentication `default` in Istio's root namespace,
 * without a selector, so every sidecar refuses plaintext. A workload SPIRE gave no identity
 * can then talk to nobody (the demo's failure scenario). Applied after `istioctl install`,
 * which installs the CRD.
 * @see https://istio.io/latest/docs/reference/config/security/peer_authentication/
 */
export class MeshPeerAuthentication extends Construct {
  public readonly mode = PeerAuthenticationSpecMtlsMode.STRICT;
  public readonly apiObject: PeerAuthentication;

  constructor(scope: Construct, id: string, props: MeshPeerAuthenticationProps) {
    super(scope, id);
    this.apiObject = new PeerAuthentication(this, 'default', {
      // Istio treats the policy named `default` in the root namespace as the mesh-wide one.
      metadata: { name: 'default', namespace: props.operator.rootNamespace },
      spec: { mtls: { mode: this.mode } },
    });
  }
}
