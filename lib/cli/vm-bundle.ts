import * as fs from 'fs';
import * as path from 'path';
import { MeshIndex } from '../core/index-contract';
import { BundleFile, ClusterFacts, vmBundleFiles } from './vm-bundle-files';
import { CliError } from './errors';
import { commandLine, PlanCommand } from './plan';
import { Io, Runner } from './runner';

/** The longest one kubectl read of `vm bundle` may take. */
export const VM_BUNDLE_KUBECTL_LIMIT_MS = 20000;

export interface VmBundleOptions {
  readonly index: MeshIndex;
  /** The VM workload's name, or `<namespace>/<name>` when two namespaces hold one of that name. */
  readonly name: string;
  /** Output directory, relative to `cwd`. @default `vm-<name>` */
  readonly out?: string;
  readonly dryRun: boolean;
  readonly context?: string;
  /** Skip asking the cluster for the SPIRE server's load-balancer address. */
  readonly spireServerAddress?: string;
  /** Skip asking the cluster for the east-west gateway's load-balancer address. */
  readonly gatewayAddress?: string;
  readonly runner: Runner;
  readonly io: Io;
  readonly cwd: string;
}

const jsonPathKey = (key: string) => key.replace(/\./g, '\\.');

/**
 * `vm bundle <name>`: the files one VM needs, from dist/meta/index.json and four reads of the
 * cluster (each with its own deadline). `--dry-run` asks the cluster nothing and prints every
 * file, the cluster's values replaced by the command that reads them.
 */
export async function vmBundle(options: VmBundleOptions): Promise<void> {
  const { index, io } = options;
  const vms = index.vms;
  if (!vms || vms.workloads.length === 0) {
    throw new CliError('dist/meta/index.json declares no VM workloads: add one to `vms` in spire-mesh.config.yaml and run `npm run synth` (docs/vms.md)');
  }
  const matches = vms.workloads.filter((w) => w.name === options.name || `${w.namespace}/${w.name}` === options.name);
  const known = vms.workloads.map((w) => `${w.namespace}/${w.name}`).join(', ');
  if (matches.length === 0) throw new CliError(`no VM workload '${options.name}' in dist/meta/index.json (declared: ${known}); add it to \`vms\` and run \`npm run synth\``);
  if (matches.length > 1) throw new CliError(`'${options.name}' names VM workloads in several namespaces (${known}): give <namespace>/<name>`);
  const vm = matches[0];
  const out = options.out ?? `vm-${vm.name}`;
  const target = path.resolve(options.cwd, out);
  if (!options.dryRun && fs.existsSync(target) && fs.readdirSync(target).length > 0) {
    throw new CliError(`${out} exists and is not empty: remove it or pick another --out, so no file of an older bundle stays behind`);
  }

  const kubectl = (...args: string[]): PlanCommand => ({ tool: 'kubectl', args: options.context ? [`--context=${options.context}`, ...args] : args });
  const bundleCmd = kubectl('-n', vms.spireServer.namespace, 'get', 'configmap', vms.spireServer.bundleConfigMap, '-o', `jsonpath={.data.${jsonPathKey(vms.spireServer.bundleKey)}}`);
  const rootCmd = kubectl('-n', vm.namespace, 'get', 'configmap', 'istio-ca-root-cert', '-o', 'jsonpath={.data.root-cert\\.pem}');
  const addressOf = (namespace: string, service: string) =>
    kubectl('-n', namespace, 'get', 'service', service, '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}{.status.loadBalancer.ingress[0].hostname}');
  const serverCmd = addressOf(vms.spireServer.namespace, vms.spireServer.service);
  const gatewayCmd = addressOf(vms.eastWestGateway.namespace, vms.eastWestGateway.service);

  let facts: ClusterFacts;
  if (options.dryRun) {
    const placeholder = (cmd: PlanCommand) => `<from: ${commandLine(cmd)}>\n`;
    facts = {
      trustBundle: placeholder(bundleCmd),
      istiodRootCert: placeholder(rootCmd),
      spireServerAddress: options.spireServerAddress ?? `<address of ${vms.spireServer.namespace}/${vms.spireServer.service}>`,
      gatewayAddress: options.gatewayAddress ?? `<address of ${vms.eastWestGateway.namespace}/${vms.eastWestGateway.service}>`,
    };
  } else {
    const read = async (cmd: PlanCommand, what: string, hint: string): Promise<string> => {
      const result = await options.runner.execOrThrow(cmd, { limitMs: VM_BUNDLE_KUBECTL_LIMIT_MS });
      if (result.code !== 0) throw new CliError(`cannot read ${what} (${commandLine(cmd)}): ${(result.stderr || result.stdout).trim()}; ${hint}`);
      const value = result.stdout.trim();
      if (value === '') throw new CliError(`${what} is empty (${commandLine(cmd)}); ${hint}`);
      return value;
    };
    const pem = (text: string, what: string, cmd: PlanCommand) => {
      if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new CliError(`${what} is not a PEM certificate bundle (${commandLine(cmd)})`);
      return `${text}\n`;
    };
    const trustBundle = pem(
      await read(bundleCmd, `the SPIRE trust bundle (ConfigMap ${vms.spireServer.namespace}/${vms.spireServer.bundleConfigMap})`, 'the SPIRE server publishes it once it runs: `npm run mesh -- status`, then retry'),
      'the SPIRE trust bundle',
      bundleCmd,
    );
    const istiodRootCert = pem(
      await read(rootCmd, `istiod's root certificate (ConfigMap ${vm.namespace}/istio-ca-root-cert)`, 'istiod writes it into every namespace once Istio runs: `npm run mesh -- up` first'),
      "istiod's root certificate",
      rootCmd,
    );
    const lbHint = (flag: string) => `wait for the load balancer, or pass ${flag} with an address the VM can reach (for a NodePort, a node's address)`;
    const spireServerAddress =
      options.spireServerAddress ?? (await read(serverCmd, `the load-balancer address of Service ${vms.spireServer.namespace}/${vms.spireServer.service}`, lbHint('--spire-server-address')));
    const gatewayAddress =
      options.gatewayAddress ?? (await read(gatewayCmd, `the load-balancer address of Service ${vms.eastWestGateway.namespace}/${vms.eastWestGateway.service}`, lbHint('--gateway-address')));
    facts = { trustBundle, istiodRootCert, spireServerAddress, gatewayAddress };
  }

  const files = vmBundleFiles(vms, vm, index.admin.spireServer, facts);
  if (options.dryRun) {
    io.out(`spire-mesh vm bundle ${vm.namespace}/${vm.name}: ${files.length} files for ${out}/ — dry run, nothing is written and the cluster is not asked`);
    for (const file of files) io.out(`--- ${path.posix.join(out, file.path)}${file.installPath ? `  (on the VM: ${file.installPath})` : ''}\n${file.text.trimEnd()}`);
    return;
  }
  writeFiles(target, files);
  io.out(`spire-mesh vm bundle ${vm.namespace}/${vm.name}: wrote ${files.length} files to ${out}/; next: follow ${path.posix.join(out, 'README.md')}`);
}

function writeFiles(dir: string, files: readonly BundleFile[]): void {
  for (const file of files) {
    const target = path.join(dir, file.path);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, file.text, { mode: parseInt(file.mode, 8) });
  }
}
