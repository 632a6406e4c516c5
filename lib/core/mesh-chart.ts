import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';

/** How a chart's manifest reaches the cluster. */
export type ApplyTool = 'kubectl' | 'istioctl';

/** Argo CD applies lower waves first; the value follows the chart order. */
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

export interface MeshChartProps {
  /** One line for the index and the operator CLI: what applying this chart does. */
  readonly description: string;
  /**
   * `istioctl` charts are written outside the `kubectl apply -f dist/` set.
   * @default 'kubectl'
   */
  readonly tool?: ApplyTool;
}

/**
 * A chart of the mesh: one apply step. Names are explicit (no construct-path hashes),
 * so the same config always gives the same object names.
 */
export class MeshChart extends Chart {
  public readonly description: string;
  public readonly tool: ApplyTool;

  constructor(scope: Construct, id: string, props: MeshChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    this.description = props.description;
    this.tool = props.tool ?? 'kubectl';
  }

  /** Every object this chart writes, however deeply nested (`apiObjects` lists only direct children). */
  public get allObjects(): ApiObject[] {
    return this.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === this);
  }
}
