#!/usr/bin/env node
// Extracts the Istio CRDs this project types from Istio's crd-all.gen.yaml, keeping only
// their storage version (v1; the older versions carry the same schema), so that
// `cdk8s import` generates (and tsc type-checks) only the classes we use.
// Usage: node scripts/slim-istio-crds.js <crd-all.gen.yaml> <out.yaml>
'use strict';
const fs = require('fs');
const YAML = require('yaml');

const KINDS = ['AuthorizationPolicy', 'DestinationRule', 'Gateway', 'PeerAuthentication', 'VirtualService', 'WorkloadGroup'];

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node scripts/slim-istio-crds.js <crd-all.gen.yaml> <out.yaml>');
  process.exit(2);
}
const docs = YAML.parseAllDocuments(fs.readFileSync(input, 'utf8'))
  .map((d) => d.toJS())
  .filter((d) => d && d.kind === 'CustomResourceDefinition' && KINDS.includes(d.spec.names.kind))
  .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
  .map((d) => ({ ...d, spec: { ...d.spec, versions: d.spec.versions.filter((v) => v.storage) } }));
const missing = KINDS.filter((k) => !docs.some((d) => d.spec.names.kind === k));
if (missing.length > 0) {
  console.error(`${input} has no CRD for: ${missing.join(', ')}`);
  process.exit(1);
}
fs.writeFileSync(output, docs.map((d) => YAML.stringify(d, { lineWidth: 0 })).join('---\n'));
console.log(`wrote ${docs.length} CRDs to ${output}`);
