/**
 * Input rules shared by the configuration loader and the constructs. Each check throws a
 * {@link ValidationError} that names the field, shows the bad value and states the rule,
 * so a mistake surfaces at synth time and never as a failing pod.
 */

/** A value broke a rule. `field` is the config path or construct prop that held it. */
export class ValidationError extends Error {
  constructor(
    public readonly field: string,
    public readonly value: unknown,
    public readonly rule: string,
  ) {
    super(`${field}: ${show(value)} ${rule}`);
    this.name = 'ValidationError';
  }
}

/** Longest rendering of a value in a message: enough to recognise it, short enough to read. */
const SHOWN_CHARS = 80;

/** Renders a value for an error message: strings quoted, everything else as JSON, cut to a readable length. */
export function show(value: unknown): string {
  // JSON would show NaN and Infinity (YAML's .nan and .inf) as null.
  const text = typeof value === 'string' ? `'${value}'` : typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
  return text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}… (${text.length} characters)` : text;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * A Kubernetes DNS-1123 label: namespaces, Service names, cluster names.
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-label-names
 */
export function checkDns1123Label(field: string, value: string): string {
  if (value.length === 0 || value.length > 63 || !DNS1123_LABEL.test(value)) {
    throw new ValidationError(
      field,
      value,
      'must be a DNS-1123 label: at most 63 characters, lowercase letters, digits and "-", starting and ending with a letter or digit',
    );
  }
  return value;
}

/**
 * A Kubernetes DNS-1123 subdomain: names of most objects (ServiceAccounts, ConfigMaps, Jobs).
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-subdomain-names
 */
export function checkDns1123Subdomain(field: string, value: string): string {
  if (value.length === 0 || value.length > 253 || !DNS1123_SUBDOMAIN.test(value)) {
    throw new ValidationError(
      field,
      value,
      'must be a DNS-1123 subdomain: at most 253 characters, lowercase letters, digits, "-" and ".", each part starting and ending with a letter or digit',
    );
  }
  return value;
}

const QUALIFIED_NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/**
 * A Kubernetes qualified name: label and annotation keys, taint and toleration keys. An optional
 * DNS-1123 subdomain prefix and `/`, then a name of at most 63 letters, digits, `-`, `_` and `.`.
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
 */
export function checkQualifiedName(field: string, value: string): string {
  const slash = value.indexOf('/');
  const name = slash === -1 ? value : value.slice(slash + 1);
  if (slash !== -1) {
    const prefix = value.slice(0, slash);
    if (prefix.length === 0 || prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix)) {
      throw new ValidationError(field, value, 'must be a qualified name: its prefix before "/" must be a DNS-1123 subdomain, e.g. example.com/gpu');
    }
  }
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME_PART.test(name)) {
    throw new ValidationError(
      field,
      value,
      'must be a qualified name: an optional DNS-1123 prefix and "/", then at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit',
    );
  }
  return value;
}

/**
 * A Kubernetes label value, which taint and toleration values are too: empty, or at most 63
 * letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit.
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
 */
export function checkLabelValue(field: string, value: string): string {
  if (value.length > 0 && (value.length > 63 || !QUALIFIED_NAME_PART.test(value))) {
    throw new ValidationError(field, value, 'must be a label value: empty, or at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit');
  }
  return value;
}

/**
 * A SPIFFE trust domain name: the host part of a SPIFFE ID, nothing else.
 * @see https://github.com/spiffe/spiffe/blob/main/standards/SPIFFE-ID.md#21-trust-domain
 */
export function checkTrustDomain(field: string, value: string): string {
  const rule = (why: string) =>
    new ValidationError(field, value, `${why} (SPIFFE ID spec, trust domain: lowercase letters, digits, ".", "-" and "_" only)`);
  if (value.length === 0) throw rule('must not be empty');
  if (value.includes('://')) throw rule('must not include a scheme such as spiffe://');
  if (value.includes(':')) throw rule('must not include a port');
  if (value.includes('/')) throw rule('must not include a path');
  if (/[A-Z]/.test(value)) throw rule('must be lowercase');
  if (!/^[a-z0-9._-]+$/.test(value)) throw rule('has a character that is not allowed');
  if (value.length > 255) throw rule('must be at most 255 characters');
  checkIstioTrustDomain(field, value);
  return value;
}

/**
 * Istio's stricter rule for `meshConfig.trustDomain`: every dot-separated label is a DNS-1123
 * label (an empty last label, `example.org.`, is allowed). A SPIFFE-valid `a_b.org` would
 * otherwise pass synth and fail at `istioctl install`.
 * @see https://github.com/istio/istio/blob/1.30.3/pkg/config/validation/agent/validation.go (ValidateTrustDomain)
 */
export function checkIstioTrustDomain(field: string, value: string): string {
  const labels = value.split('.');
  labels.forEach((label, i) => {
    if (i === labels.length - 1 && label === '' && i > 0) return;
    if (label.length === 0 || label.length > 63 || !/^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/.test(label)) {
      throw new ValidationError(
        field,
        value,
        `has the label ${show(label)}, but Istio requires every dot-separated label of the trust domain to be a DNS-1123 label ` +
          '(1-63 letters, digits and "-", starting and ending with a letter or digit; no "_", no empty label)',
      );
    }
  });
  return value;
}

/** The namespaces every cluster has: a mesh part there would relabel (Pod Security) or delete what the cluster owns. */
const SYSTEM_NAMESPACE = /^kube-/;

/**
 * A namespace this project may own. `kube-*` is the cluster's own; `default` is refused too
 * unless `allowDefault` (workloads may run there, SPIRE and Istio may not: `up` labels their
 * namespace's Pod Security level and `down` deletes it).
 */
export function checkOwnNamespace(field: string, value: string, options: { readonly allowDefault: boolean }): string {
  if (SYSTEM_NAMESPACE.test(value)) {
    throw new ValidationError(field, value, 'must not be a built-in kube-* namespace: the mesh would relabel and manage a namespace the cluster owns');
  }
  if (value === 'default' && !options.allowDefault) {
    throw new ValidationError(field, value, "must not be 'default': SPIRE and Istio need a namespace of their own, whose Pod Security level the mesh sets");
  }
  return value;
}

/**
 * A whole number from `min` up to `max` (a count, a number of seconds, a sync wave, replicas).
 * @param max the most allowed; @default - no upper bound
 */
export function checkWholeNumber(field: string, value: number, min: number, max?: number): number {
  if (!Number.isInteger(value) || value < min || (max !== undefined && value > max)) {
    throw new ValidationError(field, value, max === undefined ? `must be a whole number, ${min} or more` : `must be a whole number from ${min} to ${max}`);
  }
  return value;
}

/** A TCP/UDP port number. */
export function checkPort(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new ValidationError(field, value, 'must be an integer port between 1 and 65535');
  }
  return value;
}

// The distribution reference grammar (github.com/distribution/reference), anchored.
const IMAGE_NAME_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const IMAGE_DOMAIN = '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?';
const IMAGE_REFERENCE = new RegExp(
  `^(?:(${IMAGE_DOMAIN})/)?(${IMAGE_NAME_COMPONENT}(?:/${IMAGE_NAME_COMPONENT})*)` +
    '(?::([\\w][\\w.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$',
);

/**
 * A pinned container image: `registry/repository:tag` and/or `@sha256:<digest>`. A tag
 * alone must not be `latest`, which is not a version and makes synth output lie.
 */
export function checkImage(field: string, value: string): string {
  const match = IMAGE_REFERENCE.exec(value);
  if (!match) {
    throw new ValidationError(field, value, 'must be an image reference of the form registry/repository:tag or registry/repository@sha256:<64 hex digits>');
  }
  const [, domain, , tag, digest] = match;
  if (!domain || !(domain.includes('.') || domain.includes(':') || domain === 'localhost')) {
    throw new ValidationError(field, value, 'must name its registry (e.g. ghcr.io/…, docker.io/…) so the pull source is explicit');
  }
  if (!tag && !digest) {
    throw new ValidationError(field, value, 'must be pinned with a tag or an @sha256: digest');
  }
  if (tag === 'latest' && !digest) {
    throw new ValidationError(field, value, "must not use the tag 'latest': pin a version or a digest");
  }
  return value;
}

/** The longest TTL accepted: ten years. Go's own limit (~292 years) overflows long before SPIRE would ever rotate. */
export const MAX_DURATION_SECONDS = 10 * 365 * 24 * 3600;

/** A Go duration as SPIRE parses it, e.g. `1h`, `10m`, `1h30m`: above zero and at most {@link MAX_DURATION_SECONDS}. */
export function checkDuration(field: string, value: string): string {
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(value)) {
    throw new ValidationError(field, value, 'must be a positive Go duration such as "10m", "1h" or "1h30m"');
  }
  const seconds = durationSeconds(value);
  if (seconds <= 0) throw new ValidationError(field, value, 'must be longer than zero');
  if (seconds > MAX_DURATION_SECONDS) throw new ValidationError(field, value, 'must be at most 87600h (ten years)');
  return value;
}

/**
 * A duration as Argo CD reads one (`parseStringToDuration`, pkg/apis/application/v1alpha1/types.go
 * at v3.5.1): a bare whole number of seconds (`30`) or a Go duration (`10s`, `5m`, `1h30m`),
 * here above zero and at most {@link MAX_DURATION_SECONDS}.
 */
export function checkArgoDuration(field: string, value: string): string {
  if (/^\d+$/.test(value)) {
    if (Number(value) <= 0) throw new ValidationError(field, value, 'must be longer than zero');
    if (Number(value) > MAX_DURATION_SECONDS) throw new ValidationError(field, value, 'must be at most 87600h (ten years)');
    return value;
  }
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(value)) {
    throw new ValidationError(field, value, 'must be an Argo CD duration: a Go duration such as "10s", "5m" or "1h30m", or a whole number of seconds');
  }
  return checkDuration(field, value);
}

/** Seconds of a duration {@link checkArgoDuration} accepts. */
export function argoDurationSeconds(value: string): number {
  return /^\d+$/.test(value) ? Number(value) : durationSeconds(value);
}

/** A Go duration in seconds, for comparing TTLs. */
export function durationSeconds(value: string): number {
  const units: Record<string, number> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  let total = 0;
  for (const [, amount, unit] of value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(amount) * units[unit];
  }
  return total;
}

/** A Kubernetes quantity read exactly: `numerator / denominator` base units (bytes, cores, a count). */
export interface Quantity {
  /** The value in base units, as near as a double holds it (for bounds). */
  readonly value: number;
  /** Exact, except past an exponent of ±{@link MAX_EXPONENT}, where only `value` holds (±Infinity or 0). */
  readonly numerator: bigint;
  readonly denominator: bigint;
  /** The number as written, without its sign or suffix: `1.5` of `1.5Gi`. */
  readonly number: string;
  /** The suffix as written: `Gi`, `m`, `e3`, or `''`. */
  readonly suffix: string;
}

/** Exponents past this (1e101) are read as infinitely large or small. */
const MAX_EXPONENT = 100;
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_SUFFIXES: Record<string, number> = { m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
// <sign><digits>[.<digits>] or .<digits>, then a binary or decimal suffix or an exponent (k8s.io/apimachinery resource.Quantity).
const QUANTITY = /^([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$/;

/**
 * Parses a Kubernetes quantity (`<number><suffix>`: binary Ki Mi Gi Ti Pi Ei, decimal m k M G
 * T P E, or an exponent such as `1e3`) into its exact value in base units, or undefined when
 * it is not one.
 * @see https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/
 */
export function parseQuantity(text: string): Quantity | undefined {
  const match = QUANTITY.exec(text);
  if (!match) return undefined;
  const [, sign, number, suffix = ''] = match;
  const [whole, fraction = ''] = number.split('.');
  let numerator = BigInt(`${whole || '0'}${fraction}`) * (sign === '-' ? -1n : 1n);
  let denominator = 10n ** BigInt(fraction.length);
  if (suffix in BINARY_SUFFIXES) numerator *= 2n ** BigInt(BINARY_SUFFIXES[suffix]);
  else {
    const exponent = suffix in DECIMAL_SUFFIXES ? DECIMAL_SUFFIXES[suffix] : Number(suffix.slice(1));
    if (Math.abs(exponent) > MAX_EXPONENT) {
      // Far beyond any real quantity: read as infinitely large or small rather than as a huge BigInt.
      const value = exponent < 0 || numerator === 0n ? 0 : numerator > 0n ? Infinity : -Infinity;
      return { value, numerator: 0n, denominator: 1n, number, suffix };
    }
    if (exponent >= 0) numerator *= 10n ** BigInt(exponent);
    else denominator *= 10n ** BigInt(-exponent);
  }
  return { value: Number(numerator) / Number(denominator), numerator, denominator, number, suffix };
}

/** What a quantity measures and the values allowed, for {@link checkQuantity}. */
export interface QuantityRule {
  /** `bytes` (memory, storage: whole bytes only) or `cores` (CPU: whole millicores only). */
  readonly unit: 'bytes' | 'cores';
  /** The least allowed, as a quantity, e.g. `1Mi`. */
  readonly min: string;
  /** The most allowed, as a quantity, e.g. `64Ti`. */
  readonly max: string;
}

/** A PersistentVolumeClaim's size: at least 1Mi, at most 64Ti (the largest single volume of the big clouds' block storage). */
export const STORAGE_SIZE: QuantityRule = { unit: 'bytes', min: '1Mi', max: '64Ti' };
/** A container's memory request or limit: at least 1Mi, at most 1Ti. */
export const MEMORY: QuantityRule = { unit: 'bytes', min: '1Mi', max: '1Ti' };
/** A container's CPU request or limit: at least 1m (Kubernetes' finest step), at most 256 cores (beyond any ordinary node). */
export const CPU: QuantityRule = { unit: 'cores', min: '1m', max: '256' };

const BYTE_UNITS: Record<string, readonly [string, string, string, string]> = {
  k: ['Ki', 'kibibytes', 'k', 'kilobytes'],
  m: ['Mi', 'mebibytes', 'M', 'megabytes'],
  g: ['Gi', 'gibibytes', 'G', 'gigabytes'],
  t: ['Ti', 'tebibytes', 'T', 'terabytes'],
  p: ['Pi', 'pebibytes', 'P', 'petabytes'],
  e: ['Ei', 'exbibytes', 'E', 'exabytes'],
};

/** "did you mean '1Mi' (mebibytes) or '1M' (megabytes)?" for a number and the letter of its unit. */
function meantBytes(number: string, letter: string): string {
  const [binary, binaryName, decimal, decimalName] = BYTE_UNITS[letter];
  return `did you mean '${number}${binary}' (${binaryName}) or '${number}${decimal}' (${decimalName})?`;
}

/** A hint for a size written the way other tools write it: `1GB`, `1g`, `512 MiB`, `1.5gb`, `64B`. */
function byteUnitHint(value: string): string | undefined {
  const match = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]+)\s*$/.exec(value);
  if (!match) return undefined;
  const [, number, unit] = match;
  const lower = unit.toLowerCase();
  if (lower === 'b' || lower === 'bytes') return `did you mean '${number}' (bytes)?`;
  const letter = lower[0];
  if (letter in BYTE_UNITS && ['', 'b', 'i', 'ib'].includes(lower.slice(1))) return meantBytes(number, letter);
  return undefined;
}

/** A hint for CPU written as `2cpu`, `2 cores` or `500mc`. */
function cpuUnitHint(value: string): string | undefined {
  const match = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]+)\s*$/.exec(value);
  if (!match) return undefined;
  const [, number, unit] = match;
  if (/^(cpus?|cores?|vcpus?)$/i.test(unit)) return `did you mean '${number}' (cores)?`;
  if (/^(mc|millicores?|millicpus?)$/i.test(unit)) return `did you mean '${number}m' (millicores)?`;
  return undefined;
}

/**
 * A Kubernetes quantity, e.g. `1Gi`, `500Mi`, `100m`. With a `rule`, also within its bounds and
 * a whole number of bytes (memory, storage) or millicores (CPU), with a "did you mean" for the
 * usual slips: `1m` on a byte size is a thousandth of a byte, `1GB` and `1g` are not Kubernetes
 * suffixes, a bare `500` CPU is 500 cores.
 * @param rule what it measures and its bounds; @default - the grammar only
 * @see https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/
 */
export function checkQuantity(field: string, value: string, rule?: QuantityRule): string {
  const q = parseQuantity(value);
  const bytes = rule?.unit === 'bytes';
  if (!q) {
    const hint = rule === undefined ? undefined : bytes ? byteUnitHint(value) : cpuUnitHint(value);
    const examples = rule?.unit === 'cores' ? '"100m" or "2"' : '"1Gi" or "500Mi"';
    throw new ValidationError(
      field,
      value,
      hint
        ? `must be a Kubernetes quantity: ${hint}`
        : `must be a Kubernetes quantity such as ${examples}: a number and a suffix (Ki, Mi, Gi, Ti, Pi, Ei; k, M, G, T, P, E; m for thousandths) or an exponent (1e3)`,
    );
  }
  if (rule === undefined) return value;
  const unitless = q.suffix === '' && !value.startsWith('-');
  if (bytes && q.suffix === 'm') {
    const amount = q.number === '1' ? 'one thousandth' : `${q.number} thousandths`;
    throw new ValidationError(field, value, `is ${amount} of a byte: ${meantBytes(q.number, 'm')}`);
  }
  const amount = unitless ? `${q.number} ${bytes ? 'bytes' : 'CPU cores'}, ` : '';
  if (q.value < parseQuantity(rule.min)!.value) {
    const hint = unitless && bytes && q.value > 0 ? `: did you mean '${q.number}Mi' (mebibytes)?` : '';
    throw new ValidationError(field, value, `is ${amount}less than the least allowed (${rule.min})${hint}`);
  }
  if (q.value > parseQuantity(rule.max)!.value) {
    const hint = unitless && !bytes ? `: did you mean '${q.number}m' (millicores)?` : '';
    throw new ValidationError(field, value, `is ${amount}more than the most allowed (${rule.max})${hint}`);
  }
  const step = bytes ? 1n : 1000n;
  if ((q.numerator * step) % q.denominator !== 0n) {
    throw new ValidationError(field, value, bytes ? `is ${q.value} bytes: a size must be a whole number of bytes` : 'is finer than 1m (a thousandth of a core), which Kubernetes refuses');
  }
  return value;
}

/** One of a fixed set of values. */
export function checkOneOf<T extends string>(field: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ValidationError(field, value, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
  }
  return value as T;
}

/** A released semantic version `X.Y.Z`: no pre-release or build suffix (no alpha builds). */
export function checkReleaseVersion(field: string, value: string): string {
  if (!/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/.test(value)) {
    throw new ValidationError(field, value, 'must be a released version X.Y.Z (no pre-release such as -alpha.0)');
  }
  return value;
}

/** Checks that no two items share a key; names the first duplicate. */
export function checkUnique(field: string, values: readonly string[]): void {
  const seen = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) throw new ValidationError(field, value, 'is listed twice: each must be unique');
    seen.add(value);
  }
}

/** A registry and repository prefix for images, without a tag (Istio's `hub`), e.g. `docker.io/istio`. */
export function checkImageHub(field: string, value: string): string {
  if (!/^[a-z0-9.-]+(:[0-9]+)?(\/[a-z0-9._-]+)+$/.test(value)) {
    throw new ValidationError(field, value, 'must be a registry and repository prefix such as docker.io/istio, without a tag');
  }
  return value;
}

/**
 * A Git repository URL as Argo CD clones it: `https://`, `http://` or `ssh://` URL, or the
 * scp-like `git@host:org/repo.git`.
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/private-repositories/
 */
export function checkGitRepoUrl(field: string, value: string): string {
  const url = /^(https?|ssh):\/\/[^\s/@]+(@[^\s/]+)?(\/[^\s]*)?$/;
  const scp = /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s]+$/;
  if (!url.test(value) && !scp.test(value)) {
    throw new ValidationError(field, value, 'must be a Git URL: https://host/org/repo.git, ssh://git@host/org/repo.git or git@host:org/repo.git');
  }
  return value;
}

/** A Helm chart repository URL: `https://`/`http://` (an index.yaml repository) or `oci://` (a registry). */
export function checkHelmRepoUrl(field: string, value: string): string {
  if (!/^(https?|oci):\/\/[^\s/]+(\/[^\s]*)?$/.test(value) || value.endsWith('/')) {
    throw new ValidationError(field, value, 'must be a Helm repository URL such as https://istio-release.storage.googleapis.com/charts (no trailing "/")');
  }
  return value;
}

/**
 * A Git revision: a branch, tag, commit or `HEAD`, following `git check-ref-format`'s rules
 * that matter here (no whitespace, `..`, `~^:?*[\`, leading `-` or trailing `/`, `.lock`).
 */
export function checkGitRevision(field: string, value: string): string {
  if (value.length === 0 || /[\s~^:?*[\\]|\.\.|@\{|^[-/]|\/$|\.lock$|\/\//.test(value)) {
    throw new ValidationError(field, value, 'must be a Git branch, tag or commit (e.g. HEAD, main, v1.2.0): no spaces, "..", or ~^:?*[\\ characters');
  }
  return value;
}

/** A directory inside a repository, relative to its root: `.` or `a/b`, no `..`, no leading or trailing `/`. */
export function checkRepoPath(field: string, value: string): string {
  const segments = value.split('/');
  if (value !== '.' && (value.length === 0 || segments.some((s) => s === '' || s === '.' || s === '..' || /[\s\\*?[\]{}]/.test(s)))) {
    throw new ValidationError(field, value, 'must be a directory relative to the repository root, e.g. dist or deploy/mesh/dist (no "..", no leading or trailing "/")');
  }
  return value;
}
