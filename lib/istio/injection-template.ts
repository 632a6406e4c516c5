import { k8s } from 'cdk8s-plus-25';
import * as YAML from 'yaml';
import { IWorkloadApiCsi } from '../spire/interfaces';
import { checkDns1123Label, ValidationError } from '../validation';
import { ISidecarInjection } from './interfaces';
import { checkIstioVersion } from './version';
import { PROXY_CONTAINER, WorkloadSocket } from './workload-socket';

/** The pod annotation that lists the injection templates Istio applies, in order. */
export const TEMPLATES_ANNOTATION = 'inject.istio.io/templates';
/**
 * The pod label that opts a pod into injection. Matched by the object selector of Istio's
 * default injection webhook in any namespace not labelled `istio-injection`.
 * @see https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/#controlling-the-injection-policy
 */
export const INJECT_LABEL = 'sidecar.istio.io/inject';
/** Istio's own template that injects the proxy; ours patches what it produced. */
export const BASE_TEMPLATE = 'sidecar';
/**
 * Templates Istio 1.30 ships (`sidecarInjectorWebhook` config, istiod chart
 * templates/istiod-injector-configmap.yaml:54-81 at 1.30.3); a custom template of the same name
 * would replace one of them.
 */
export const BUILT_IN_TEMPLATES: readonly string[] = ['sidecar', 'gateway', 'grpc-simple', 'grpc-agent', 'waypoint', 'kube-gateway', 'agentgateway'];
/**
 * The pod annotation that overrides istiod's native-sidecar mode for one pod (read by the
 * injector, pkg/kube/inject/inject.go:499-503, and the `sidecar` template at 1.30.3). The `spire`
 * template patches the list the mesh-wide mode puts `istio-proxy` in, so on a pod that flips the
 * mode it patches the other list and adds a second, image-less `istio-proxy`: the pod is refused.
 */
export const NATIVE_SIDECAR_ANNOTATION = 'sidecar.istio.io/nativeSidecar';
/**
 * The pod-template annotation naming the Istio release a pod is injected by. The injector runs
 * only when a pod is created, so an upgraded istiod leaves running sidecars at the old release;
 * with the release in the pod template, bumping `istio.version` changes every meshed pod
 * template and so rolls the workloads (in their sync wave under Argo CD, on `kubectl apply` too).
 */
export const ISTIO_VERSION_ANNOTATION = 'spire-mesh/istio-version';

/**
 * Refuses {@link NATIVE_SIDECAR_ANNOTATION} among a meshed pod's annotations: the mode is
 * mesh-wide (`istio.nativeSidecars`), never per pod.
 * @param field names the annotations' owner, e.g. `MeshedService(echo).podAnnotations`
 */
export function checkNoNativeSidecarOverride(field: string, annotations: Readonly<Record<string, string>> | undefined): void {
  if (annotations && Object.prototype.hasOwnProperty.call(annotations, NATIVE_SIDECAR_ANNOTATION)) {
    throw new ValidationError(
      `${field}['${NATIVE_SIDECAR_ANNOTATION}']`,
      annotations[NATIVE_SIDECAR_ANNOTATION],
      'must not be set on a meshed pod: the native-sidecar mode is mesh-wide (istio.nativeSidecars), and the spire template patches the list that mode puts ' +
        'istio-proxy in; a pod that overrides it gets a second, image-less istio-proxy and is refused (istio/istio#56455)',
    );
  }
}

/**
 * The part of a pod spec an injection template patches. Istio merges it into the pod the
 * `sidecar` template produced (a strategic merge: containers and volumes by `name`).
 */
export interface PodSpecPatch {
  readonly containers?: k8s.Container[];
  readonly initContainers?: k8s.Container[];
  readonly volumes: k8s.Volume[];
}

export interface SpireInjectionTemplateProps {
  /** The SPIFFE CSI driver that serves the SPIRE agent's Workload API socket. */
  readonly csi: IWorkloadApiCsi;
  /**
   * Whether Istio injects `istio-proxy` as a native sidecar (an init container). The
   * template must patch the list the proxy is in: with the wrong one, the merge adds a
   * second, image-less `istio-proxy` and the pod is refused (istio/istio#56455).
   */
  readonly nativeSidecars: boolean;
  /**
   * The Istio release whose injector applies the template: written into every meshed pod
   * template (`ISTIO_VERSION_ANNOTATION` in lib/istio/injection-template.ts), so an upgrade
   * re-creates the pods and their proxies.
   */
  readonly istioVersion: string;
  /**
   * The template's name, as pods list it in `TEMPLATES_ANNOTATION` (lib/istio/injection-template.ts).
   * @default 'spire'
   */
  readonly name?: string;
}

/**
 * The `spire` sidecar injection template (`values.sidecarInjectorWebhook.templates.spire`):
 * mounts the SPIRE Workload API socket into the injected `istio-proxy`, so the proxy takes
 * its certificates from SPIRE. Not a construct: it emits no object of its own, the
 * IstioOperator carries it.
 * @see https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/#custom-templates-experimental
 */
export class SpireInjectionTemplate implements ISidecarInjection {
  public readonly name: string;
  public readonly nativeSidecars: boolean;
  public readonly istioVersion: string;
  public readonly socket: WorkloadSocket;
  /** The typed pod spec fragment the template applies. */
  public readonly podSpec: PodSpecPatch;
  public readonly podAnnotations: Readonly<Record<string, string>>;
  public readonly podLabels: Readonly<Record<string, string>>;

  constructor(props: SpireInjectionTemplateProps) {
    this.name = checkDns1123Label('name', props.name ?? 'spire');
    if (BUILT_IN_TEMPLATES.includes(this.name)) {
      throw new ValidationError('name', this.name, `must not be one of Istio's built-in templates (${BUILT_IN_TEMPLATES.join(', ')})`);
    }
    this.nativeSidecars = props.nativeSidecars;
    this.istioVersion = checkIstioVersion('istioVersion', props.istioVersion);
    this.socket = new WorkloadSocket(props.csi);
    const proxy: k8s.Container = { name: PROXY_CONTAINER, volumeMounts: [this.socket.mount] };
    this.podSpec = {
      ...(this.nativeSidecars ? { initContainers: [proxy] } : { containers: [proxy] }),
      volumes: [this.socket.volume],
    };
    this.podAnnotations = { [TEMPLATES_ANNOTATION]: `${BASE_TEMPLATE},${this.name}`, [ISTIO_VERSION_ANNOTATION]: this.istioVersion };
    this.podLabels = { [INJECT_LABEL]: 'true' };
  }

  /** The pod spec fragment as Kubernetes JSON. */
  public podSpecJson(): Record<string, unknown> {
    const containers = (list?: k8s.Container[]) => list?.map((c) => k8s.toJson_Container(c)!);
    const json = {
      containers: containers(this.podSpec.containers),
      initContainers: containers(this.podSpec.initContainers),
      volumes: this.podSpec.volumes.map((v) => k8s.toJson_Volume(v)!),
    };
    return Object.fromEntries(Object.entries(json).filter(([, v]) => v !== undefined));
  }

  /** The template as Istio reads it: a YAML document with the fragment under `spec`. */
  public render(): string {
    return YAML.stringify({ spec: this.podSpecJson() });
  }
}
