import { k8s } from 'cdk8s-plus-25';
import { HclBlock } from './hcl';

/** `health_checks`, shared by server and agent: one listener serving `/live` and `/ready`. */
export interface HealthChecksConf {
  readonly bindPort: number;
  readonly livePath: string;
  readonly readyPath: string;
}

/** The health listener of both SPIRE processes: the config block and the probes are built from it. */
export const SPIRE_HEALTH_CHECKS: HealthChecksConf = { bindPort: 8080, livePath: '/live', readyPath: '/ready' };

const HEALTH_PORT_NAME = 'healthz';

/** The `health_checks` block; SPIRE reads its port as a string, as the reference file writes it. */
export function healthChecksBlock(conf: HealthChecksConf): HclBlock {
  return {
    type: 'health_checks',
    attributes: {
      listener_enabled: true,
      bind_address: '0.0.0.0',
      bind_port: String(conf.bindPort),
      live_path: conf.livePath,
      ready_path: conf.readyPath,
    },
  };
}

/** The container port, liveness and readiness probes that match a `health_checks` block. */
export function healthContainerFields(conf: HealthChecksConf): Pick<k8s.Container, 'livenessProbe' | 'readinessProbe'> & {
  readonly port: k8s.ContainerPort;
} {
  const probe = (path: string, periodSeconds: number, initialDelaySeconds: number): k8s.Probe => ({
    httpGet: { path, port: k8s.IntOrString.fromString(HEALTH_PORT_NAME) },
    initialDelaySeconds,
    periodSeconds,
    timeoutSeconds: 3,
    failureThreshold: 3,
  });
  return {
    port: { name: HEALTH_PORT_NAME, containerPort: conf.bindPort, protocol: 'TCP' },
    livenessProbe: probe(conf.livePath, 30, 15),
    readinessProbe: probe(conf.readyPath, 5, 5),
  };
}
