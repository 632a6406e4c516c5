import { k8s } from 'cdk8s-plus-25';
import { containerSecurityContext, resources as podResources } from '../core/pod-defaults';
import {
  createdClaimName,
  DEFAULT_RUN_AS_USER,
  DEFAULT_SERVICE_RESOURCES,
  EnvValue,
  ServiceProbe,
  ServiceVolume,
  ServiceWorkloadSpec,
  scratchVolumeName,
} from './workload-spec';

// A checked ServiceWorkloadSpec as Kubernetes JSON: the app container's parts and the pod's.

/** The timings each probe gets unless it says otherwise (startup: two minutes to start, a JVM app server is slow). */
const PROBE_DEFAULTS = {
  startup: { periodSeconds: 2, failureThreshold: 60 },
  readiness: { periodSeconds: 5, failureThreshold: 3 },
  liveness: { periodSeconds: 10, failureThreshold: 3 },
} as const;

function probe(p: ServiceProbe | undefined, kind: keyof typeof PROBE_DEFAULTS, port: number): k8s.Probe | undefined {
  if (p === undefined) return undefined;
  return {
    ...(p.httpGet ? { httpGet: { path: p.httpGet.path, port: k8s.IntOrString.fromNumber(p.httpGet.port ?? port) } } : {}),
    ...(p.exec ? { exec: { command: [...p.exec.command] } } : {}),
    ...(p.initialDelaySeconds === undefined ? {} : { initialDelaySeconds: p.initialDelaySeconds }),
    periodSeconds: p.periodSeconds ?? PROBE_DEFAULTS[kind].periodSeconds,
    timeoutSeconds: p.timeoutSeconds ?? 2,
    failureThreshold: p.failureThreshold ?? PROBE_DEFAULTS[kind].failureThreshold,
  };
}

function envVar(name: string, value: EnvValue): k8s.EnvVar {
  if (typeof value === 'string') return { name, value };
  if (value.secretKeyRef) return { name, valueFrom: { secretKeyRef: { ...value.secretKeyRef } } };
  return { name, valueFrom: { configMapKeyRef: { ...value.configMapKeyRef! } } };
}

function volume(service: string, v: ServiceVolume): k8s.Volume {
  // `emptyDir:` with nothing after it is YAML's null: an emptyDir with every default.
  if (v.emptyDir !== undefined) {
    const { sizeLimit, ...rest } = v.emptyDir ?? {};
    return { name: v.name, emptyDir: { ...rest, ...(sizeLimit === undefined ? {} : { sizeLimit: k8s.Quantity.fromString(sizeLimit) }) } };
  }
  if (v.configMap) return { name: v.name, configMap: { ...v.configMap } };
  if (v.secret) return { name: v.name, secret: { ...v.secret } };
  const claim = v.persistentVolumeClaim!;
  return {
    name: v.name,
    persistentVolumeClaim: {
      claimName: claim.claimName ?? createdClaimName(service, v.name),
      ...(claim.readOnly === undefined ? {} : { readOnly: claim.readOnly }),
    },
  };
}

/** The app container, but for its name, image and ports. */
export function appContainerParts(spec: ServiceWorkloadSpec, port: number): Omit<k8s.Container, 'name'> {
  const env = Object.entries(spec.env ?? {}).map(([name, value]) => envVar(name, value));
  const scratch = (spec.scratchDirs ?? []).map((path) => ({ name: scratchVolumeName(path), mountPath: path }));
  const mounts: k8s.VolumeMount[] = [...scratch, ...(spec.volumeMounts ?? []).map((m) => ({ ...m }))];
  const r = { ...DEFAULT_SERVICE_RESOURCES, ...spec.resources };
  const health: ServiceProbe | undefined = spec.healthPath === undefined ? undefined : { httpGet: { path: spec.healthPath } };
  const probes = spec.probes ?? { startup: health, readiness: health, liveness: health };
  return {
    ...(spec.command ? { command: [...spec.command] } : {}),
    ...(spec.args ? { args: [...spec.args] } : {}),
    ...(env.length > 0 ? { env } : {}),
    ...(spec.envFrom && spec.envFrom.length > 0 ? { envFrom: spec.envFrom.map((e) => ({ ...e })) } : {}),
    resources: podResources(r.cpuRequest, r.memoryRequest, r.memoryLimit, spec.resources?.cpuLimit),
    securityContext: containerSecurityContext(
      { uid: spec.runAsUser ?? DEFAULT_RUN_AS_USER, gid: spec.runAsGroup },
      { readOnlyRootFilesystem: spec.readOnlyRootFilesystem },
    ),
    startupProbe: probe(probes.startup, 'startup', port),
    readinessProbe: probe(probes.readiness, 'readiness', port),
    livenessProbe: probe(probes.liveness, 'liveness', port),
    ...(mounts.length > 0 ? { volumeMounts: mounts } : {}),
  };
}

/** The pod's own fields the spec sets: token, volumes, fsGroup and placement. */
export function podSpecParts(service: string, spec: ServiceWorkloadSpec): Omit<k8s.PodSpec, 'containers'> {
  const volumes = [
    ...(spec.scratchDirs ?? []).map((path) => ({ name: scratchVolumeName(path), emptyDir: {} })),
    ...(spec.volumes ?? []).map((v) => volume(service, v)),
  ];
  return {
    // The app rarely calls the Kubernetes API; the proxy uses its own projected istio-token.
    automountServiceAccountToken: spec.automountServiceAccountToken ?? false,
    // OnRootMismatch: a kubelet that walked a large data volume on every start would delay it by minutes.
    ...(spec.fsGroup === undefined ? {} : { securityContext: { fsGroup: spec.fsGroup, fsGroupChangePolicy: 'OnRootMismatch' } }),
    ...(spec.nodeSelector && Object.keys(spec.nodeSelector).length > 0 ? { nodeSelector: { ...spec.nodeSelector } } : {}),
    ...(spec.tolerations && spec.tolerations.length > 0 ? { tolerations: spec.tolerations.map((t) => ({ ...t })) } : {}),
    ...(volumes.length > 0 ? { volumes } : {}),
  };
}
