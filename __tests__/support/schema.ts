import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import * as YAML from 'yaml';
import { istioOperatorProblems } from './istio-operator-schema';

/** A synthesized Kubernetes object as plain JSON. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

const CRD_FILES = [
  path.join(__dirname, '..', '..', 'crds', 'istio-1.30.3', 'crds.yaml'),
  path.join(__dirname, '..', 'argocd', 'reference', 'argo-cd-3.5.1', 'application-crd.yaml'),
];

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

let crdValidators: Map<string, ValidateFunction> | undefined;

function crdValidator(apiVersion: string, kind: string): ValidateFunction | undefined {
  if (!crdValidators) {
    const ajv = new Ajv({ strict: false, allErrors: true });
    const integer = (min: number, max: number) => ({ type: 'number' as const, validate: (n: number) => Number.isInteger(n) && n >= min && n <= max });
    ajv.addFormat('int32', integer(-(2 ** 31), 2 ** 31 - 1));
    ajv.addFormat('uint32', integer(0, 2 ** 32 - 1));
    ajv.addFormat('int64', integer(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER));
    ajv.addFormat('double', { type: 'number', validate: Number.isFinite });
    ajv.addFormat('float', { type: 'number', validate: Number.isFinite });
    ajv.addFormat('byte', /^[A-Za-z0-9+/]*={0,2}$/);
    crdValidators = new Map();
    for (const doc of CRD_FILES.flatMap((file) => YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')))) {
      const crd = doc.toJS();
      for (const version of crd.spec.versions) {
        const schema = closeSchema(version.schema.openAPIV3Schema);
        const properties = schema.properties as JsonSchema;
        properties.apiVersion = { type: 'string' };
        properties.kind = { type: 'string' };
        properties.metadata = { type: 'object' };
        // Synthesized objects never carry status; without it in the schema, one would be refused.
        delete properties.status;
        crdValidators.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, ajv.compile(schema));
      }
    }
  }
  return crdValidators.get(`${apiVersion}/${kind}`);
}

const K8S_VALIDATOR = path.join(__dirname, 'k8s-schema.mjs');

/** Validates built-in kinds in one child process (see k8s-schema.mjs for why and how). */
function builtInProblems(manifests: readonly Manifest[]): string[][] {
  if (manifests.length === 0) return [];
  const out = execFileSync(process.execPath, [K8S_VALIDATOR], {
    input: JSON.stringify(manifests),
    cwd: path.join(__dirname, '..', '..'),
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out.toString('utf8'));
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
 * Validates objects against their schemas: built-in kinds with kubernetes-models, Istio and
 * Argo CD kinds with the CRD's openAPIV3Schema. Unknown fields are errors in both.
 * @returns for each object `kind/name: problem` lines; empty when every object is valid
 */
export function schemaProblems(manifests: readonly Manifest[]): string[] {
  const builtIn = manifests.filter((m) => !isCustomResource(m));
  const builtInResults = builtInProblems(builtIn);
  const label = (m: Manifest) => `${m.kind}/${m.metadata.namespace ? `${m.metadata.namespace}/` : ''}${m.metadata.name}`;
  const problems: string[] = [];
  builtIn.forEach((m, i) => problems.push(...builtInResults[i].map((p) => `${label(m)}: ${p}`)));
  for (const m of manifests.filter(isCustomResource)) problems.push(...customResourceProblems(m).map((p) => `${label(m)}: ${p}`));
  return problems;
}

/** Validates a pod spec fragment (e.g. an Istio injection template) as the spec of a Pod. */
export function podSpecProblems(spec: unknown): string[] {
  return schemaProblems([{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'fragment' }, spec }]);
}
