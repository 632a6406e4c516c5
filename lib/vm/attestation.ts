import { checkDns1123Label, checkDns1123Subdomain, checkTrustDomain, ValidationError } from '../validation';

/**
 * How the SPIRE agent of a VM proves which VM it runs on (its node attestation), and the
 * node alias its workload entry is parented to. No construct or cdk8s import: the config
 * loader, the VmWorkload construct, the SPIRE server and the `vm bundle` CLI command all use
 * these rules.
 * @see https://spiffe.io/docs/latest/deploying/registering/#mapping-workloads-to-multiple-nodes
 */

/** The node attestors a VM may use; each is a SPIRE 1.15.3 built-in plugin on both sides. */
export const VM_ATTESTORS = ['join_token', 'x509pop', 'aws_iid'] as const;
export type VmAttestorType = (typeof VM_ATTESTORS)[number];

/** Where the SPIRE server reads the CA bundle that signs the VMs' x509pop certificates: a ConfigMap or a Secret in SPIRE's namespace. */
export interface CaBundleSource {
  /** A ConfigMap's name; exactly one of `configMap` and `secret`. */
  readonly configMap?: string;
  /** A Secret's name; exactly one of `configMap` and `secret`. */
  readonly secret?: string;
  /** The key holding the PEM bundle. @default 'ca.pem' */
  readonly key?: string;
}

/** A one-time token minted with `spire-server token generate -spiffeID <node alias>`; that command also creates the alias. */
export interface JoinTokenAttestation {
  readonly type: 'join_token';
}

/** A certificate on the VM, signed by a CA the server trusts (`x509pop`); the alias selects the certificate's subject CN. */
export interface X509PopAttestation {
  readonly type: 'x509pop';
  readonly caBundle: CaBundleSource;
  /** The CN of the VM's certificate subject: selector `x509pop:subject:cn:<subjectCN>`. */
  readonly subjectCN: string;
}

/** The AWS instance identity document (`aws_iid`); the alias selects account, region and instance tags. */
export interface AwsIidAttestation {
  readonly type: 'aws_iid';
  /** 12 digits: selector `aws_iid:account_id:<accountId>`. */
  readonly accountId: string;
  /** e.g. `eu-west-1`: selector `aws_iid:region:<region>`. */
  readonly region: string;
  /** Each becomes `aws_iid:tag:<key>:<value>` (the server needs ec2:DescribeInstances to read tags). @default {} */
  readonly instanceTags?: Readonly<Record<string, string>>;
}

export type VmAttestation = JoinTokenAttestation | X509PopAttestation | AwsIidAttestation;

const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;
const AWS_ACCOUNT = /^\d{12}$/;
const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const PLAIN_TEXT = /^[^\u0000-\u001f\u007f:]+$/;

/** The default key of a CA bundle ConfigMap or Secret. */
export const DEFAULT_CA_BUNDLE_KEY = 'ca.pem';

/** `spiffe://<td>/vm/<namespace>/<name>`: the one SPIFFE ID every agent of the VM workload's machines is aliased to. */
export function vmNodeAlias(trustDomain: string, namespace: string, name: string): string {
  return `spiffe://${checkTrustDomain('trustDomain', trustDomain)}/vm/${checkDns1123Label('namespace', namespace)}/${checkDns1123Label('name', name)}`;
}

/** A CA bundle source, checked: exactly one of configMap and secret, a valid name and key. */
export function checkCaBundle(field: string, source: CaBundleSource): Required<Pick<CaBundleSource, 'key'>> & CaBundleSource {
  if ((source.configMap === undefined) === (source.secret === undefined)) {
    throw new ValidationError(field, source, 'must name exactly one of configMap and secret');
  }
  if (source.configMap !== undefined) checkDns1123Subdomain(`${field}.configMap`, source.configMap);
  if (source.secret !== undefined) checkDns1123Subdomain(`${field}.secret`, source.secret);
  const key = source.key ?? DEFAULT_CA_BUNDLE_KEY;
  if (!CONFIG_MAP_KEY.test(key)) throw new ValidationError(`${field}.key`, key, 'must be a ConfigMap/Secret key: letters, digits, "-", "_", "."');
  return { ...source, key };
}

/**
 * Checks an attestation, reporting each problem through `report` (so the loader collects
 * them all); returns it when it had none.
 */
export function checkVmAttestation(field: string, value: VmAttestation, report: (err: ValidationError) => void): VmAttestation | undefined {
  const before: ValidationError[] = [];
  const bad = (err: ValidationError) => before.push(err);
  const run = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      bad(err);
    }
  };
  if (!(VM_ATTESTORS as readonly string[]).includes(value.type)) {
    bad(new ValidationError(`${field}.type`, value.type, `must be one of ${VM_ATTESTORS.join(', ')}`));
  } else if (value.type === 'x509pop') {
    run(() => checkCaBundle(`${field}.caBundle`, value.caBundle ?? {}));
    if (typeof value.subjectCN !== 'string' || !PLAIN_TEXT.test(value.subjectCN)) {
      bad(new ValidationError(`${field}.subjectCN`, value.subjectCN, 'must be the non-empty subject CN of the VM certificate, without control characters or ":"'));
    }
  } else if (value.type === 'aws_iid') {
    if (typeof value.accountId !== 'string' || !AWS_ACCOUNT.test(value.accountId)) {
      bad(new ValidationError(`${field}.accountId`, value.accountId, 'must be a 12-digit AWS account ID, in quotes'));
    }
    if (typeof value.region !== 'string' || !AWS_REGION.test(value.region)) {
      bad(new ValidationError(`${field}.region`, value.region, 'must be an AWS region such as eu-west-1'));
    }
    for (const [key, tag] of Object.entries(value.instanceTags ?? {})) {
      if (!PLAIN_TEXT.test(key)) bad(new ValidationError(`${field}.instanceTags`, key, 'must be a tag key without control characters or ":"'));
      if (typeof tag !== 'string' || !/^[^\u0000-\u001f\u007f]+$/.test(tag)) {
        bad(new ValidationError(`${field}.instanceTags.${key}`, tag, 'must be a non-empty string without control characters'));
      }
    }
  }
  before.forEach(report);
  return before.length === 0 ? value : undefined;
}

/**
 * The selectors the server's node attestor gives an agent of such a VM, which the node alias
 * entry requires; none for `join_token`, whose alias `token generate -spiffeID` creates.
 * Selector forms: SPIRE 1.15.3 doc/plugin_server_nodeattestor_x509pop.md ("Selectors") and
 * pkg/server/plugin/nodeattestor/awsiid/iid.go (account_id, region, tag).
 */
export function nodeAliasSelectors(attestation: VmAttestation): string[] {
  switch (attestation.type) {
    case 'join_token':
      return [];
    case 'x509pop':
      return [`x509pop:subject:cn:${attestation.subjectCN}`];
    case 'aws_iid':
      return [
        `aws_iid:account_id:${attestation.accountId}`,
        `aws_iid:region:${attestation.region}`,
        ...Object.entries(attestation.instanceTags ?? {}).map(([k, v]) => `aws_iid:tag:${k}:${v}`),
      ];
  }
}

/**
 * The user Istio's VM proxy runs as: `istio-start.sh` starts pilot-agent (and so Envoy) as
 * `EXEC_USER`, default `istio-proxy` (tools/packaging/common/istio-start.sh:87 in Istio
 * 1.30.3); the uid is whatever the istio-sidecar package gave that user, so the entry selects
 * the user's name, which SPIRE's unix attestor reports as `unix:user:<name>`
 * (pkg/agent/plugin/workloadattestor/unix/unix_posix.go:153 in SPIRE 1.15.3).
 */
export const VM_PROXY_USER = 'istio-proxy';

/** The workload selector of a VM's proxy. */
export function vmWorkloadSelectors(): string[] {
  return [`unix:user:${VM_PROXY_USER}`];
}
