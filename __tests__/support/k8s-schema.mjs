// Validates built-in Kubernetes objects with kubernetes-models. Runs as a plain Node
// process (kubernetes-models ships ES modules only, which jest's CommonJS runtime cannot
// load): reads a JSON array of manifests on stdin, writes a JSON array of problem lists.
//
// kubernetes-models' compiled validators check types, enums and required fields but accept
// unknown fields. They read exactly the properties the OpenAPI schema defines (and list
// the keys of free-form maps), so every object is wrapped in a Proxy that records reads:
// a key nobody read is a field the schema does not define.
import { readFileSync } from 'node:fs';

function trackReads(value, at, unread) {
  if (value === null || typeof value !== 'object') return value;
  const keys = new Set(Object.keys(value));
  unread.set(at, keys);
  const children = new Map();
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

async function problemsOf(manifest) {
  const [group, version] = manifest.apiVersion.includes('/') ? manifest.apiVersion.split('/') : ['', manifest.apiVersion];
  const specifier = `kubernetes-models/${group ? `${group}/` : ''}${version}/${manifest.kind}`;
  let model;
  try {
    model = (await import(specifier))[manifest.kind];
  } catch {
    model = undefined;
  }
  if (!model) return [`no Kubernetes schema for ${manifest.apiVersion} ${manifest.kind}`];
  const unread = new Map();
  const problems = [];
  try {
    model.prototype.validate.call(trackReads(manifest, '', unread));
  } catch (err) {
    problems.push(err.message);
  }
  for (const [at, keys] of unread) {
    for (const key of keys) problems.push(`${at}/${key}: field is not defined by the ${manifest.kind} schema`);
  }
  return problems;
}

const manifests = JSON.parse(readFileSync(0, 'utf8'));
const results = [];
for (const manifest of manifests) results.push(await problemsOf(manifest));
process.stdout.write(JSON.stringify(results));
