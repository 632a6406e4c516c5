import { Manifest } from './support/schema';
import { synthesize } from './support/synth';

/**
 * Mesh-wide floor for every container of every workload, whichever part made it: a new
 * part cannot ship a container without a securityContext, requests or a memory limit.
 * The one privileged container (the SPIFFE CSI driver, which must mount into the kubelet's
 * pods directory) is named here, so any other privileged container fails.
 */
const PRIVILEGED = new Set(['DaemonSet/spiffe-csi-driver/spiffe-csi-driver']);

function podSpec(m: Manifest & Record<string, any>): any {
  if (m.kind === 'Pod') return m.spec;
  return m.spec?.template?.spec;
}

const { all } = synthesize();
const containers = all
  .filter((m) => podSpec(m as any))
  .flatMap((m) => {
    const spec = podSpec(m as any);
    return [...(spec.initContainers ?? []), ...spec.containers].map((c: any) => ({
      id: `${m.kind}/${m.metadata.name}/${c.name}`,
      pod: spec,
      container: c,
    }));
  });

test('the mesh has workloads to check', () => {
  expect(containers.length).toBeGreaterThan(10);
});

test.each(containers.map((c) => [c.id, c] as const))('%s sets its securityContext, requests and memory limit', (id, { pod, container }) => {
  const sc = container.securityContext;
  expect(sc).toBeDefined();
  expect(sc.capabilities?.drop).toEqual(['ALL']);
  expect(sc.seccompProfile ?? pod.securityContext?.seccompProfile).toEqual({ type: 'RuntimeDefault' });
  expect(sc.readOnlyRootFilesystem).toBeDefined();
  if (PRIVILEGED.has(id)) {
    expect(sc.privileged).toBe(true);
  } else {
    expect(sc.privileged ?? false).toBe(false);
    expect(sc.allowPrivilegeEscalation).toBe(false);
  }
  expect(container.resources?.requests?.cpu).toBeDefined();
  expect(container.resources?.requests?.memory).toBeDefined();
  expect(container.resources?.limits?.memory).toBeDefined();
});

test('every privileged container named above exists, so the exception list cannot go stale', () => {
  for (const id of PRIVILEGED) expect(containers.map((c) => c.id)).toContain(id);
});

test('only the SPIRE agent shares the host PID and network namespaces, and no pod mounts a host path but SPIRE and its CSI driver', () => {
  const workloads = all.filter((m) => podSpec(m as any)) as Array<Manifest & Record<string, any>>;
  const hostPid = workloads.filter((m) => podSpec(m).hostPID).map((m) => `${m.kind}/${m.metadata.name}`);
  const hostNetwork = workloads.filter((m) => podSpec(m).hostNetwork).map((m) => `${m.kind}/${m.metadata.name}`);
  const hostPath = workloads
    .filter((m) => (podSpec(m).volumes ?? []).some((v: { hostPath?: unknown }) => v.hostPath))
    .map((m) => `${m.kind}/${m.metadata.name}`);
  expect(hostPid).toEqual(['DaemonSet/spire-agent']);
  expect(hostNetwork).toEqual(['DaemonSet/spire-agent']);
  expect(hostPath.sort()).toEqual(['DaemonSet/spiffe-csi-driver', 'DaemonSet/spire-agent']);
});
