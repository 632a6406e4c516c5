import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { checkWholeNumber } from '../validation';

/** How a chart's manifest reaches the cluster. */
export type ApplyTool = 'kubectl' | 'istioctl';

/** Argo CD applies lower waves first; the value follows the chart order (see `MeshChart.wave`). */
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';
/** Per-object Argo CD sync options, e.g. `SkipDryRunOnMissingResource=true` for custom resources whose CRD a later wave installs. */
export const SYNC_OPTIONS_ANNOTATION = 'argocd.argoproj.io/sync-options';

export interface MeshChartProps {
  /** The step's name, e.g. `spire`: the chart's key in the index and in tests. */
  readonly name: string;
  /**
   * The chart's position among the charts applied by the same tool. kubectl charts carry it
   * in their file name (`0001-spire.k8s.yaml`), so `kubectl apply -f dist/` and a reader of
   * the directory see the apply order.
   */
  readonly position: number;
  /** One line for the index and the operator CLI: what applying this chart does. */
  readonly description: string;
  /**
   * `istioctl` charts are written outside the `kubectl apply -f dist/` set.
   * @default 'kubectl'
   */
  readonly tool?: ApplyTool;
  /** The Argo CD sync wave of this step's objects. */
  readonly wave: number;
  /**
   * How many consecutive sync waves the step takes in Argo CD: the Istio step is three Helm
   * releases (base, istiod, gateway), each waiting for the one before it.
   * @default 1
   */
  readonly waves?: number;
}

/**
 * A chart of the mesh: one apply step. Names are explicit (no construct-path hashes),
 * so the same config always gives the same object names.
 *
 * The apply order is carried by the chart id (`<position>-<name>`), which cdk8s uses as the
 * file name, not by `Chart.addDependency`: in cdk8s 2.70 a chart dependency becomes an edge
 * from every object of one chart to every object of the other, and its graph walks
 * (`DependencyVertex.topology`, the cycle check in `addChild`) are not memoised, so a chain
 * of charts costs the product of their sizes: measured here, 4 bookinfo namespaces took 5 s
 * to synth and 8 did not finish in 10 minutes.
 */
export class MeshChart extends Chart {
  /** The step's name, without its position. */
  public readonly name: string;
  public readonly description: string;
  public readonly tool: ApplyTool;
  /** The chart's position among the charts applied by the same tool. */
  public readonly position: number;
  /** The Argo CD sync wave of this step's objects. */
  public readonly wave: number;
  /** The sync waves this step takes; the next step's wave is `wave + waves`. */
  public readonly waves: number;

  constructor(scope: Construct, props: MeshChartProps) {
    const tool = props.tool ?? 'kubectl';
    super(scope, tool === 'kubectl' ? `${props.position.toString().padStart(4, '0')}-${props.name}` : props.name, {
      disableResourceNameHashes: true,
    });
    this.name = props.name;
    this.description = props.description;
    this.tool = tool;
    this.position = props.position;
    this.wave = props.wave;
    this.waves = props.waves ?? 1;
    checkWholeNumber('position', this.position, 0);
    checkWholeNumber('wave', this.wave, 0);
    checkWholeNumber('waves', this.waves, 1);
  }

  /** Every object this chart writes, however deeply nested (`apiObjects` lists only direct children). */
  public get allObjects(): ApiObject[] {
    return chartObjects(this);
  }
}

/**
 * One apply step: a chart of the mesh, or a chart of the user's App the mesh orders after its
 * own, with its place in the apply order.
 */
export interface MeshStep {
  readonly chart: Chart;
  /** The step's name: a mesh chart's `name`, a user chart's construct id. */
  readonly name: string;
  /** One line for the index and the operator CLI: what applying this step does. */
  readonly description: string;
  readonly tool: ApplyTool;
  /** The position among the steps applied by the same tool: a kubectl step's file name starts with it. */
  readonly position: number;
  /** The Argo CD sync wave of the step's objects. */
  readonly wave: number;
  /** The sync waves the step takes; the next step's wave is `wave + waves`. */
  readonly waves: number;
}

/** Every object `chart` writes, however deeply nested, and none of a chart nested in it. */
export function chartObjects(chart: Chart): ApiObject[] {
  return chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart);
}
