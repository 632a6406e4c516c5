import { Manifest } from './schema';

type Obj = Manifest & Record<string, any>;

/** Workloads among `manifests` whose pod template labels match every selector label. */
export function podTemplatesSelectedBy(manifests: readonly Manifest[], namespace: string | undefined, selector: Record<string, string>): Obj[] {
  return (manifests as Obj[]).filter(
    (m) =>
      m.kind === 'Deployment' &&
      m.metadata.namespace === namespace &&
      Object.entries(selector).every(([k, v]) => m.spec.template.metadata?.labels?.[k] === v),
  );
}

/**
 * Checks every Service against the Deployments beside it: it selects at least one pod
 * template, only pods of the app named in its selector, and each targetPort is a port
 * that every selected container declares.
 * @returns one line per problem; empty when every Service is wired right
 */
export function serviceWiringProblems(manifests: readonly Manifest[]): string[] {
  const problems: string[] = [];
  for (const svc of (manifests as Obj[]).filter((m) => m.kind === 'Service')) {
    const label = `Service ${svc.metadata.namespace}/${svc.metadata.name}`;
    const selector: Record<string, string> = svc.spec.selector ?? {};
    const selected = podTemplatesSelectedBy(manifests, svc.metadata.namespace, selector);
    if (Object.keys(selector).length === 0) problems.push(`${label}: has no selector`);
    if (selected.length === 0) problems.push(`${label}: selects no pods`);
    const apps = new Set(selected.map((d) => d.spec.template.metadata.labels.app));
    if (apps.size > 1) problems.push(`${label}: selects pods of several apps: ${[...apps].join(', ')}`);
    const sameApp = (manifests as Obj[]).filter(
      (m) => m.kind === 'Deployment' && m.metadata.namespace === svc.metadata.namespace && m.spec.template.metadata.labels.app === selector.app,
    );
    if (sameApp.length !== selected.length) problems.push(`${label}: misses pods of app '${selector.app}'`);
    for (const port of svc.spec.ports) {
      for (const d of selected) {
        const declared = d.spec.template.spec.containers.flatMap((c: any) => c.ports ?? []);
        const ok = declared.some((p: any) => p.containerPort === port.targetPort || p.name === port.targetPort);
        if (!ok) problems.push(`${label}: targetPort ${port.targetPort} is not a container port of Deployment ${d.metadata.name}`);
      }
    }
  }
  return problems;
}

/**
 * Pod Security Standards "restricted" for one container (with its pod's security context),
 * plus the project rule of CPU and memory requests and a memory limit.
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 */
export function restrictedProblems(podSpec: any, container: any): string[] {
  const sc = container.securityContext ?? {};
  const pod = podSpec.securityContext ?? {};
  const problems: string[] = [];
  if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) problems.push('runAsNonRoot is not true');
  if ((sc.runAsUser ?? pod.runAsUser) === 0) problems.push('runs as uid 0');
  if (sc.allowPrivilegeEscalation !== false) problems.push('allowPrivilegeEscalation is not false');
  if (sc.privileged === true) problems.push('is privileged');
  if (!(sc.capabilities?.drop ?? []).includes('ALL')) problems.push('does not drop ALL capabilities');
  const added = (sc.capabilities?.add ?? []).filter((c: string) => c !== 'NET_BIND_SERVICE');
  if (added.length > 0) problems.push(`adds capabilities ${added.join(', ')}`);
  const seccomp = (sc.seccompProfile ?? pod.seccompProfile)?.type;
  if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') problems.push('has no RuntimeDefault seccomp profile');
  for (const v of podSpec.volumes ?? []) {
    if (v.hostPath) problems.push(`mounts hostPath volume ${v.name}`);
  }
  if (podSpec.hostNetwork || podSpec.hostPID || podSpec.hostIPC) problems.push('shares a host namespace');
  if (!container.resources?.requests?.cpu || !container.resources?.requests?.memory) problems.push('has no CPU and memory requests');
  if (!container.resources?.limits?.memory) problems.push('has no memory limit');
  return problems.map((p) => `${container.name}: ${p}`);
}
