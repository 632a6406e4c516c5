import { ALLOW_NOTHING_NAME } from '../authorization/mode';
import { INGRESS_CALLER, parseCaller, serviceKey } from '../mesh/declaration';
import { checkAppPort, MESH_PROTOCOLS, MeshProtocol } from '../mesh/rules';
import { checkDns1123Label, checkDns1123Subdomain, checkOneOf, checkOwnNamespace, ValidationError } from '../validation';
import { checkVmAttestation, VmAttestation } from '../vm/attestation';
import type { GatewayServiceType, MeshConfig } from './mesh-config';
import { bookinfoServiceDeclarations } from './services';

/**
 * The `vms` section: workloads that run on virtual machines, outside Kubernetes, with the
 * same SPIRE identities and the same authorization as services (docs/vms.md). Its shape is
 * checked here (the loader's key-by-key merge only knows lists of strings), its rules across
 * services and VMs too, each problem reported with its field.
 */

/** One port the VM workload listens on. */
export interface VmPortConfig {
  readonly number: number;
  /** DNS-1123 label; the Service port is named `<protocol>-<name>` so Istio picks the protocol. */
  readonly name: string;
}

/** A workload on VMs: one identity, one Service, one WorkloadGroup, one ALLOW policy. */
export interface VmConfig {
  /** DNS-1123 label: the Service, WorkloadGroup and `app` label. */
  readonly name: string;
  /** DNS-1123 label; created unless built in, and never SPIRE's or Istio's. */
  readonly namespace: string;
  /** The service account, and so the SPIFFE ID's `sa` part. @default - `name` */
  readonly serviceAccount?: string;
  /** @default 'http' */
  readonly protocol?: MeshProtocol;
  /** At least one. */
  readonly ports: readonly VmPortConfig[];
  /** Who may call it, named like a service's callers (a service, another VM, or `ingress`). @default [] */
  readonly callers?: readonly string[];
  /** How the VM's SPIRE agent attests its machine. */
  readonly attestation: VmAttestation;
}

/** How VMs reach the cluster: Istio's network and mesh IDs, and how the SPIRE server and the east-west gateway are exposed. */
export interface VmAccessConfig {
  /** `global.meshID`. @default 'mesh1' */
  readonly meshID: string;
  /** The cluster's network (`global.network`). @default 'network1' */
  readonly network: string;
  /** The VMs' network (each WorkloadGroup's `template.network`). @default 'vm-network' */
  readonly vmNetwork: string;
  /** @default 'LoadBalancer' */
  readonly eastWestGatewayServiceType: GatewayServiceType;
  /** The type of the `spire-server-vms` Service the VMs' agents connect to (port 8081). @default 'LoadBalancer' */
  readonly spireServerServiceType: GatewayServiceType;
}

const VM_KEYS = ['name', 'namespace', 'serviceAccount', 'protocol', 'ports', 'callers', 'attestation'];
const ATTESTATION_KEYS: Readonly<Record<string, readonly string[]>> = {
  join_token: ['type'],
  x509pop: ['type', 'caBundle', 'subjectCN'],
  aws_iid: ['type', 'accountId', 'region', 'instanceTags'],
};
const SERVICE_TYPES: readonly GatewayServiceType[] = ['LoadBalancer', 'NodePort', 'ClusterIP'];

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

function unknownKeys(value: Record<string, unknown>, known: readonly string[], at: string, problems: string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) problems.push(`${at}.${key}: unknown key (known keys here: ${known.join(', ')})`);
  }
}

/** Takes `vms` out of a config override and checks each entry's shape; returns the other keys for the loader's merge. */
export function takeVms(overrides: unknown, problems: string[]): { vms: VmConfig[]; rest: unknown } {
  if (!isMapping(overrides) || !('vms' in overrides)) return { vms: [], rest: overrides };
  const { vms: raw, ...rest } = overrides;
  if (raw === null || raw === undefined) return { vms: [], rest };
  if (!Array.isArray(raw)) {
    problems.push(new ValidationError('vms', raw, 'must be a list of VM workloads').message);
    return { vms: [], rest };
  }
  const vms: VmConfig[] = [];
  raw.forEach((item, i) => {
    const at = `vms[${i}]`;
    const before = problems.length;
    const bad = (field: string, value: unknown, rule: string) => problems.push(new ValidationError(`${at}.${field}`, value, rule).message);
    if (!isMapping(item)) {
      problems.push(new ValidationError(at, item, 'must be a mapping with name, namespace, ports and attestation').message);
      return;
    }
    unknownKeys(item, VM_KEYS, at, problems);
    for (const key of ['name', 'namespace']) if (typeof item[key] !== 'string') bad(key, item[key], 'must be a string (required)');
    for (const key of ['serviceAccount', 'protocol']) if (item[key] !== undefined && typeof item[key] !== 'string') bad(key, item[key], 'must be a string');
    if (!Array.isArray(item.ports) || item.ports.some((p) => !isMapping(p) || typeof p.number !== 'number' || typeof p.name !== 'string')) {
      bad('ports', item.ports, 'must be a list of { number, name } (required)');
    } else {
      item.ports.forEach((p, j) => unknownKeys(p as Record<string, unknown>, ['number', 'name'], `${at}.ports[${j}]`, problems));
    }
    if (item.callers !== undefined && !isStringList(item.callers)) bad('callers', item.callers, 'must be a list of strings');
    const att = item.attestation;
    if (!isMapping(att) || typeof att.type !== 'string') {
      bad('attestation', att, `must be a mapping with type (${Object.keys(ATTESTATION_KEYS).join(', ')}) (required)`);
    } else if (ATTESTATION_KEYS[att.type]) {
      unknownKeys(att, ATTESTATION_KEYS[att.type], `${at}.attestation`, problems);
      if (att.type === 'x509pop') {
        if (!isMapping(att.caBundle)) bad('attestation.caBundle', att.caBundle, 'must be a mapping with configMap or secret, and key (required)');
        else unknownKeys(att.caBundle, ['configMap', 'secret', 'key'], `${at}.attestation.caBundle`, problems);
      }
      if (att.type === 'aws_iid' && att.instanceTags !== undefined && !isMapping(att.instanceTags)) {
        bad('attestation.instanceTags', att.instanceTags, 'must be a mapping of tag keys to values');
      }
    }
    if (problems.length > before) return;
    vms.push(item as unknown as VmConfig);
  });
  return { vms, rest };
}

/**
 * Every rule of `vms` and `vmAccess`, appended to `problems`; `check` runs one rule and
 * records its ValidationError (the loader's).
 */
export function checkVms(c: MeshConfig, problems: string[], check: (rule: () => unknown) => void): void {
  if (c.vms.length === 0) return;
  const access = c.vmAccess;
  for (const key of ['meshID', 'network', 'vmNetwork'] as const) check(() => checkDns1123Label(`vmAccess.${key}`, access[key]));
  for (const key of ['eastWestGatewayServiceType', 'spireServerServiceType'] as const) check(() => checkOneOf(`vmAccess.${key}`, access[key], SERVICE_TYPES));

  const serviceKeys = new Set([...bookinfoServiceDeclarations(c).map(serviceKey), ...c.services.map(serviceKey)]);
  const vmKeys = c.vms.map(serviceKey);
  const known = new Set([...serviceKeys, ...vmKeys]);
  c.vms.forEach((vm, i) => {
    const at = `vms[${i}]`;
    const key = serviceKey(vm);
    check(() => checkDns1123Label(`${at}.name`, vm.name));
    check(() => checkDns1123Label(`${at}.namespace`, vm.namespace));
    check(() => checkOwnNamespace(`${at}.namespace`, vm.namespace, { allowDefault: true }));
    if (vm.namespace === c.namespaces.spire || vm.namespace === c.namespaces.istio) {
      problems.push(new ValidationError(`${at}.namespace`, vm.namespace, "must not be SPIRE's or Istio's namespace").message);
    }
    if (vm.name === ALLOW_NOTHING_NAME) problems.push(new ValidationError(`${at}.name`, vm.name, 'names the namespace default policy: choose another').message);
    if (vm.serviceAccount !== undefined) check(() => checkDns1123Subdomain(`${at}.serviceAccount`, vm.serviceAccount!));
    if (vm.protocol !== undefined) check(() => checkOneOf(`${at}.protocol`, vm.protocol!, MESH_PROTOCOLS));
    if (vm.ports.length === 0) problems.push(new ValidationError(`${at}.ports`, [], 'must list at least one port').message);
    vm.ports.forEach((p, j) => {
      check(() => checkAppPort(`${at}.ports[${j}].number`, p.number));
      check(() => checkDns1123Label(`${at}.ports[${j}].name`, p.name));
    });
    for (const [what, values] of [['number', vm.ports.map((p) => String(p.number))], ['name', vm.ports.map((p) => p.name)]] as const) {
      const repeated = values.find((v, j) => values.indexOf(v) !== j);
      if (repeated !== undefined) problems.push(new ValidationError(`${at}.ports[].${what}`, repeated, 'is listed twice').message);
    }
    if (vmKeys.indexOf(key) !== i) problems.push(new ValidationError(at, key, 'is declared twice: each namespace/name must be unique').message);
    if (serviceKeys.has(key)) problems.push(new ValidationError(at, key, 'is also a service: both would write the same Service and AuthorizationPolicy').message);
    const seen = new Set<string>();
    (vm.callers ?? []).forEach((ref, j) => {
      const field = `${at}.callers[${j}]`;
      const caller = parseCaller(ref, vm.namespace);
      const id = caller.ingress ? INGRESS_CALLER : caller.key;
      if (seen.has(id)) problems.push(new ValidationError(field, ref, `is listed twice by VM '${key}'`).message);
      seen.add(id);
      if (caller.ingress) {
        if (!c.istio.ingressGateway.enabled) problems.push(new ValidationError(field, ref, `needs the ingress gateway, which is off (istio.ingressGateway.enabled); listed by VM '${key}'`).message);
      } else if (!known.has(caller.key)) {
        problems.push(new ValidationError(field, ref, `is not a declared service or VM (listed by VM '${key}'; known: ${[...known].sort().join(', ')})`).message);
      }
    });
    checkVmAttestation(`${at}.attestation`, vm.attestation, (err) => problems.push(err.message));
  });
}
