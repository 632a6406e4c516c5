import { Construct } from 'constructs';
import { AuthorizationMode } from '../authorization/mode';
import { MeshConfig } from '../config/mesh-config';
import { VmConfig } from '../config/vms';
import { IndexVms } from '../core/index-contract';
import { WorkloadIdentity, workloadIdentity } from '../identity';
import { Istio } from '../istio/istio';
import { serviceKey } from '../mesh/declaration';
import { ServiceCatalog } from '../mesh/service-catalog';
import { SpireServer } from '../spire/server';
import { VmNodeAttestation } from '../spire/vm-node-attestation';
import { CaBundleSource } from './attestation';
import { IstiodExposure, SpireServerVmService } from './cluster-access';
import { VmWorkload } from './vm-workload';

/**
 * The composition root's VM part: what the config's `vms` become, on the cluster side, in
 * the charts it is given. Nothing here runs when `vms` is empty.
 */

/** The server's VM node attestors for the config's `vms`; undefined when there are none. */
export function vmNodeAttestation(config: MeshConfig): VmNodeAttestation | undefined {
  if (config.vms.length === 0) return undefined;
  const bundles: CaBundleSource[] = config.vms.flatMap((vm) => (vm.attestation.type === 'x509pop' ? [vm.attestation.caBundle] : []));
  return new VmNodeAttestation({ attestors: config.vms.map((vm) => vm.attestation.type), x509popCaBundles: bundles });
}

/** The identity of a VM workload of the config, before its construct exists (to resolve callers by name). */
export function vmIdentity(trustDomain: string, vm: VmConfig): WorkloadIdentity {
  return workloadIdentity(trustDomain, vm.namespace, vm.serviceAccount ?? vm.name);
}

/** The config's VM identities by `<namespace>/<name>`, for the service catalog. */
export function vmIdentities(config: MeshConfig): Map<string, WorkloadIdentity> {
  return new Map(config.vms.map((vm) => [serviceKey(vm), vmIdentity(config.trustDomain, vm)]));
}

export interface MeshVmsProps {
  readonly config: MeshConfig;
  /** Resolves caller names (services and VMs) to identities. */
  readonly catalog: ServiceCatalog;
  readonly istio: Istio;
  readonly server: SpireServer;
  readonly authorization: AuthorizationMode;
}

/** The cluster side of the config's VM workloads. */
export class MeshVms {
  public readonly workloads: readonly VmWorkload[];
  public readonly spireServerService: SpireServerVmService;
  public readonly istiodExposure: IstiodExposure;
  private readonly config: MeshConfig;
  private readonly server: SpireServer;
  private readonly istio: Istio;

  /**
   * @param spireScope where the server's VM Service goes (SPIRE's step, so it exists before any VM attests)
   * @param scope where the VM workloads and istiod's exposure go (a step after Istio: they are Istio kinds)
   */
  constructor(spireScope: Construct, scope: Construct, props: MeshVmsProps) {
    const { config, istio } = props;
    if (!istio.eastWestGateway) throw new Error('MeshVms: the Istio install has no east-west gateway (config.vms is empty)');
    this.config = config;
    this.server = props.server;
    this.istio = istio;
    this.spireServerService = new SpireServerVmService(spireScope, 'vm-access', { server: props.server, serviceType: config.vmAccess.spireServerServiceType });
    this.istiodExposure = new IstiodExposure(scope, 'istiod-exposure', { gateway: istio.eastWestGateway, istioNamespace: istio.install.namespace });
    this.workloads = config.vms.map(
      (vm) =>
        new VmWorkload(scope, `${vm.namespace}-${vm.name}`, {
          name: vm.name,
          namespace: vm.namespace,
          serviceAccountName: vm.serviceAccount,
          protocol: vm.protocol,
          ports: vm.ports,
          trustDomain: config.trustDomain,
          attestation: vm.attestation,
          network: config.vmAccess.vmNetwork,
          callers: props.catalog.resolveCallers(serviceKey(vm), vm.callers ?? []),
          authorization: props.authorization,
        }),
    );
  }

  /** The index section `vm bundle` reads. */
  public index(): IndexVms {
    const vm = this.istio.install.vm!;
    return {
      trustDomain: this.config.trustDomain,
      meshId: vm.meshId,
      clusterName: vm.clusterName,
      network: vm.network,
      istioNamespace: this.istio.install.namespace,
      spireServer: {
        namespace: this.spireServerService.namespace,
        service: this.spireServerService.name,
        port: this.spireServerService.port,
        bundleConfigMap: this.server.bundleConfigMapName,
        bundleKey: this.server.bundleKey,
      },
      istiod: { host: this.istiodExposure.istiodHost, port: this.istiodExposure.istiodPort },
      eastWestGateway: { namespace: vm.eastWestGateway.namespace, service: vm.eastWestGateway.name },
      workloads: this.workloads.map((w) => ({
        name: w.name,
        namespace: w.namespace,
        serviceAccount: w.identity.serviceAccountName,
        spiffeId: w.identity.spiffeId,
        nodeAlias: w.nodeAlias,
        attestor: w.attestation.type,
        ports: w.ports.map((p) => ({ name: w.portName(p), number: p.number })),
        workloadGroup: w.workloadGroup.name,
        labels: { ...w.selector },
        network: w.network,
      })),
    };
  }
}
