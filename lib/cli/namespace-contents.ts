import { IndexObject } from '../core/index-contract';

/** kubectl answered something that is not an object list; the message quotes the start of it. */
export class ObjectListError extends Error {
  constructor(what: string, output: string) {
    const start = output.trim().slice(0, 60);
    super(`kubectl's answer for ${what} is not an object list (${start ? `starts with ${JSON.stringify(start)}` : 'empty'})`);
    this.name = 'ObjectListError';
  }
}

/** The fields of a listed object `down` reads to decide whether a namespace holds someone else's work. */
interface Listed {
  readonly kind: string;
  readonly name: string;
  readonly uid?: string;
  readonly deleting: boolean;
  /** The uid of its controller (a Pod's ReplicaSet, a ReplicaSet's Deployment). */
  readonly controller?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseList(output: string, what: string): Listed[] {
  let json: unknown;
  try {
    json = JSON.parse(output);
  } catch {
    throw new ObjectListError(what, output);
  }
  if (!isObject(json) || !Array.isArray(json.items)) throw new ObjectListError(what, output);
  return json.items.map((item) => {
    const metadata = isObject(item) && isObject(item.metadata) ? item.metadata : undefined;
    if (!isObject(item) || typeof item.kind !== 'string' || !metadata || typeof metadata.name !== 'string') throw new ObjectListError(what, output);
    const owners = Array.isArray(metadata.ownerReferences) ? metadata.ownerReferences.filter(isObject) : [];
    const controller = owners.find((o) => o.controller === true && typeof o.uid === 'string')?.uid as string | undefined;
    return {
      kind: item.kind,
      name: metadata.name,
      uid: typeof metadata.uid === 'string' ? metadata.uid : undefined,
      deleting: metadata.deletionTimestamp !== undefined,
      controller,
    };
  });
}

/**
 * What keeps a namespace from being deleted: the objects of `kubectl get <kinds> -n <ns> -o json`
 * (`output`) that the index does not list and that are not on their way out, as `kind/name`.
 * On its way out: being deleted, or controlled by an object listed here that is (istioctl
 * deletes istiod's Deployment foreground: its ReplicaSet and pods go after it).
 * Throws an {@link ObjectListError} for an answer that is not a list.
 */
export function foreignObjects(output: string, known: readonly IndexObject[], what: string): string[] {
  const listed = parseList(output, what);
  const byUid = new Map(listed.filter((o) => o.uid !== undefined).map((o) => [o.uid!, o]));
  const going = (obj: Listed, seen = new Set<Listed>()): boolean => {
    if (obj.deleting) return true;
    const owner = obj.controller === undefined ? undefined : byUid.get(obj.controller);
    if (!owner || seen.has(owner)) return false;
    seen.add(obj);
    return going(owner, seen);
  };
  const isKnown = (obj: Listed) => known.some((k) => k.kind === obj.kind && k.name === obj.name);
  return listed.filter((obj) => !isKnown(obj) && !going(obj)).map((obj) => `${obj.kind.toLowerCase()}/${obj.name}`);
}
