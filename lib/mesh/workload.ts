import { IConstruct } from 'constructs';
import { WorkloadIdentity } from '../identity';
import { AuthorizationMode } from '../authorization/mode';

const MESH_WORKLOAD = Symbol.for('spire-mesh.MeshWorkload');

/**
 * A construct running meshed pods: what the registration, the namespace defaults and the
 * identity graph collect from the construct tree, so no list is passed by hand.
 */
export interface IMeshWorkload extends IConstruct {
  /** `<namespace>/<name>`: the workload's node in the identity graph. */
  readonly key: string;
  readonly name: string;
  readonly namespace: string;
  /** The SPIFFE identity its pods receive: one SPIRE entry. */
  readonly identity: WorkloadIdentity;
  /** The identities allowed to call it. */
  readonly callers: readonly WorkloadIdentity[];
  readonly authorization: AuthorizationMode;
}

/** Marks a construct as a meshed workload (called by its constructor). */
export function markMeshWorkload(workload: IMeshWorkload): void {
  Object.defineProperty(workload, MESH_WORKLOAD, { value: true });
}

export function isMeshWorkload(x: unknown): x is IMeshWorkload {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[MESH_WORKLOAD] === true;
}

/** Every meshed workload below `scopes`, in construct-tree order. */
export function collectMeshWorkloads(...scopes: IConstruct[]): IMeshWorkload[] {
  return scopes.flatMap((scope) => scope.node.findAll().filter(isMeshWorkload));
}
