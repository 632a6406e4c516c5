import { Manifest } from '../support/schema';
import { registeredEntries } from '../support/synth';

/**
 * Istio's AuthorizationPolicy evaluation for mTLS requests, re-implemented from its
 * documentation, independent of the code that writes the policies: which workload may
 * call which, computed from the synthesized objects alone.
 * @see https://istio.io/latest/docs/concepts/security/#authorization-policy-precedence
 *
 * - A policy applies to a workload when it is in the workload's namespace, or in the root
 *   namespace (then mesh-wide), and its selector (if any) matches the pod labels.
 * - CUSTOM is not modelled (refused). A matching DENY policy denies; otherwise, with no
 *   ALLOW policy applying the request is allowed; otherwise it is allowed only when one
 *   ALLOW policy matches. A policy without rules matches nothing (allow-nothing).
 * - A rule matches when each of its `from` (any source), `to` and `when` matches; only the
 *   source fields a mesh identity decides (principals, namespaces and their negations) are
 *   modelled, anything else is refused rather than guessed.
 */

type Obj = Manifest & Record<string, any>;

/** A pod template the policies may protect. */
export interface Workload {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** A caller as Istio sees it under mTLS: its principal (`<td>/ns/<ns>/sa/<sa>`). */
export interface Caller {
  readonly principal: string;
}

const SOURCE_FIELDS = ['principals', 'notPrincipals', 'namespaces', 'notNamespaces'];

/** Istio's string match: exact, `*` for any non-empty value, `prefix*` or `*suffix`. */
function matches(pattern: string, value: string): boolean {
  if (pattern === '*') return value.length > 0;
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  return pattern === value;
}

function namespaceOf(principal: string): string {
  const m = /\/ns\/([^/]+)\/sa\//.exec(principal);
  if (!m) throw new Error(`principal '${principal}' has no /ns/<ns>/sa/ part`);
  return m[1];
}

function sourceMatches(source: Record<string, string[]>, caller: Caller): boolean {
  const unknown = Object.keys(source).filter((k) => !SOURCE_FIELDS.includes(k));
  if (unknown.length > 0) throw new Error(`source fields not modelled: ${unknown.join(', ')}`);
  const ns = namespaceOf(caller.principal);
  const any = (list: string[] | undefined, value: string) => list === undefined || list.some((p) => matches(p, value));
  const none = (list: string[] | undefined, value: string) => list === undefined || !list.some((p) => matches(p, value));
  return any(source.principals, caller.principal) && none(source.notPrincipals, caller.principal) && any(source.namespaces, ns) && none(source.notNamespaces, ns);
}

function ruleMatches(rule: Record<string, any>, caller: Caller): boolean {
  if (rule.to !== undefined || rule.when !== undefined) throw new Error('rules with `to` or `when` are not modelled');
  if (rule.from === undefined) return true;
  return rule.from.some((f: { source?: Record<string, string[]> }) => sourceMatches(f.source ?? {}, caller));
}

function policyMatches(policy: Obj, caller: Caller): boolean {
  return (policy.spec?.rules ?? []).some((r: Record<string, any>) => ruleMatches(r, caller));
}

function applies(policy: Obj, workload: Workload, rootNamespace: string): boolean {
  const ns = policy.metadata.namespace;
  if (ns !== workload.namespace && ns !== rootNamespace) return false;
  if (policy.spec?.targetRef || policy.spec?.targetRefs) throw new Error('targetRef policies are not modelled');
  const selector: Record<string, string> = policy.spec?.selector?.matchLabels ?? {};
  return Object.entries(selector).every(([k, v]) => workload.labels[k] === v);
}

/** Whether `caller` may call `workload` under the AuthorizationPolicies among `manifests`. */
export function allowed(manifests: readonly Manifest[], rootNamespace: string, caller: Caller, workload: Workload): boolean {
  const policies = (manifests as Obj[]).filter((m) => m.kind === 'AuthorizationPolicy' && applies(m, workload, rootNamespace));
  const action = (p: Obj) => p.spec?.action ?? 'ALLOW';
  if (policies.some((p) => action(p) === 'CUSTOM' || action(p) === 'AUDIT')) throw new Error('CUSTOM and AUDIT policies are not modelled');
  if (policies.some((p) => action(p) === 'DENY' && policyMatches(p, caller))) return false;
  const allows = policies.filter((p) => action(p) === 'ALLOW');
  return allows.length === 0 || allows.some((p) => policyMatches(p, caller));
}

/** The principal of a registration entry's SPIFFE ID. */
export function principalOf(spiffeId: string): string {
  if (!spiffeId.startsWith('spiffe://')) throw new Error(`not a SPIFFE ID: ${spiffeId}`);
  return spiffeId.slice('spiffe://'.length);
}

/**
 * The reachability matrix of a synthesized mesh as `caller -> callee` edges between apps
 * (`<namespace>/<app>`, or `ingress` for the gateway's identity). Callers are the
 * registration entries' identities, matched to the Deployments running as them (entries with
 * `k8s` selectors) or to the WorkloadGroups whose VMs run as them (entries selecting the VM
 * proxy's `unix` user); callees are the Deployments' pods and the WorkloadGroups' WorkloadEntries
 * (their `spec.metadata.labels`), and every version of an app must agree.
 */
export function reachability(manifests: readonly Manifest[], rootNamespace: string, gatewayServiceAccount: string): Set<string> {
  const entries = registeredEntries(manifests);
  const deployments = (manifests as Obj[]).filter((m) => m.kind === 'Deployment' && m.spec.template.metadata.labels?.app);
  const groups = (manifests as Obj[]).filter((m) => m.kind === 'WorkloadGroup');
  const targets = [
    ...deployments.map((d) => ({ namespace: d.metadata.namespace!, labels: d.spec.template.metadata.labels, serviceAccount: d.spec.template.spec.serviceAccountName })),
    ...groups.map((g) => ({ namespace: g.metadata.namespace!, labels: g.spec.metadata.labels, serviceAccount: g.spec.template.serviceAccount })),
  ];
  const appOf = (t: { namespace: string; labels: Record<string, string> }) => `${t.namespace}/${t.labels.app}`;

  const callers: { name: string; principal: string }[] = [];
  for (const entry of entries) {
    const principal = principalOf(entry.spiffe_id);
    if (entry.selectors.some((s) => s.type === 'k8s')) {
      const ns = entry.selectors.find((s) => s.value.startsWith('ns:'))!.value.slice(3);
      const sa = entry.selectors.find((s) => s.value.startsWith('sa:'))!.value.slice(3);
      if (ns === rootNamespace && sa === gatewayServiceAccount) callers.push({ name: 'ingress', principal });
      for (const d of deployments.filter((x) => x.metadata.namespace === ns && x.spec.template.spec.serviceAccountName === sa)) {
        callers.push({ name: appOf({ namespace: ns, labels: d.spec.template.metadata.labels }), principal });
      }
    } else if (entry.selectors.some((s) => s.type === 'unix')) {
      const m = /\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(entry.spiffe_id)!;
      for (const g of groups.filter((x) => x.metadata.namespace === m[1] && x.spec.template.serviceAccount === m[2])) {
        callers.push({ name: appOf({ namespace: m[1], labels: g.spec.metadata.labels }), principal });
      }
    }
  }

  const edges = new Set<string>();
  for (const caller of callers) {
    const byApp = new Map<string, boolean[]>();
    for (const t of targets) {
      byApp.set(appOf(t), [...(byApp.get(appOf(t)) ?? []), allowed(manifests, rootNamespace, caller, t)]);
    }
    for (const [app, results] of byApp) {
      if (new Set(results).size > 1) throw new Error(`versions of ${app} disagree on whether ${caller.name} may call them`);
      if (results[0]) edges.add(`${caller.name} -> ${app}`);
    }
  }
  return edges;
}
