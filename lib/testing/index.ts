/**
 * `spire-mesh/testing`: the checks of a mesh repository's own tests, so a user's repository
 * tests its manifests (its config, its charts) without copying this project's tests.
 *
 * ```ts
 * import { chartSnapshot, expectDistFresh, meshManifests, schemaProblems, wiringProblems } from 'spire-mesh/testing';
 * ```
 * `schemaProblems` needs the optional peer dependencies `ajv` and `kubernetes-models`; the
 * others only what `spire-mesh` needs.
 *
 * @packageDocumentation
 */
export { chartSnapshot, PLATFORM_ANNOTATIONS } from './snapshot';
export { distProblems, expectDistFresh } from './dist';
export { registeredEntries, type DeclaredEntry } from './entries';
export { meshManifests } from './manifests';
export { schemaProblems, type Manifest } from './schema';
export { wiringProblems } from './wiring';
