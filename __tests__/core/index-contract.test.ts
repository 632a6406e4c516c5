import * as fs from 'fs';
import * as path from 'path';
import { IndexError, MeshIndex, parseIndex } from '../../lib/core/index-contract';
import { meshIndex } from '../../lib/synth';
import { synthesize } from '../support/synth';

const real: MeshIndex = meshIndex(synthesize().mesh);
const text = (index: unknown) => JSON.stringify(index);
const GITOPS = { namespace: 'argocd', configMap: 'argocd-cm', healthKey: 'resource.customizations.health.argoproj.io_Application', healthScript: 'return {}', patchFile: 'argocd/argocd-cm-health.k8s.yaml' };
const withStep = (patch: Record<string, unknown>) => text({ ...real, steps: [{ ...real.steps[0], ...patch }, ...real.steps.slice(1)] });

function problem(input: string): string {
  try {
    parseIndex(input, 'dist/meta/index.json');
  } catch (err) {
    expect(err).toBeInstanceOf(IndexError);
    return (err as Error).message;
  }
  throw new Error('expected the index to be refused');
}

test('GIVEN the index synth writes WHEN parsing it back THEN it is accepted unchanged', () => {
  expect(parseIndex(text(real), 'index.json')).toEqual(real);
});

test('GIVEN the index of a GitOps synth WHEN parsing it back THEN its gitops entry is accepted unchanged', () => {
  const gitopsIndex = meshIndex(synthesize({ gitops: { repoURL: 'https://git.example/mesh.git' } }).mesh);
  expect(gitopsIndex.gitops).toMatchObject({ namespace: 'argocd', configMap: 'argocd-cm', patchFile: 'argocd/argocd-cm-health.k8s.yaml' });
  expect(parseIndex(text(gitopsIndex), 'index.json')).toEqual(gitopsIndex);
});

test('GIVEN the CLI WHEN listing what it imports from lib/ THEN it is the index contract alone, which imports no construct', () => {
  const cliDir = path.join(__dirname, '..', '..', 'lib', 'cli');
  const imports = fs.readdirSync(cliDir).flatMap((file) => [...fs.readFileSync(path.join(cliDir, file), 'utf8').matchAll(/(?:from |require\(|import\()'(\.\.\/[^']+)'/g)].map((m) => m[1]));
  expect([...new Set(imports)]).toEqual(['../core/index-contract']);
  const contract = fs.readFileSync(path.join(cliDir, '..', 'core', 'index-contract.ts'), 'utf8');
  expect([...contract.matchAll(/from '([^']+)'/g)].map((m) => m[1])).toEqual(['path']);
});

describe('a broken index is refused with one message naming each bad field and the fix', () => {
  test.each<[string, string, string]>([
    ['empty object', '{}', 'dist/meta/index.json: version missing: an index from before versioning, or not one synth wrote; run `npm run synth` to rewrite it'],
    ['another version', text({ ...real, version: 2 }), 'version 2 is not the index version this CLI reads (1); it was written by another spire-mesh'],
    ['truncated', text(real).slice(0, 100), 'dist/meta/index.json is not valid JSON'],
    ['steps of the wrong type', text({ ...real, steps: { a: 1 } }), 'dist/meta/index.json: steps: {"a":1} must be a list; run `npm run synth` to rewrite it'],
    ['no steps', text({ ...real, steps: [] }), 'steps: [] must list at least one step'],
    ['an unknown tool', withStep({ tool: 'helm' }), "steps[0].tool: 'helm' must be one of kubectl, istioctl"],
    ['a file outside dist/', withStep({ file: '../../etc/passwd' }), "steps[0].file: '../../etc/passwd' must be a relative path inside the output directory"],
    ['an absolute file', withStep({ file: '/etc/passwd' }), "steps[0].file: '/etc/passwd' must be a relative path"],
    ['a file that climbs out and back', withStep({ file: 'a/../../dist/x.yaml' }), 'must be a relative path inside the output directory'],
    ['a negative wave', withStep({ wave: -1 }), 'steps[0].wave: -1 must be a whole number'],
    ['an object without a name', withStep({ objects: [{ apiVersion: 'v1', kind: 'Namespace' }] }), 'steps[0].objects[0].name: missing, must be a non-empty string'],
    ['no Istio version', text({ ...real, istioVersion: undefined }), 'istioVersion: missing'],
    ['a server without a selector', text({ ...real, admin: { ...real.admin, spireServer: { ...real.admin.spireServer, selector: {} } } }), 'admin.spireServer.selector: {} must hold at least one label'],
    ['a gateway port out of range', text({ ...real, admin: { ...real.admin, ingressGateway: { ...real.admin.ingressGateway, httpPort: 70000 } } }), 'admin.ingressGateway.httpPort: 70000 must be a whole number from 1 to 65535'],
    ['an edge to no node', text({ ...real, identityGraph: { nodes: [], edges: [{ from: 'a', to: 'b' }] } }), "identityGraph.edges[0].from: 'a' must be the id of a node"],
    ['a gitops entry without its script', text({ ...real, gitops: { ...GITOPS, healthScript: '' } }), "gitops.healthScript: '' must be a non-empty string"],
    ['a gitops patch file outside dist/', text({ ...real, gitops: { ...GITOPS, patchFile: '../argocd-cm.yaml' } }), "gitops.patchFile: '../argocd-cm.yaml' must be a relative path inside the output directory"],
  ])('%s', (_name, input, message) => {
    expect(problem(input)).toContain(message);
  });

  test('GIVEN several bad fields WHEN parsing THEN each is listed once, under one message', () => {
    const message = problem(text({ ...real, istioVersion: 7, steps: 'x', admin: null }));
    expect(message.split('\n')).toEqual([
      'dist/meta/index.json breaks the index contract (run `npm run synth` to rewrite it):',
      '  - istioVersion: 7 must be a non-empty string',
      "  - steps: 'x' must be a list",
      '  - admin: null must be an object',
    ]);
  });

  test('GIVEN a huge value WHEN refusing it THEN the message shows a readable start and its length', () => {
    const message = problem(withStep({ tool: 'x'.repeat(5_000_000) }));
    expect(message.length).toBeLessThan(300);
    expect(message).toContain('(5000002 characters)');
  });
});
