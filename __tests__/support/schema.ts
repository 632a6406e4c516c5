import { Manifest, schemaProblems } from '../../lib/testing/schema';

export { schemaProblems, type Manifest };

/** Validates a pod spec fragment (e.g. an Istio injection template) as the spec of a Pod. */
export function podSpecProblems(spec: unknown): string[] {
  return schemaProblems([{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'fragment' }, spec }]);
}
