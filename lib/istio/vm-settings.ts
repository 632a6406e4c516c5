import { checkDns1123Label, ValidationError } from '../validation';
import type { EastWestGateway } from '../vm/east-west-gateway';
import { MultiClusterGlobalValues } from './operator-api';

/**
 * istiod's switches for VM workloads: a VM's proxy registers its own WorkloadEntry from its
 * WorkloadGroup, and istiod marks it healthy or not from the proxy's probe reports.
 * @see https://istio.io/latest/docs/setup/install/virtual-machine/ (`values.pilot.env`)
 */
export const VM_PILOT_ENV: Readonly<Record<string, string>> = {
  PILOT_ENABLE_WORKLOAD_ENTRY_AUTOREGISTRATION: 'true',
  PILOT_ENABLE_WORKLOAD_ENTRY_HEALTHCHECKS: 'true',
};

export function vmPilotEnv(): Record<string, string> {
  return { ...VM_PILOT_ENV };
}

export interface IstioVmSettingsProps {
  /** `global.meshID`: the mesh's ID in every proxy's metadata. */
  readonly meshId: string;
  /** `global.network`: the cluster's network. */
  readonly network: string;
  /** `global.multiCluster.clusterName`: the cluster's ID in the mesh. */
  readonly clusterName: string;
  /** The gateway VMs reach istiod and the services through. */
  readonly eastWestGateway: EastWestGateway;
}

/** The part of the install model that exists only with VM workloads; both renderings read it. */
export class IstioVmSettings {
  public readonly meshId: string;
  public readonly network: string;
  public readonly clusterName: string;
  public readonly eastWestGateway: EastWestGateway;

  constructor(props: IstioVmSettingsProps) {
    this.meshId = checkDns1123Label('meshId', props.meshId);
    this.network = checkDns1123Label('network', props.network);
    this.clusterName = checkDns1123Label('clusterName', props.clusterName);
    if (props.eastWestGateway.network !== this.network) {
      throw new ValidationError('eastWestGateway.network', props.eastWestGateway.network, `must be the cluster's network '${this.network}'`);
    }
    this.eastWestGateway = props.eastWestGateway;
  }

  /** `values.global` (IstioOperator) and the istiod chart's `global`: the same keys in both. */
  public globalValues(): MultiClusterGlobalValues {
    return { meshID: this.meshId, multiCluster: { clusterName: this.clusterName }, network: this.network };
  }
}
