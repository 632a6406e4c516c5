/**
 * The size rule every object synth writes must meet: applicable with client-side
 * `kubectl apply` (and Argo CD's default sync, which applies the same way).
 *
 * Client-side apply stores the whole object, as JSON, in the
 * `kubectl.kubernetes.io/last-applied-configuration` annotation (kubectl
 * `pkg/util/apply.go`, `GetModifiedConfiguration`), and the API server refuses an object
 * whose annotations together (keys plus values, in bytes) exceed
 * `TotalAnnotationSizeLimitB int = 256 * (1 << 10)`, checked by `ValidateAnnotationsSize`
 * (kubernetes/kubernetes `staging/src/k8s.io/apimachinery/pkg/api/validation/objectmeta.go`).
 * That cap is the tightest one an object meets: a ConfigMap's data may reach 1 MiB
 * (`ValidateConfigMap`: `totalSize > core.MaxSecretSize`, kubernetes/kubernetes
 * `pkg/apis/core/validation/validation.go`), and etcd takes requests up to 1.5 MiB by default
 * (`--max-request-bytes`, https://etcd.io/docs/latest/dev-guide/limit/).
 * @see https://kubernetes.io/docs/reference/using-api/server-side-apply/
 */

/** What the API server accepts in all annotations of one object: `TotalAnnotationSizeLimitB`. */
export const ANNOTATIONS_LIMIT_BYTES = 256 * 1024;

/**
 * The largest object synth writes, as counted by {@link appliedConfigBytes}. 32 KiB below
 * {@link ANNOTATIONS_LIMIT_BYTES}: the same annotations also hold the annotation's own key, the
 * object's other annotations (the sync wave and sync options, counted a second time inside the
 * JSON), what Argo CD adds (its tracking id) and what a user's own tooling adds; kubectl itself
 * adds only a newline. A few hundred bytes would do today; the rest is room for annotations
 * nobody here controls.
 */
export const OBJECT_SIZE_LIMIT_BYTES = 224 * 1024;

/** One object of one output file, with its size. */
export interface ObjectSize {
  readonly kind: string;
  /** Undefined for cluster-scoped objects. */
  readonly namespace?: string;
  readonly name: string;
  /** The output file, relative to the output directory. */
  readonly file: string;
  /** {@link appliedConfigBytes} of the object. */
  readonly bytes: number;
}

/** Characters Go's encoding/json writes as `\uXXXX` (6 bytes) where JSON.stringify writes them as they are. */
const GO_ESCAPED = /[<>&\u2028\u2029]/g;

/**
 * The bytes kubectl writes into the last-applied annotation for `manifest`: its compact
 * JSON in UTF-8, with `<`, `>`, `&`, U+2028 and U+2029 counted as Go's encoding/json escapes
 * them (these only occur inside strings, so the count is never below kubectl's).
 */
export function appliedConfigBytes(manifest: unknown): number {
  const json = JSON.stringify(manifest).replace(GO_ESCAPED, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return Buffer.byteLength(json, 'utf8');
}

/** The size of each object of one output file. */
export function measureObjects(file: string, manifests: readonly unknown[]): ObjectSize[] {
  return manifests.map((manifest) => {
    const m = manifest as { kind?: string; metadata?: { name?: string; namespace?: string } };
    return {
      kind: m.kind ?? '(no kind)',
      ...(m.metadata?.namespace ? { namespace: m.metadata.namespace } : {}),
      name: m.metadata?.name ?? '(no name)',
      file,
      bytes: appliedConfigBytes(manifest),
    };
  });
}

/** `12.3 KiB (12595 bytes)` */
export function formatBytes(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB (${bytes} bytes)`;
}

/** `ConfigMap spire-system/entries (0003-registration.k8s.yaml)` */
export function describeObject(o: ObjectSize): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name} (${o.file})`;
}

/** The largest of `sizes`, or undefined when there are none. */
export function largestObject(sizes: Iterable<ObjectSize>): ObjectSize | undefined {
  let largest: ObjectSize | undefined;
  for (const s of sizes) if (!largest || s.bytes > largest.bytes) largest = s;
  return largest;
}

/** Synth refused objects over {@link OBJECT_SIZE_LIMIT_BYTES}; {@link tooLarge} lists them, largest first. */
export class ObjectSizeError extends Error {
  constructor(
    public readonly tooLarge: readonly ObjectSize[],
    public readonly limit: number,
  ) {
    super(
      [
        `${tooLarge.length === 1 ? 'an object is' : `${tooLarge.length} objects are`} too large for client-side \`kubectl apply\` ` +
          `(limit ${formatBytes(limit)} of compact JSON: kubectl copies the whole object into the kubectl.kubernetes.io/last-applied-configuration annotation, ` +
          `and the API server refuses more than ${ANNOTATIONS_LIMIT_BYTES / 1024} KiB of annotations per object):`,
        ...tooLarge.map((o) => `  - ${describeObject(o)}: ${formatBytes(o.bytes)}`),
        '  fix: split it (fewer entries per ConfigMap, fewer namespaces per chart); server-side apply (`kubectl apply --server-side`) does not store the annotation, but Argo CD\'s default client-side sync does',
      ].join('\n'),
    );
    this.name = 'ObjectSizeError';
  }
}

/**
 * Refuses, with one {@link ObjectSizeError} naming each object over `limit`, its file, its
 * size and the fix; returns the largest object otherwise.
 * @param limit the largest size allowed, in bytes: {@link OBJECT_SIZE_LIMIT_BYTES} unless given
 */
export function checkObjectSizes(sizes: readonly ObjectSize[], limit = OBJECT_SIZE_LIMIT_BYTES): ObjectSize | undefined {
  const tooLarge = sizes.filter((s) => s.bytes > limit).sort((a, b) => b.bytes - a.bytes);
  if (tooLarge.length > 0) throw new ObjectSizeError(tooLarge, limit);
  return largestObject(sizes);
}
