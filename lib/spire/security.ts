import { k8s } from 'cdk8s-plus-25';

/** Who a container runs as. */
export interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

/**
 * The securityContext every SPIRE container starts from: no privilege escalation, no
 * capabilities, the runtime's seccomp profile, a read-only root filesystem (each process
 * writes only to mounted volumes). `runAsNonRoot` follows from the uid, so a root
 * container must say so at its call site.
 */
export function containerSecurityContext(runAs: RunAs): k8s.SecurityContext {
  return {
    runAsUser: runAs.uid,
    runAsGroup: runAs.gid,
    runAsNonRoot: runAs.uid !== 0,
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Requests and a memory limit; no CPU limit, whose CFS throttling would stall SVID signing in bursts (the request still reserves a share). */
export function resources(cpu: string, memory: string, memoryLimit: string): k8s.ResourceRequirements {
  return {
    requests: { cpu: k8s.Quantity.fromString(cpu), memory: k8s.Quantity.fromString(memory) },
    limits: { memory: k8s.Quantity.fromString(memoryLimit) },
  };
}
