import { restrictedViolations } from './pod-security';
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
 * Pod Security Standards "restricted" for one container (with its pod's security context and
 * volumes), plus the project rule of CPU and memory requests and a memory limit.
 */
export function restrictedProblems(podSpec: any, container: any): string[] {
  const violations = restrictedViolations({ ...podSpec, initContainers: [], ephemeralContainers: [], containers: [container] });
  const resources: string[] = [];
  if (!container.resources?.requests?.cpu || !container.resources?.requests?.memory) resources.push('has no CPU and memory requests');
  if (!container.resources?.limits?.memory) resources.push('has no memory limit');
  return [...violations.map((v) => `breaks ${v}`), ...resources].map((p) => `${container.name}: ${p}`);
}
