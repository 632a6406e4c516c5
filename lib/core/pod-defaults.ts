import { k8s } from 'cdk8s-plus-25';

/** Who a container runs as. */
export interface RunAs {
  readonly uid: number;
  /** @default - the image's group */
  readonly gid?: number;
}

/** Where the restricted baseline may be loosened, each by its caller with a reason. */
export interface SecurityContextOptions {
  /**
   * Some images write to paths baked into them (bookinfo's Ruby and WildFly services).
   * @default true
   */
  readonly readOnlyRootFilesystem?: boolean;
}

/**
 * The securityContext every container of the mesh starts from (Pod Security "restricted"):
 * no privilege escalation, no capabilities, the runtime's seccomp profile, a read-only root
 * filesystem (each process writes only to mounted volumes). `runAsNonRoot` follows from the
 * uid, so a root container must say so at its call site.
 */
export function containerSecurityContext(runAs: RunAs, options: SecurityContextOptions = {}): k8s.SecurityContext {
  return {
    runAsUser: runAs.uid,
    ...(runAs.gid === undefined ? {} : { runAsGroup: runAs.gid }),
    runAsNonRoot: runAs.uid !== 0,
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: options.readOnlyRootFilesystem ?? true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/**
 * Requests and a memory limit; no CPU limit unless a caller asks for one (a user's service
 * may), since CFS throttling stalls bursty work (SVID signing, a proxy's TLS handshakes) while
 * the request still reserves a share.
 */
export function resources(cpu: string, memory: string, memoryLimit: string, cpuLimit?: string): k8s.ResourceRequirements {
  return {
    requests: { cpu: k8s.Quantity.fromString(cpu), memory: k8s.Quantity.fromString(memory) },
    limits: { memory: k8s.Quantity.fromString(memoryLimit), ...(cpuLimit === undefined ? {} : { cpu: k8s.Quantity.fromString(cpuLimit) }) },
  };
}
