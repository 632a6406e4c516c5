import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import * as YAML from 'yaml';
import { formats } from './crd-formats';
import { istioOperatorProblems } from './istio-operator-schema';
import { optionalPeer } from './optional-peer';

/** A synthesized Kubernetes object as plain JSON (what `Testing.synth` and `chart.toJson()` return). */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

/** crds/ of the package: two folders up from lib/testing in the sources, three from build/lib/testing. */
const CRD_DIR = [path.join(__dirname, '..', '..', 'crds'), path.join(__dirname, '..', '..', '..', 'crds')].find((dir) => fs.existsSync(dir))!;
/** The CRDs of the Istio and Argo CD versions the mesh is built for, shipped with the package. */
const CRD_FILES = [path.join(CRD_DIR, 'istio-1.30.3', 'crds.yaml'), path.join(CRD_DIR, 'argo-cd-3.5.1', 'application-crd.yaml')];

type JsonSchema = { [key: string]: unknown };

/**
 * CRD schemas let the API server prune unknown fields silently; a test must instead
 * refuse them, so every object schema with declared properties gets
 * `additionalProperties: false` unless it preserves unknown fields on purpose.
 */
function closeSchema(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith('x-kubernetes-')) continue;
    if (key === 'properties' && value && typeof value === 'object') {
      out.properties = Object.fromEntries(Object.entries(value as JsonSchema).map(([k, v]) => [k, closeSchema(v as JsonSchema)]));
    } else if (Array.isArray(value)) {
      out[key] = value.map((v) => (v && typeof v === 'object' ? closeSchema(v as JsonSchema) : v));
    } else if (value && typeof value === 'object' && key !== 'enum' && key !== 'default') {
      out[key] = closeSchema(value as JsonSchema);
    } else {
      out[key] = value;
    }
  }
  if (schema.properties && schema.additionalProperties === undefined && !schema['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  return out;
}

/** The CRD documents, by kind, unparsed: parsing all of them costs ~0.3 s per test file that needs one. */
let crdTexts: Map<string, string> | undefined;
const crdSchemas = new Map<string, JsonSchema>();
const crdValidators = new Map<string, ValidateFunction | null>();
let ajv: Ajv | undefined;

/**
 * Compiled CRD validators, as ajv's standalone code, shared by every test file and run: parsing
 * a CRD and compiling its schema costs ~0.1 s a kind in each file that validates one. In the
 * project's node_modules/.cache (of the working directory, as babel and eslint keep theirs); a
 * read-only one only costs the compile. A file is named by the hash of the CRD's text, the kind,
 * this module, the formats (path and text) and ajv's version, so any change to what it was built
 * from builds a new one.
 */
const VALIDATOR_CACHE = path.join(process.cwd(), 'node_modules', '.cache', 'spire-mesh-testing', 'crd-validators');
const FORMATS_FILE = require.resolve('./crd-formats');
let cacheSalt: string | undefined;
function salt(): string {
  cacheSalt ??= createHash('sha256')
    .update(FORMATS_FILE)
    .update(fs.readFileSync(__filename))
    .update(fs.readFileSync(FORMATS_FILE))
    .update(JSON.stringify(optionalPeer<{ version: string }>('ajv/package.json').version))
    .digest('hex');
  return cacheSalt;
}

/** Adds the closed schema of each version of one CRD, by `group/version/Kind`. */
function addCrd(text: string): void {
  const crd = YAML.parse(text);
  for (const version of crd.spec.versions) {
    const schema = closeSchema(version.schema.openAPIV3Schema);
    const properties = schema.properties as JsonSchema;
    properties.apiVersion = { type: 'string' };
    properties.kind = { type: 'string' };
    properties.metadata = { type: 'object' };
    // Synthesized objects never carry status; without it in the schema, one would be refused.
    delete properties.status;
    crdSchemas.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, schema);
  }
}

/** Compiles a closed CRD schema; the ajv instance keeps each validator's source for the cache. */
function compile(schema: JsonSchema): ValidateFunction {
  if (!ajv) {
    const { default: Ajv, _ } = optionalPeer<typeof import('ajv')>('ajv');
    ajv = new Ajv({ strict: false, allErrors: true, code: { source: true, formats: _`require(${FORMATS_FILE}).formats` } });
    for (const [name, format] of Object.entries(formats)) ajv.addFormat(name, format);
  }
  return ajv.compile(schema);
}

/**
 * Writes `code` to `file` whole: a file written aside, then renamed, so a parallel reader never
 * sees half of it. A cache that cannot be written (a read-only node_modules) is no error.
 */
function writeWhole(file: string, code: string): void {
  const aside = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(aside, code);
    fs.renameSync(aside, file);
  } catch {
    fs.rmSync(aside, { force: true });
  }
}

/** The validator of one CRD kind: from the cache, or parsed and compiled (and cached) the first time a test meets that kind. */
function crdValidator(apiVersion: string, kind: string): ValidateFunction | undefined {
  const key = `${apiVersion}/${kind}`;
  if (!crdValidators.has(key)) crdValidators.set(key, loadCrdValidator(apiVersion, kind));
  return crdValidators.get(key) ?? undefined;
}

function loadCrdValidator(apiVersion: string, kind: string): ValidateFunction | null {
  if (!crdTexts) {
    crdTexts = new Map();
    for (const text of CRD_FILES.flatMap((file) => fs.readFileSync(file, 'utf8').split(/^---$/m))) {
      const named = /^ {2}names:\n(?: {4}.*\n)*? {4}kind: (\w+)$/m.exec(text);
      if (named) crdTexts.set(named[1], text);
    }
  }
  const text = crdTexts.get(kind);
  if (!text) return null;
  const key = `${apiVersion}/${kind}`;
  const cached = path.join(VALIDATOR_CACHE, `${createHash('sha256').update(`${salt()}\0${key}\0${text}`).digest('hex').slice(0, 32)}.js`);
  if (fs.existsSync(cached)) return require(cached);
  if (!crdSchemas.has(key)) addCrd(text);
  const schema = crdSchemas.get(key);
  // A kind without this version is cached too, as null.
  if (!schema) {
    writeWhole(cached, 'module.exports = null;\n');
    return null;
  }
  const validate = compile(schema);
  writeWhole(cached, optionalPeer<typeof import('ajv/dist/standalone')>('ajv/dist/standalone').default(ajv!, validate));
  return validate;
}

/** Records every property read of `value` (deeply): a key nobody read is a field the model does not define. */
function trackReads(value: unknown, at: string, unread: Map<string, Set<string>>): unknown {
  if (value === null || typeof value !== 'object') return value;
  const keys = new Set(Object.keys(value));
  unread.set(at, keys);
  const children = new Map<string, unknown>();
  return new Proxy(value, {
    get(target, prop, receiver) {
      if (typeof prop !== 'string') return Reflect.get(target, prop, receiver);
      keys.delete(prop);
      if (!children.has(prop)) children.set(prop, trackReads(Reflect.get(target, prop, receiver), `${at}/${prop}`, unread));
      return children.get(prop);
    },
    has(target, prop) {
      if (typeof prop === 'string') keys.delete(prop);
      return Reflect.has(target, prop);
    },
    ownKeys(target) {
      keys.clear();
      return Reflect.ownKeys(target);
    },
  });
}

/**
 * Validates a built-in kind with kubernetes-models. Its compiled validators check types,
 * enums and required fields but accept unknown fields; they read exactly the properties the
 * OpenAPI schema defines (and list the keys of free-form maps), so the object is wrapped in a
 * Proxy that records reads, and every key nobody read is reported.
 */
function builtInProblems(manifest: Manifest): string[] {
  const [group, version] = manifest.apiVersion.includes('/') ? manifest.apiVersion.split('/') : ['', manifest.apiVersion];
  optionalPeer('kubernetes-models/package.json');
  let model: { prototype: { validate(): void } } | undefined;
  try {
    model = require(`kubernetes-models/${group ? `${group}/` : ''}${version}/${manifest.kind}`)[manifest.kind];
  } catch {
    model = undefined;
  }
  if (!model) return [`no Kubernetes schema for ${manifest.apiVersion} ${manifest.kind}`];
  const unread = new Map<string, Set<string>>();
  const problems: string[] = [];
  try {
    model.prototype.validate.call(trackReads(manifest, '', unread));
  } catch (err) {
    problems.push((err as Error).message);
  }
  for (const [at, keys] of unread) for (const key of keys) problems.push(`${at}/${key}: field is not defined by the ${manifest.kind} schema`);
  return problems;
}

function customResourceProblems(manifest: Manifest): string[] {
  // The IstioOperator's CRD preserves unknown fields, so it is checked against a closed model of the API instead.
  if (manifest.apiVersion === 'install.istio.io/v1alpha1' && manifest.kind === 'IstioOperator') return istioOperatorProblems(manifest);
  const validate = crdValidator(manifest.apiVersion, manifest.kind);
  if (!validate) return [`no CRD schema for ${manifest.apiVersion} ${manifest.kind}`];
  if (validate(manifest)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath || '/'} ${e.message}${'additionalProperty' in e.params ? ` '${e.params.additionalProperty}'` : ''}`,
  );
}

const isCustomResource = (m: Manifest) => m.apiVersion.includes('.istio.io/') || m.apiVersion.startsWith('argoproj.io/');

/**
 * Validates objects against their schemas: built-in kinds with kubernetes-models, Istio and Argo CD
 * kinds with the CRD's openAPIV3Schema (Istio 1.30.3's and Argo CD 3.5.1's, shipped with the
 * package), the IstioOperator with a closed model of istioctl's API. Unknown fields are errors in
 * all of them: the API server would drop them silently. Needs the optional peer dependencies
 * `ajv` and `kubernetes-models` (install them as devDependencies).
 *
 * ```ts
 * expect(schemaProblems(Testing.synth(chart))).toEqual([]);
 * ```
 * @returns for each object `kind/name: problem` lines; empty when every object is valid
 */
export function schemaProblems(manifests: readonly Manifest[]): string[] {
  const label = (m: Manifest) => `${m.kind}/${m.metadata.namespace ? `${m.metadata.namespace}/` : ''}${m.metadata.name}`;
  const problems: string[] = [];
  for (const m of manifests.filter((x) => !isCustomResource(x))) problems.push(...builtInProblems(m).map((p) => `${label(m)}: ${p}`));
  for (const m of manifests.filter(isCustomResource)) problems.push(...customResourceProblems(m).map((p) => `${label(m)}: ${p}`));
  return problems;
}
