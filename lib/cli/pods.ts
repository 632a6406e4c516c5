/** The fields of a pod the CLI reads from `kubectl get pods -o json`. */
export interface Pod {
  readonly name: string;
  readonly phase: string;
  readonly ready: boolean;
  readonly owners: ReadonlyArray<{ readonly kind: string; readonly name: string }>;
}

/** kubectl answered something that is not a pod list; the message quotes the start of it. */
export class PodListError extends Error {
  constructor(what: string, output: string) {
    const start = output.trim().slice(0, 60);
    super(`kubectl's answer for ${what} is not a pod list (${start ? `starts with ${JSON.stringify(start)}` : 'empty'})`);
    this.name = 'PodListError';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Reads `kubectl get pods -o json`, checking the shape it relies on; throws a {@link PodListError} for anything else. */
export function parsePods(output: string, what: string): Pod[] {
  let json: unknown;
  try {
    json = JSON.parse(output);
  } catch {
    throw new PodListError(what, output);
  }
  if (!isObject(json) || !Array.isArray(json.items)) throw new PodListError(what, output);
  return json.items.map((item) => {
    const metadata = isObject(item) && isObject(item.metadata) ? item.metadata : undefined;
    if (!metadata || typeof metadata.name !== 'string') throw new PodListError(what, output);
    const status = isObject(item) && isObject(item.status) ? item.status : {};
    const ready = list(status.conditions).some((c) => isObject(c) && c.type === 'Ready' && c.status === 'True');
    const owners = list(metadata.ownerReferences)
      .filter(isObject)
      .map((o) => ({ kind: String(o.kind), name: String(o.name) }));
    return { name: metadata.name, phase: typeof status.phase === 'string' ? status.phase : 'Unknown', ready, owners };
  });
}

/** The first Ready pod, in name order so repeated runs pick the same one. */
export function readyPod(pods: readonly Pod[]): Pod | undefined {
  return [...pods].sort((a, b) => a.name.localeCompare(b.name)).find((p) => p.ready);
}
