import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-25';
import { k8s } from 'cdk8s-plus-25';
import { CallerPolicy } from '../authorization/caller-policy';
import { AUTHORIZATION_MODES, AuthorizationMode } from '../authorization/mode';
import { WorkloadIdentity, workloadIdentity } from '../identity';
import { checkNoNativeSidecarOverride } from '../istio/injection-template';
import { ISidecarInjection } from '../istio/interfaces';
import { checkAppPort, checkReplicas, deploymentName, MESH_PROTOCOLS, MeshProtocol } from './rules';
import { ServiceRoute, ServiceRouteOptions } from './service-route';
import { IMeshWorkload, markMeshWorkload } from './workload';
import { appContainerParts, podSpecParts } from './workload-pod';
import { checkWorkloadSpec, createdClaimName, createdClaims, ServiceResources, ServiceWorkloadSpec } from './workload-spec';
import {
  checkDns1123Label,
  checkDns1123Subdomain,
  checkImage,
  checkOneOf,
  checkPort,
  checkUnique,
  ValidationError,
} from '../validation';

/** One version of a meshed service: a Deployment `<name>-<version>` running `image`. */
export interface MeshedServiceVersion {
  /** The `version` label and the Deployment name's suffix, e.g. `v1`; a DNS-1123 label. */
  readonly name: string;
  /** The app image, pinned by tag or digest. */
  readonly image: string;
  /** @default 1 */
  readonly replicas?: number;
}

/** CPU and memory of the app container (the injected proxy sets its own). */
export type MeshedServiceResources = ServiceResources;

/**
 * A meshed service: its name, ports, versions and callers, plus how its containers run
 * (`ServiceWorkloadSpec` in lib/mesh/workload-spec.ts: command, env, volumes, probes, security,
 * resources, placement), the same keys a config file's `services` entry has.
 */
export interface MeshedServiceProps extends ServiceWorkloadSpec {
  /** The app: Service name, `app` label and container name; a DNS-1123 label. */
  readonly name: string;
  readonly namespace: string;
  /** The port the app listens on (the container port). */
  readonly port: number;
  /**
   * The port the Service exposes, forwarding to `port`.
   * @default - the same as `port`
   */
  readonly servicePort?: number;
  /**
   * The protocol on `port`; it names the Service and container port so Istio picks it.
   * @default 'http'
   */
  readonly protocol?: MeshProtocol;
  /** At least one version, each with a distinct name. */
  readonly versions: readonly MeshedServiceVersion[];
  /** How pods ask the Istio install for a sidecar: annotations and labels put on every pod template. */
  readonly injection: ISidecarInjection;
  /** The SPIFFE trust domain of the service's identity. */
  readonly trustDomain: string;
  /**
   * The service account every version runs as, and so the SPIFFE ID's `sa` part.
   * @default - the service name
   */
  readonly serviceAccountName?: string;
  /**
   * The identities allowed to call the service (another service's `identity`, the ingress
   * gateway's). Each must be registered in the mesh: the composition root refuses a caller
   * no meshed workload or gateway owns.
   * @default [] - nobody may call it
   */
  readonly callers?: readonly WorkloadIdentity[];
  /**
   * `enforce` writes an ALLOW `AuthorizationPolicy` (named after the service) admitting
   * exactly `callers`; `off` writes none.
   * @default 'enforce'
   */
  readonly authorization?: AuthorizationMode;
  /**
   * Expose the service through the ingress gateway; the gateway's identity must then be
   * one of `callers`.
   * @default - not routed
   */
  readonly route?: ServiceRouteOptions;
}

/** The identity the pods of a meshed service receive; one rule, for the construct and for resolving callers by name before it exists. */
export function meshedServiceIdentity(trustDomain: string, namespace: string, name: string, serviceAccountName?: string): WorkloadIdentity {
  return workloadIdentity(trustDomain, namespace, serviceAccountName ?? name, [`k8s:pod-label:app:${name}`]);
}

/**
 * A workload in the mesh, declared once: one Service, one ServiceAccount and one
 * Deployment per version, every pod labelled `app`/`version`, requesting the injection
 * templates and selected for injection; the SPIFFE identity its pods receive; the ALLOW
 * policy admitting its callers; and, with `route`, its Gateway and VirtualService. The
 * composition root finds it in the construct tree ({@link IMeshWorkload}) to register it.
 *
 * ```ts
 * new MeshedService(chart, 'echo', {
 *   name: 'echo', namespace: 'team-a', port: 8080, trustDomain, injection,
 *   versions: [{ name: 'v1', image: 'docker.io/ealen/echo-server:0.9.2' }],
 *   callers: [productpage.identity],
 * });
 * ```
 */
export class MeshedService extends Construct implements IMeshWorkload {
  public readonly name: string;
  public readonly namespace: string;
  /** `<namespace>/<name>` */
  public readonly key: string;
  /** The container port. */
  public readonly port: number;
  /** The Service port. */
  public readonly servicePort: number;
  /** The Service and container port name, which is the protocol. */
  public readonly portName: MeshProtocol;
  /** The labels the Service selects: every version's pods, nothing else. */
  public readonly selector: Readonly<Record<string, string>>;
  public readonly service: kplus.Service;
  public readonly serviceAccount: kplus.ServiceAccount;
  /** The claims the mesh creates (volumes with `persistentVolumeClaim.size`), keyed by volume name. */
  public readonly claims: ReadonlyMap<string, k8s.KubePersistentVolumeClaim>;
  /** One Deployment per version, keyed by version name. */
  public readonly deployments: ReadonlyMap<string, k8s.KubeDeployment>;
  /** The SPIFFE identity of every pod of the service, for the registration construct. */
  public readonly identity: WorkloadIdentity;
  public readonly callers: readonly WorkloadIdentity[];
  public readonly authorization: AuthorizationMode;
  /** Undefined when `authorization` is `off`. */
  public readonly policy?: CallerPolicy;
  /** Undefined unless `route` is set. */
  public readonly route?: ServiceRoute;

  constructor(scope: Construct, id: string, props: MeshedServiceProps) {
    super(scope, id);
    this.name = checkDns1123Label('MeshedService.name', props.name);
    this.namespace = checkDns1123Label(`MeshedService(${this.name}).namespace`, props.namespace);
    this.key = `${this.namespace}/${this.name}`;
    // Named by its key, as the composition root names it: the same name may be in two namespaces.
    const field = (prop: string) => `MeshedService(${this.key}).${prop}`;
    this.port = checkAppPort(field('port'), props.port);
    this.servicePort = checkPort(field('servicePort'), props.servicePort ?? this.port);
    this.portName = checkOneOf(field('protocol'), props.protocol ?? 'http', MESH_PROTOCOLS);
    const serviceAccountName = checkDns1123Subdomain(field('serviceAccountName'), props.serviceAccountName ?? this.name);
    if (props.versions.length === 0) throw new ValidationError(field('versions'), [], 'must list at least one version');
    props.versions.forEach((v, i) => {
      checkDns1123Label(field(`versions[${i}].name`), v.name);
      checkDns1123Label(field(`versions[${i}].name`) + ' (as Deployment name)', deploymentName(this.name, v.name));
      checkImage(field(`versions[${i}].image`), v.image);
      if (v.replicas !== undefined) checkReplicas(field(`versions[${i}].replicas`), v.replicas);
    });
    checkUnique(field('versions[].name'), props.versions.map((v) => v.name));
    checkNoNativeSidecarOverride(field('injection.podAnnotations'), props.injection.podAnnotations);
    const pods = props.versions.reduce((sum, v) => sum + (v.replicas ?? 1), 0);
    checkWorkloadSpec(props as unknown as Record<string, unknown>, field, { service: this.name, pods }, (rule) => rule());

    this.authorization = checkOneOf(field('authorization'), props.authorization ?? 'enforce', AUTHORIZATION_MODES);
    this.callers = [...(props.callers ?? [])];
    if (props.route && !this.callers.some((c) => c.spiffeId === props.route!.gateway.identity.spiffeId)) {
      throw new ValidationError(field('route'), props.route.hosts, `needs the gateway's identity '${props.route.gateway.identity.spiffeId}' among callers`);
    }
    if (props.route && this.portName === 'tcp') {
      throw new ValidationError(field('route'), props.route.hosts, "routes HTTP paths, so protocol must not be 'tcp'");
    }

    this.selector = { app: this.name };
    this.identity = meshedServiceIdentity(props.trustDomain, this.namespace, this.name, serviceAccountName);
    markMeshWorkload(this);

    this.serviceAccount = new kplus.ServiceAccount(this, 'service-account', {
      metadata: { name: serviceAccountName, namespace: this.namespace, labels: this.selector },
      // No token unless a pod asks (automountServiceAccountToken); the proxy uses its own projected istio-token.
      automountToken: false,
    });

    this.service = new kplus.Service(this, 'service', {
      metadata: { name: this.name, namespace: this.namespace, labels: this.selector },
      type: kplus.ServiceType.CLUSTER_IP,
      ports: [{ name: this.portName, port: this.servicePort, targetPort: this.port, protocol: kplus.Protocol.TCP }],
    });
    for (const [key, value] of Object.entries(this.selector)) this.service.selectLabel(key, value);

    if (this.authorization === 'enforce') {
      this.policy = new CallerPolicy(this, 'policy', { name: this.name, namespace: this.namespace, selector: this.selector, callers: this.callers });
    }
    if (props.route) {
      this.route = new ServiceRoute(this, 'route', { ...props.route, serviceName: this.name, namespace: this.namespace, port: this.servicePort });
    }

    const claims = new Map<string, k8s.KubePersistentVolumeClaim>();
    for (const v of createdClaims(props)) {
      const claim = v.persistentVolumeClaim!;
      claims.set(v.name, new k8s.KubePersistentVolumeClaim(this, `claim-${v.name}`, {
        metadata: { name: createdClaimName(this.name, v.name), namespace: this.namespace, labels: this.selector },
        spec: {
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: k8s.Quantity.fromString(claim.size!) } },
          ...(claim.storageClassName === undefined ? {} : { storageClassName: claim.storageClassName }),
        },
      }));
    }
    this.claims = claims;

    const container = appContainerParts(props, this.port);
    const { automountServiceAccountToken, ...pod } = podSpecParts(this.name, props);
    const deployments = new Map<string, k8s.KubeDeployment>();
    for (const version of props.versions) {
      const labels = { ...this.selector, version: version.name };
      // L1 class: cdk8s-plus-25 cannot set capabilities or seccompProfile on a container.
      const deployment = new k8s.KubeDeployment(this, `deployment-${version.name}`, {
        metadata: { name: deploymentName(this.name, version.name), namespace: this.namespace, labels },
        spec: {
          replicas: version.replicas ?? 1,
          // A claim the mesh creates is ReadWriteOnce: a rolling update's new pod would wait for the old one's volume forever.
          ...(claims.size > 0 ? { strategy: { type: 'Recreate' } } : {}),
          selector: { matchLabels: labels },
          template: {
            metadata: {
              labels: { ...props.injection.podLabels, ...labels },
              annotations: { ...props.injection.podAnnotations },
            },
            spec: {
              serviceAccountName,
              automountServiceAccountToken,
              containers: [
                {
                  name: this.name,
                  image: version.image,
                  imagePullPolicy: 'IfNotPresent',
                  ports: [{ name: this.portName, containerPort: this.port, protocol: 'TCP' }],
                  ...container,
                },
              ],
              ...pod,
            },
          },
        },
      });
      deployments.set(version.name, deployment);
    }
    this.deployments = deployments;
    // Also what an escape hatch (addJsonPatch) wrote into a pod template, checked on the rendered object at synth.
    this.node.addValidation({
      validate: () => {
        const problems: string[] = [];
        for (const [version, deployment] of deployments) {
          const annotations = (deployment.toJson() as { spec?: { template?: { metadata?: { annotations?: Record<string, string> } } } }).spec?.template?.metadata?.annotations;
          try {
            checkNoNativeSidecarOverride(`Deployment(${this.namespace}/${deploymentName(this.name, version)}).spec.template.metadata.annotations`, annotations);
          } catch (err) {
            if (!(err instanceof ValidationError)) throw err;
            problems.push(err.message);
          }
        }
        return problems;
      },
    });
  }
}
