// The one Pod Security Standards checker of the tests: every part's test asks it, so a rule
// is written once.
const RESTRICTED_VOLUME_TYPES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
const BASELINE_CAPABILITIES = ['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'];

/**
 * The Pod Security Standards "restricted" level (baseline included), rule by rule, as the
 * names used by the standard; returns the rules the pod spec breaks.
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
export function restrictedViolations(pod: any): string[] {
  const violations = new Set<string>();
  const containers = [...(pod.initContainers ?? []), ...pod.containers, ...(pod.ephemeralContainers ?? [])];
  const podSc = pod.securityContext ?? {};
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) violations.add('Host Namespaces');
  if (podSc.windowsOptions?.hostProcess) violations.add('HostProcess');
  for (const v of pod.volumes ?? []) {
    if (v.hostPath) violations.add('HostPath Volumes');
    if (!RESTRICTED_VOLUME_TYPES.some((t) => t in v)) violations.add('Volume Types');
  }
  if ((podSc.sysctls ?? []).length > 0) violations.add('Sysctls');
  if (podSc.seLinuxOptions?.type || podSc.seLinuxOptions?.user || podSc.seLinuxOptions?.role) violations.add('SELinux');
  for (const c of containers) {
    const sc = { ...podSc, ...(c.securityContext ?? {}) };
    if (c.securityContext?.privileged) violations.add('Privileged Containers');
    if (c.securityContext?.windowsOptions?.hostProcess) violations.add('HostProcess');
    const added: string[] = c.securityContext?.capabilities?.add ?? [];
    if (added.some((cap) => !BASELINE_CAPABILITIES.includes(cap))) violations.add('Capabilities (baseline)');
    if (!(c.securityContext?.capabilities?.drop ?? []).includes('ALL') || added.some((cap) => cap !== 'NET_BIND_SERVICE')) violations.add('Capabilities');
    if ((c.ports ?? []).some((p: any) => p.hostPort)) violations.add('Host Ports');
    if (c.securityContext?.procMount && c.securityContext.procMount !== 'Default') violations.add('/proc Mount Type');
    if (c.securityContext?.allowPrivilegeEscalation !== false) violations.add('Privilege Escalation');
    if (sc.runAsNonRoot !== true) violations.add('Running as Non-root');
    if (sc.runAsUser === 0) violations.add('Running as Non-root user');
    if (!['RuntimeDefault', 'Localhost'].includes(sc.seccompProfile?.type)) violations.add('Seccomp');
  }
  return [...violations].sort();
}
