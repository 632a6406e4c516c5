import { checkLabelValue, checkOneOf, checkQualifiedName, checkWholeNumber, ValidationError } from '../validation';

// Where node agents may run and how long they stay, apart from the constructs that render it:
// the config loader checks a file with these rules without loading cdk8s.

/** The taint effects a toleration may name; an empty or absent effect matches all of them. */
export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;
export type TaintEffect = (typeof TAINT_EFFECTS)[number];
export const TOLERATION_OPERATORS = ['Exists', 'Equal'] as const;
export type TolerationOperator = (typeof TOLERATION_OPERATORS)[number];

/**
 * A pod toleration, as the Kubernetes API spells it.
 * @see https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/
 */
export interface Toleration {
  /** The taint key it matches, a qualified name. @default - every key (only with `Exists`) */
  readonly key?: string;
  /**
   * `Exists` matches any value of the key; `Equal` only `value`. Required here, though the API
   * would default it to `Equal`, so that a toleration says which it means.
   */
  readonly operator: TolerationOperator;
  /** The taint value `Equal` matches; required with `Equal`, refused with `Exists`. */
  readonly value?: string;
  /** @default - every effect */
  readonly effect?: TaintEffect | '';
  /**
   * With `NoExecute` only: how long the pod stays on a node after the taint appears.
   * @default - forever
   */
  readonly tolerationSeconds?: number;
}

/**
 * Tolerates every taint, NoExecute included: a node agent must run on every node (control
 * plane, GPU, dedicated pools) or pods there get no Workload API socket.
 */
export const TOLERATE_EVERY_TAINT: readonly Toleration[] = [{ operator: 'Exists' }];

/**
 * The built-in priority class the kubelet evicts last under node pressure: every meshed pod on
 * a node depends on its agent and CSI driver.
 * @see https://kubernetes.io/docs/tasks/administer-cluster/guaranteed-scheduling-critical-addon-pods/
 */
export const NODE_CRITICAL_PRIORITY_CLASS = 'system-node-critical';

const TOLERATION_KEYS = ['key', 'operator', 'value', 'effect', 'tolerationSeconds'];
const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The one rule for tolerations, used by the config loader (fields named `spire.agent.tolerations`)
 * and by the node agents' constructs (fields named as their props). Checks the shape too, since
 * a config file's list arrives untyped.
 * @throws ValidationError naming the field (with the item's index), the value and the rule
 */
export function checkTolerations(field: string, tolerations: unknown): readonly Toleration[] {
  if (!Array.isArray(tolerations)) throw new ValidationError(field, tolerations, 'must be a list of tolerations');
  tolerations.forEach((t: unknown, i) => {
    const at = `${field}[${i}]`;
    if (!isMapping(t)) throw new ValidationError(at, t, 'must be a mapping with operator and optional key, value, effect, tolerationSeconds');
    for (const key of Object.keys(t)) {
      if (!TOLERATION_KEYS.includes(key)) throw new ValidationError(`${at}.${key}`, t[key], `is not a toleration field (known fields: ${TOLERATION_KEYS.join(', ')})`);
    }
    for (const key of ['key', 'operator', 'value', 'effect']) {
      if (t[key] !== undefined && typeof t[key] !== 'string') throw new ValidationError(`${at}.${key}`, t[key], 'must be a string');
    }
    if (typeof t.operator !== 'string') {
      throw new ValidationError(`${at}.operator`, t.operator, "must be 'Exists' or 'Equal' (required: the API's silent default Equal is easy to misread)");
    }
    checkOneOf(`${at}.operator`, t.operator, TOLERATION_OPERATORS);
    if (t.key !== undefined) checkQualifiedName(`${at}.key`, t.key as string);
    if (t.operator === 'Equal') {
      if (t.key === undefined || t.key === '') throw new ValidationError(`${at}.key`, t.key, "is required with operator 'Equal': only 'Exists' may match every key");
      if (t.value === undefined) throw new ValidationError(`${at}.value`, t.value, "is required with operator 'Equal': it is the taint value to match");
      checkLabelValue(`${at}.value`, t.value as string);
    } else if (t.value !== undefined) {
      throw new ValidationError(`${at}.value`, t.value, "must not be set with operator 'Exists', which matches any value");
    }
    if (t.effect !== undefined && t.effect !== '') checkOneOf(`${at}.effect`, t.effect as string, TAINT_EFFECTS);
    if (t.tolerationSeconds !== undefined) {
      if (t.effect !== 'NoExecute') {
        throw new ValidationError(`${at}.tolerationSeconds`, t.tolerationSeconds, "applies only with effect 'NoExecute': it is how long the pod stays once the taint appears");
      }
      if (typeof t.tolerationSeconds !== 'number') throw new ValidationError(`${at}.tolerationSeconds`, t.tolerationSeconds, 'must be a number');
      checkWholeNumber(`${at}.tolerationSeconds`, t.tolerationSeconds, 0);
    }
  });
  return tolerations as Toleration[];
}
