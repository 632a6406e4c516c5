import { Manifest } from './schema';

/** Finds one object by kind and name (and namespace, when given); throws naming what is missing. */
export function findOne(manifests: readonly Manifest[], kind: string, name: string, namespace?: string): Manifest & Record<string, any> {
  const found = manifests.filter(
    (m) => m.kind === kind && m.metadata.name === name && (namespace === undefined || m.metadata.namespace === namespace),
  );
  if (found.length !== 1) {
    throw new Error(`expected one ${kind} '${name}'${namespace ? ` in '${namespace}'` : ''}, found ${found.length}`);
  }
  return found[0] as Manifest & Record<string, any>;
}

/** A SPIRE entry as the registration Job reads it (SPIRE's `entry create -data` JSON). */
export interface DeclaredEntry {
  readonly entry_id: string;
  readonly spiffe_id: string;
  readonly parent_id: string;
  readonly selectors: { readonly type: string; readonly value: string }[];
  readonly [key: string]: unknown;
}

/**
 * The entries the registration Job reads: every `entries-*.json` of every ConfigMap its
 * projected volume mounts, in order, found through the Job's own volume (so only what it mounts counts).
 */
export function registeredEntries(objects: readonly Manifest[]): DeclaredEntry[] {
  const jobs = objects.filter((o) => o.kind === 'Job' && o.metadata.name.startsWith('spire-registration-'));
  if (jobs.length !== 1) throw new Error(`expected one registration Job, found ${jobs.length}`);
  const job = jobs[0] as Manifest & Record<string, any>;
  const volume = job.spec.template.spec.volumes.find((v: { name: string }) => v.name === 'registration');
  return volume.projected.sources.flatMap((source: { configMap: { name: string } }) => {
    const configMap = findOne(objects, 'ConfigMap', source.configMap.name, job.metadata.namespace);
    return Object.entries(configMap.data as Record<string, string>)
      .filter(([key]) => /^entries-\d{3}\.json$/.test(key))
      .sort(([a], [b]) => a.localeCompare(b))
      .flatMap(([, text]) => JSON.parse(text).entries as DeclaredEntry[]);
  });
}
