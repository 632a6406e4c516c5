import * as fs from 'fs';
import * as path from 'path';
import { Names } from 'cdk8s';
import { ApplyTool, MeshChart } from './core/mesh-chart';
import { ISTIOCTL_SUBDIR, Mesh } from './composition-root';
import { IdentityGraph, identityGraphMarkdown } from './authorization/identity-graph';

/** Where the index of the output lives, relative to the output directory (a subdirectory, so `kubectl apply -f dist/` skips it). */
export const INDEX_FILE = path.join('meta', 'index.json');
/** Who may call whom, as Mermaid in Markdown (GitHub renders it). */
export const IDENTITY_GRAPH_FILE = path.posix.join('meta', 'identity-graph.md');

/** One object of a step, enough for a tool to wait on it or delete it. */
export interface IndexObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/** One apply step of the mesh: a file and the tool that applies it. */
export interface IndexStep {
  readonly chart: string;
  readonly description: string;
  /** Relative to the output directory. */
  readonly file: string;
  readonly tool: ApplyTool;
  /** The Argo CD sync wave of every object in the file. */
  readonly wave: number;
  readonly objects: readonly IndexObject[];
}

/** How the operator CLI reaches the SPIRE server's admin API: `kubectl exec` into the pod, then the socket. */
export interface IndexSpireServerAdmin {
  readonly namespace: string;
  readonly podName: string;
  readonly containerName: string;
  readonly binaryPath: string;
  readonly adminSocketPath: string;
}

/** How the operator CLI finds the ingress gateway pods to port-forward. */
export interface IndexIngressGateway {
  readonly namespace: string;
  /** Labels of the gateway pods. */
  readonly selector: Readonly<Record<string, string>>;
  /** The gateway's plain-HTTP port (the demo's 8080). */
  readonly httpPort: number;
}

/** Runtime coordinates the operator CLI needs beyond the applied objects. */
export interface IndexAdmin {
  readonly spireServer: IndexSpireServerAdmin;
  /** @default - absent when `istio.ingressGateway.enabled` is false */
  readonly ingressGateway?: IndexIngressGateway;
}

/** What synth wrote, in apply order: read by the operator CLI instead of hard-coding names. */
export interface MeshIndex {
  readonly steps: readonly IndexStep[];
  /**
   * Always written by `meshIndex()`; optional because the CLI reads indexes from disk,
   * where an older or hand-edited one may lack it (the CLI then names what is missing).
   */
  readonly admin?: IndexAdmin;
  /** Who may call whom, by SPIFFE identity; absent from indexes written before it existed. */
  readonly identityGraph?: IdentityGraph;
}

/** The file cdk8s writes a chart to, relative to the output directory (no chart depends on another, so cdk8s adds no index of its own). */
function chartFile(chart: MeshChart): string {
  const dir = chart.tool === 'istioctl' ? ISTIOCTL_SUBDIR : '';
  return path.posix.join(dir, `${Names.toDnsLabel(chart)}.k8s.yaml`);
}

/** Describes the synthesized output of a mesh; pure, so tests can read it without writing files. */
export function meshIndex(mesh: Mesh): MeshIndex {
  const steps = mesh.charts.map((chart, wave) => {
    const objects = chart.allObjects.map((obj) => ({
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
      name: obj.name,
    }));
    return {
      chart: chart.name,
      description: chart.description,
      file: chartFile(chart),
      tool: chart.tool,
      wave,
      objects,
    };
  });
  return { steps, admin: meshAdmin(mesh), identityGraph: mesh.identityGraph };
}

/** Copies the wiring values out of the parts, so the CLI uses the same ones the manifests were built from. */
function meshAdmin(mesh: Mesh): IndexAdmin {
  const { namespace, podName, containerName, binaryPath, adminSocketPath } = mesh.spire.server;
  const gateway = mesh.istio.ingressGateway;
  return {
    spireServer: { namespace, podName, containerName, binaryPath, adminSocketPath },
    ...(gateway ? { ingressGateway: { namespace: gateway.namespace, selector: { ...gateway.selector }, httpPort: gateway.httpPort } } : {}),
  };
}

/**
 * Writes every chart of the mesh and the index to the Apps' output directory. Validation
 * of the whole tree runs before the first file is written.
 */
export function synthMesh(mesh: Mesh): MeshIndex {
  mesh.app.synthYaml();
  mesh.istioctlApp.synthYaml();
  mesh.app.synth();
  mesh.istioctlApp.synth();
  const index = meshIndex(mesh);
  for (const step of index.steps) {
    const file = path.join(mesh.app.outdir, step.file);
    if (!fs.existsSync(file)) throw new Error(`internal: chart '${step.chart}' was expected at ${file}`);
  }
  const indexPath = path.join(mesh.app.outdir, INDEX_FILE);
  fs.mkdirSync(path.dirname(indexPath), { recursive: true });
  fs.writeFileSync(indexPath, `${JSON.stringify(index, null, 2)}\n`);
  fs.writeFileSync(path.join(mesh.app.outdir, IDENTITY_GRAPH_FILE), identityGraphMarkdown(mesh.identityGraph));
  return index;
}
