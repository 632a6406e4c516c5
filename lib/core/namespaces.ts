import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-25';
import { checkDns1123Label } from '../validation';
import { BUILT_IN_NAMESPACES } from './index-contract';

export interface MeshNamespacesProps {
  /** SPIRE's namespace. */
  readonly spire: string;
  /** Istio's root namespace. */
  readonly istio: string;
}

/**
 * The namespaces the mesh lives in. Created first so every later chart can apply; other
 * constructs label them (e.g. Pod Security admission) through the exposed objects.
 */
export class MeshNamespaces extends Construct {
  /** SPIRE's namespace. */
  public readonly spire: kplus.Namespace;
  /** Istio's root namespace. */
  public readonly istio: kplus.Namespace;
  private readonly workloadNamespaces = new Map<string, kplus.Namespace>();

  constructor(scope: Construct, id: string, props: MeshNamespacesProps) {
    super(scope, id);
    this.spire = new kplus.Namespace(this, 'spire', { metadata: { name: props.spire } });
    this.istio = new kplus.Namespace(this, 'istio', { metadata: { name: props.istio } });
  }

  /** Workload namespaces this project creates, by name (built-in ones such as `default` are not). */
  public get workloads(): ReadonlyMap<string, kplus.Namespace> {
    return this.workloadNamespaces;
  }

  /** Creates a namespace meshed workloads run in, once, unless it is built in. */
  public addWorkloadNamespace(name: string): void {
    checkDns1123Label('MeshNamespaces.workload', name);
    if (BUILT_IN_NAMESPACES.includes(name) || this.workloadNamespaces.has(name)) return;
    this.workloadNamespaces.set(name, new kplus.Namespace(this, `workload-${name}`, { metadata: { name } }));
  }
}
