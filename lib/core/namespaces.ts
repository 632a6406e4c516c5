import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-25';
import { MeshConfig } from '../config/mesh-config';
import { BUILT_IN_NAMESPACES } from './index-contract';

/**
 * The namespaces the mesh lives in. Created first so every later chart can apply; other
 * constructs label them (e.g. Pod Security admission) through the exposed objects.
 */
export class MeshNamespaces extends Construct {
  /** SPIRE's namespace. */
  public readonly spire: kplus.Namespace;
  /** Istio's root namespace. */
  public readonly istio: kplus.Namespace;
  /** bookinfo namespaces this project creates, by name (built-in ones such as `default` are not). */
  public readonly workloads: ReadonlyMap<string, kplus.Namespace>;

  constructor(scope: Construct, id: string, config: MeshConfig) {
    super(scope, id);
    this.spire = new kplus.Namespace(this, 'spire', { metadata: { name: config.namespaces.spire } });
    this.istio = new kplus.Namespace(this, 'istio', { metadata: { name: config.namespaces.istio } });
    const workloads = new Map<string, kplus.Namespace>();
    for (const name of config.bookinfo.namespaces) {
      if (BUILT_IN_NAMESPACES.includes(name)) continue;
      workloads.set(name, new kplus.Namespace(this, `workload-${name}`, { metadata: { name } }));
    }
    this.workloads = workloads;
  }
}
