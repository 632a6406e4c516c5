import { Construct, IConstruct } from 'constructs';
import * as kplus from 'cdk8s-plus-25';
import { WorkloadGroup } from '../../imports/networking.istio.io';
import { CallerPolicy } from '../authorization/caller-policy';
import { AUTHORIZATION_MODES, AuthorizationMode } from '../authorization/mode';
import { WorkloadIdentity, workloadIdentity } from '../identity';
import { IMeshWorkload, markMeshWorkload } from '../mesh/workload';
import { checkAppPort, MESH_PROTOCOLS, MeshProtocol } from '../mesh/rules';
import { RegistrationEntry } from '../registration/entry';
import { checkDns1123Label, checkDns1123Subdomain, checkOneOf, checkTrustDomain, checkUnique, ValidationError } from '../validation';
import { checkVmAttestation, nodeAliasSelectors, VmAttestation, vmNodeAlias, vmWorkloadSelectors } from './attestation';

const VM_WORKLOAD = Symbol.for('spire-mesh.VmWorkload');

/** One port a VM workload listens on. */
export interface VmPort {
  readonly number: number;
  /** DNS-1123 label; the Service port is `<protocol>-<name>`. */
  readonly name: string;
}

export interface VmWorkloadProps {
  /** The Service, WorkloadGroup and `app` label; a DNS-1123 label. */
  readonly name: string;
  readonly namespace: string;
  /**
   * The service account of its identity (`spiffe://<td>/ns/<namespace>/sa/<serviceAccountName>`).
   * @default - the name
   */
  readonly serviceAccountName?: string;
  /** @default 'http' */
  readonly protocol?: MeshProtocol;
  /** At least one, distinct numbers and names. */
  readonly ports: readonly VmPort[];
  readonly trustDomain: string;
  /** How the VMs' SPIRE agents attest their machines; decides the node alias entry. */
  readonly attestation: VmAttestation;
  /** The VMs' network (the WorkloadGroup template's `network`). */
  readonly network: string;
  /**
   * Who may call it: pods' and other VMs' identities, the ingress gateway's.
   * @default [] - nobody
   */
  readonly callers?: readonly WorkloadIdentity[];
  /** @default 'enforce' */
  readonly authorization?: AuthorizationMode;
}

/**
 * A workload that runs on VMs, outside Kubernetes, declared once like a `MeshedService`: its
 * ServiceAccount (whose token the VM's proxy presents to istiod), a Service selecting its
 * WorkloadEntries (which the VMs' proxies auto-register from the WorkloadGroup), the ALLOW
 * `AuthorizationPolicy` its sidecar enforces (selector on the WorkloadGroup's labels), and
 * its SPIRE entries: a node alias for its machines (`spiffe://<td>/vm/<namespace>/<name>`,
 * from the attestor's selectors; with `join_token`, `spire-server token generate -spiffeID`
 * creates it) and the workload entry `spiffe://<td>/ns/<ns>/sa/<sa>` parented to it,
 * selecting the proxy's unix user. The composition root finds it in the tree ({@link IMeshWorkload})
 * for the identity graph and the namespace default, and registers {@link registrationEntries}.
 * @see https://istio.io/latest/docs/setup/install/virtual-machine/
 */
export class VmWorkload extends Construct implements IMeshWorkload {
  public readonly name: string;
  public readonly namespace: string;
  public readonly key: string;
  public readonly protocol: MeshProtocol;
  public readonly ports: readonly VmPort[];
  /** The labels of its WorkloadEntries: the Service and the policy select them. */
  public readonly selector: Readonly<Record<string, string>>;
  public readonly network: string;
  public readonly attestation: VmAttestation;
  public readonly identity: WorkloadIdentity;
  public readonly callers: readonly WorkloadIdentity[];
  public readonly authorization: AuthorizationMode;
  /** The SPIFFE ID every agent of its machines is aliased to. */
  public readonly nodeAlias: string;
  /** The node alias entry (none for `join_token`), then the workload entry. */
  public readonly registrationEntries: readonly RegistrationEntry[];
  public readonly serviceAccount: kplus.ServiceAccount;
  public readonly service: kplus.Service;
  public readonly workloadGroup: WorkloadGroup;
  public readonly policy?: CallerPolicy;

  constructor(scope: Construct, id: string, props: VmWorkloadProps) {
    super(scope, id);
    this.name = checkDns1123Label('VmWorkload.name', props.name);
    const field = (prop: string) => `VmWorkload(${this.name}).${prop}`;
    this.namespace = checkDns1123Label(field('namespace'), props.namespace);
    this.key = `${this.namespace}/${this.name}`;
    checkTrustDomain(field('trustDomain'), props.trustDomain);
    const serviceAccountName = checkDns1123Subdomain(field('serviceAccountName'), props.serviceAccountName ?? this.name);
    this.protocol = checkOneOf(field('protocol'), props.protocol ?? 'http', MESH_PROTOCOLS);
    if (props.ports.length === 0) throw new ValidationError(field('ports'), [], 'must list at least one port');
    props.ports.forEach((p, i) => {
      checkAppPort(field(`ports[${i}].number`), p.number);
      checkDns1123Label(field(`ports[${i}].name`), p.name);
    });
    checkUnique(field('ports[].number'), props.ports.map((p) => String(p.number)));
    checkUnique(field('ports[].name'), props.ports.map((p) => p.name));
    this.ports = props.ports.map((p) => ({ ...p }));
    this.network = checkDns1123Label(field('network'), props.network);
    const problems: ValidationError[] = [];
    checkVmAttestation(field('attestation'), props.attestation, (e) => problems.push(e));
    if (problems.length > 0) throw problems[0];
    this.attestation = props.attestation;
    this.authorization = checkOneOf(field('authorization'), props.authorization ?? 'enforce', AUTHORIZATION_MODES);
    this.callers = [...(props.callers ?? [])];

    this.selector = { app: this.name };
    this.identity = workloadIdentity(props.trustDomain, this.namespace, serviceAccountName);
    this.nodeAlias = vmNodeAlias(props.trustDomain, this.namespace, this.name);
    const aliasSelectors = nodeAliasSelectors(this.attestation);
    this.registrationEntries = [
      // A node entry's parent is the server itself, as for the cluster's node alias.
      ...(aliasSelectors.length > 0
        ? [new RegistrationEntry({ spiffeId: this.nodeAlias, parentId: `spiffe://${props.trustDomain}/spire/server`, selectors: aliasSelectors })]
        : []),
      new RegistrationEntry({ spiffeId: this.identity.spiffeId, parentId: this.nodeAlias, selectors: vmWorkloadSelectors() }),
    ];
    markMeshWorkload(this);
    Object.defineProperty(this, VM_WORKLOAD, { value: true });

    this.serviceAccount = new kplus.ServiceAccount(this, 'service-account', {
      metadata: { name: serviceAccountName, namespace: this.namespace, labels: this.selector },
      automountToken: false,
    });
    this.service = new kplus.Service(this, 'service', {
      metadata: { name: this.name, namespace: this.namespace, labels: this.selector },
      type: kplus.ServiceType.CLUSTER_IP,
      ports: this.ports.map((p) => ({ name: this.portName(p), port: p.number, targetPort: p.number, protocol: kplus.Protocol.TCP })),
    });
    for (const [key, value] of Object.entries(this.selector)) this.service.selectLabel(key, value);
    this.workloadGroup = new WorkloadGroup(this, 'workload-group', {
      metadata: { name: this.name, namespace: this.namespace, labels: { ...this.selector } },
      spec: {
        // The labels every auto-registered WorkloadEntry gets: what the Service and the policy select.
        metadata: { labels: { ...this.selector } },
        template: {
          serviceAccount: serviceAccountName,
          network: this.network,
          ports: Object.fromEntries(this.ports.map((p) => [this.portName(p), p.number])),
        },
      },
    });
    if (this.authorization === 'enforce') {
      this.policy = new CallerPolicy(this, 'policy', { name: this.name, namespace: this.namespace, selector: this.selector, callers: this.callers });
    }
  }

  /** The Service port name: the protocol first, so Istio picks it. */
  public portName(port: VmPort): string {
    return `${this.protocol}-${port.name}`;
  }
}

export function isVmWorkload(x: unknown): x is VmWorkload {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[VM_WORKLOAD] === true;
}

/** Every VM workload below `scopes`, in construct-tree order. */
export function collectVmWorkloads(...scopes: IConstruct[]): VmWorkload[] {
  return scopes.flatMap((scope) => scope.node.findAll().filter(isVmWorkload));
}
