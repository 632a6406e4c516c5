import { k8s } from 'cdk8s-plus-25';
import { checkCaBundle, CaBundleSource, VM_ATTESTORS, VmAttestorType } from '../vm/attestation';
import { HclBlock } from './hcl';
import { pluginBlock } from './server-conf';

/** Where the x509pop CA bundles are mounted in the server container, one directory each. */
export const X509POP_CA_DIR = '/run/spire/x509pop';

/** The node attestors the server enables for agents outside the cluster (VMs), beside k8s_psat. */
export interface VmNodeAttestationProps {
  /** The attestors the VMs use; each is configured once, whatever the number of VMs using it. */
  readonly attestors: readonly VmAttestorType[];
  /** The CA bundles x509pop trusts (with `x509pop` among `attestors`), each a ConfigMap or Secret of SPIRE's namespace. @default [] */
  readonly x509popCaBundles?: readonly CaBundleSource[];
}

/**
 * The server side of VM node attestation: the `NodeAttestor` blocks of `server.conf`
 * (`join_token`, `x509pop` with the mounted CA bundles, `aws_iid`; keys of SPIRE 1.15.3's
 * server_full.conf), and the volumes that bring the CA bundles into the server container.
 * `aws_iid` has no plugin data: the server uses the AWS SDK's default credentials (and needs
 * ec2:DescribeInstances to read instance tags).
 * @see https://github.com/spiffe/spire/blob/v1.15.3/doc/plugin_server_nodeattestor_x509pop.md
 * @see https://github.com/spiffe/spire/blob/v1.15.3/doc/plugin_server_nodeattestor_aws_iid.md
 */
export class VmNodeAttestation {
  public readonly attestors: readonly VmAttestorType[];
  public readonly plugins: readonly HclBlock[];
  public readonly volumes: readonly k8s.Volume[];
  public readonly mounts: readonly k8s.VolumeMount[];
  /** The bundle files inside the server container, in the order given. */
  public readonly caBundlePaths: readonly string[];

  constructor(props: VmNodeAttestationProps) {
    const unknown = props.attestors.filter((a) => !(VM_ATTESTORS as readonly string[]).includes(a));
    if (unknown.length > 0) throw new Error(`VmNodeAttestation.attestors: ${unknown.join(', ')} not one of ${VM_ATTESTORS.join(', ')}`);
    // SPIRE's own order (server_full.conf): aws_iid, join_token, x509pop.
    this.attestors = [...new Set(props.attestors)].sort();
    const bundles = dedupe((props.x509popCaBundles ?? []).map((b, i) => checkCaBundle(`x509popCaBundles[${i}]`, b)));
    if (this.attestors.includes('x509pop') && bundles.length === 0) {
      throw new Error("VmNodeAttestation.x509popCaBundles: x509pop needs at least one CA bundle to trust");
    }
    const volumes: k8s.Volume[] = [];
    const mounts: k8s.VolumeMount[] = [];
    const paths: string[] = [];
    bundles.forEach((b, i) => {
      const name = `x509pop-ca-${i}`;
      const dir = `${X509POP_CA_DIR}/${i}`;
      const items = [{ key: b.key, path: b.key }];
      volumes.push(b.configMap !== undefined ? { name, configMap: { name: b.configMap, items } } : { name, secret: { secretName: b.secret, items } });
      mounts.push({ name, mountPath: dir, readOnly: true });
      paths.push(`${dir}/${b.key}`);
    });
    this.volumes = volumes;
    this.mounts = mounts;
    this.caBundlePaths = paths;
    this.plugins = this.attestors.map((attestor) => {
      if (attestor !== 'x509pop') return pluginBlock('NodeAttestor', attestor);
      return pluginBlock('NodeAttestor', 'x509pop', paths.length === 1 ? { ca_bundle_path: paths[0] } : { ca_bundle_paths: [...paths] });
    });
  }
}

function dedupe<T>(items: readonly T[]): T[] {
  return [...new Map(items.map((i) => [JSON.stringify(i), i])).values()];
}
