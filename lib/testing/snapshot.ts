import { Chart } from 'cdk8s';
import { SYNC_WAVE_ANNOTATION } from '../core/mesh-chart';
import { ISTIO_VERSION_ANNOTATION } from '../istio/injection-template';
import { Mesh } from '../composition-root';

/**
 * The annotations {@link chartSnapshot} leaves out: set by the platform, not by the chart.
 * The sync wave is the chart's place after every platform chart (another bookinfo namespace
 * moves it); the Istio version restarts meshed pods when Istio is upgraded.
 */
export const PLATFORM_ANNOTATIONS: readonly string[] = [SYNC_WAVE_ANNOTATION, ISTIO_VERSION_ANNOTATION];

/**
 * The manifests of one chart of the mesh's App, as `synthMesh` writes them (the mesh is
 * finalized first), without the {@link PLATFORM_ANNOTATIONS}: what a team's snapshot test
 * compares, so that it changes when the team's chart does and not when the platform's charts
 * or Istio version do. Every other field, derived or not, stays.
 *
 * ```ts
 * expect(chartSnapshot(mesh, teamChart)).toMatchSnapshot();
 * ```
 */
export function chartSnapshot(mesh: Mesh, chart: Chart): unknown[] {
  mesh.finalize();
  return chart.toJson().map((manifest) => withoutPlatformAnnotations(manifest));
}

/** A copy of `value` where every `annotations` map lacks the platform's keys, and is left out once empty. */
function withoutPlatformAnnotations(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPlatformAnnotations);
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (key === 'annotations' && typeof field === 'object' && field !== null && !Array.isArray(field)) {
      const kept = Object.entries(field).filter(([name]) => !PLATFORM_ANNOTATIONS.includes(name));
      if (kept.length > 0) copy[key] = Object.fromEntries(kept);
    } else {
      copy[key] = withoutPlatformAnnotations(field);
    }
  }
  return copy;
}
