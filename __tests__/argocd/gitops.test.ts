import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { ArgoApplication } from '../../lib/argocd/application';
import { IN_CLUSTER } from '../../lib/argocd/application-api';
import { APPLICATION_HEALTH_KEY } from '../../lib/argocd/health-customization';
import { gitopsReport, ROOT_INCLUDE } from '../../lib/argocd/gitops';
import { resolveMeshConfig } from '../../lib/config/load';
import { buildMesh } from '../../lib/composition-root';
import { SYNC_OPTIONS_ANNOTATION, SYNC_WAVE_ANNOTATION } from '../../lib/core/mesh-chart';
import { synthMesh } from '../../lib/synth';
import { Manifest, schemaProblems } from '../support/schema';
import { synthesize } from '../support/synth';
import { tempDir } from '../support/temp';
import { testChart } from '../support/test-app';

const REPO = 'https://git.example/platform/mesh.git';
const GITOPS = { gitops: { repoURL: REPO, revision: 'main', path: 'clusters/prod/dist' } };

function listFiles(dir: string, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(full, base) : [path.relative(base, full)];
  });
}

function synthTo(overrides: unknown): string {
  const outdir = tempDir('gitops');
  synthMesh(buildMesh(resolveMeshConfig(overrides), { outdir }));
  return outdir;
}

/**
 * Argo CD's `directory.include` matching: github.com/gobwas/glob compiled without separators
 * (reposerver/repository/repository.go and util/glob at v3.5.1), so `*` matches any run of
 * characters, `/` included. Covers the syntax ROOT_INCLUDE uses: `{a,b}`, `*`, `[0-9]`.
 */
function argoGlob(pattern: string): RegExp {
  let re = '';
  for (const ch of pattern) {
    if (ch === '*') re += '.*';
    else if (ch === '{') re += '(?:';
    else if (ch === '}') re += ')';
    else if (ch === ',') re += '|';
    else if (ch === '[' || ch === ']' || ch === '-') re += ch;
    else re += ch.replace(/[.+?^$()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

const wave = (o: Manifest) => Number((o.metadata.annotations as Record<string, string> | undefined)?.[SYNC_WAVE_ANNOTATION]);

describe('without gitops.repoURL', () => {
  test('no Argo CD files are built or written', () => {
    const { mesh, argocd } = synthesize();
    expect(mesh.gitops).toBeUndefined();
    expect(argocd).toEqual([]);
    const outdir = synthTo({});
    expect(fs.existsSync(path.join(outdir, 'argocd'))).toBe(false);
  });
});

describe('with gitops.repoURL', () => {
  const { argocd, all, charts, config } = synthesize(GITOPS);
  const applications = argocd.filter((o) => o.kind === 'Application') as Array<Manifest & Record<string, any>>;
  const root = applications.find((a) => a.metadata.name === 'spire-mesh')!;
  const children = applications.filter((a) => a !== root);
  const child = (chart: string) => children.find((a) => a.spec.source.chart === chart)!;

  test('every Argo CD object passes its schema (Application: the v3.5.1 CRD, unknown fields refused)', () => {
    expect(applications).toHaveLength(4);
    expect(schemaProblems(argocd)).toEqual([]);
  });

  test('the schema check refuses an unknown Application field', () => {
    expect(schemaProblems([{ ...root, spec: { ...root.spec, syncPolicy: { automated: { prune: true, selfheal: true } } } }])).toEqual([
      "Application/argocd/spire-mesh: /spec/syncPolicy/automated must NOT have additional properties 'selfheal'",
    ]);
  });

  test('only the root names the Git repository; it syncs the configured path and revision', () => {
    expect(root.spec.source).toMatchObject({ repoURL: REPO, targetRevision: 'main', path: 'clusters/prod/dist', directory: { recurse: true } });
    const mentions = [...argocd, ...all].filter((o) => JSON.stringify(o).includes(REPO));
    expect(mentions).toEqual([root]);
    for (const app of children) expect(app.spec.source.repoURL).toBe(config.gitops.istioChartRepository);
  });

  test('every Application is in the Argo CD namespace and project, with automated sync, prune and self-heal, and cascades deletes', () => {
    for (const app of applications) {
      expect(app.metadata).toMatchObject({ namespace: 'argocd', finalizers: ['resources-finalizer.argocd.argoproj.io'] });
      expect(app.spec.project).toBe('default');
      expect(app.spec.syncPolicy.automated).toEqual({ enabled: true, prune: true, selfHeal: true });
    }
  });

  test('every Application retries a failed sync without end, backing off from 10s to 5m, with the newest revision', () => {
    // Argo CD's own default is 5 automated retries, then none for that revision (controller/appcontroller.go:2383, 2394-2402 at v3.5.1).
    for (const app of applications) {
      expect(app.spec.syncPolicy.retry).toEqual({ limit: -1, backoff: { duration: '10s', factor: 2, maxDuration: '5m' }, refresh: true });
    }
  });

  test('waves: namespaces, SPIRE, registration, then Istio base, istiod, gateway, then mesh policy, then each workload namespace', () => {
    const single = (name: string) => {
      const waves = [...new Set(charts.get(name)!.map(wave))];
      expect(waves).toHaveLength(1);
      return waves[0];
    };
    const order = [
      single('namespaces'),
      single('spire'),
      single('registration'),
      wave(child('base')),
      wave(child('istiod')),
      wave(child('gateway')),
      single('mesh-policy'),
      single('bookinfo-default'),
    ];
    expect(order.every((w, i) => i === 0 || w > order[i - 1])).toBe(true);
    expect(root.metadata.annotations).toBeUndefined();
  });

  test("each workload namespace comes after the mesh policy, in config order, the config's services included", () => {
    const api = { name: 'api', namespace: 'team-c', port: 8080, image: 'registry.example/team-c/api:1.0.0' };
    const { charts } = synthesize({ ...GITOPS, bookinfo: { namespaces: ['team-a', 'team-b'] }, services: [api] });
    const steps = ['mesh-policy', 'bookinfo-team-a', 'bookinfo-team-b', 'services-team-c'];
    const waves = steps.map((name) => wave(charts.get(name)![0]));
    expect(waves).toEqual([...waves].sort((a, b) => a - b));
    expect(new Set(waves).size).toBe(steps.length);
  });

  test('every Istio custom resource skips the dry run that precedes the wave installing its CRD', () => {
    const istioObjects = all.filter((o) => o.apiVersion.includes('.istio.io/') && o.kind !== 'IstioOperator');
    expect(istioObjects.length).toBeGreaterThan(0);
    for (const o of istioObjects) expect(o.metadata.annotations).toHaveProperty([SYNC_OPTIONS_ANNOTATION], 'SkipDryRunOnMissingResource=true');
    for (const o of all.filter((m) => !m.apiVersion.includes('.istio.io/'))) expect(o.metadata.annotations).not.toHaveProperty([SYNC_OPTIONS_ANNOTATION]);
  });

  test("istiod's Application ignores the webhook fields istiod rewrites, and sync respects that", () => {
    const istiod = child('istiod');
    expect(istiod.spec.ignoreDifferences).toEqual(
      expect.arrayContaining([
        { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration', jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle', '.webhooks[]?.failurePolicy'] },
        { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration', jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'] },
      ]),
    );
    expect(istiod.spec.syncPolicy.syncOptions).toContain('RespectIgnoreDifferences=true');
  });

  test("base's Application ignores the same fields of the default validator, which the base chart installs", () => {
    expect(child('base').spec.ignoreDifferences).toEqual([
      { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration', jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle', '.webhooks[]?.failurePolicy'] },
    ]);
    expect(child('base').spec.syncPolicy.syncOptions).toContain('RespectIgnoreDifferences=true');
    expect(child('gateway').spec.ignoreDifferences).toBeUndefined();
  });

  test("base's Application, which holds Istio's CRDs, applies server-side; the others keep client-side apply", () => {
    expect(child('base').spec.syncPolicy.syncOptions).toEqual(['RespectIgnoreDifferences=true', 'ServerSideApply=true']);
    expect(child('istiod').spec.syncPolicy.syncOptions).toEqual(['RespectIgnoreDifferences=true']);
    expect(child('gateway').spec.syncPolicy.syncOptions).toBeUndefined();
    expect(root.spec.syncPolicy.syncOptions).toBeUndefined();
  });

  test('the Helm Applications install into the Istio namespace at the Istio version, with the release names istioctl uses', () => {
    expect(children.map((a) => [a.spec.source.chart, a.spec.source.helm.releaseName, a.spec.destination.namespace, a.spec.source.targetRevision])).toEqual([
      ['base', 'istio-base', 'istio-system', '1.30.3'],
      ['istiod', 'istiod', 'istio-system', '1.30.3'],
      ['gateway', 'istio-ingressgateway', 'istio-system', '1.30.3'],
    ]);
  });

  test('the health customisation is the documented argocd-cm entry for Applications', () => {
    const cm = argocd.find((o) => o.kind === 'ConfigMap')! as Manifest & Record<string, any>;
    expect(cm.metadata).toMatchObject({ name: 'argocd-cm', namespace: 'argocd' });
    expect(Object.keys(cm.data)).toEqual([APPLICATION_HEALTH_KEY]);
    expect(cm.data[APPLICATION_HEALTH_KEY]).toContain('hs.status = obj.status.health.status');
  });

  test('without a gateway there is no gateway Application; automated sync can be turned off', () => {
    const { argocd: objs } = synthesize({ ...GITOPS, istio: { ingressGateway: { enabled: false } }, gitops: { ...GITOPS.gitops, automated: { enabled: false } } });
    const apps = objs.filter((o) => o.kind === 'Application') as Array<Manifest & Record<string, any>>;
    expect(apps.map((a) => a.metadata.name)).toEqual(['spire-mesh', 'spire-mesh-istio-base', 'spire-mesh-istiod']);
    for (const app of apps) expect(app.spec.syncPolicy.automated).toBeUndefined();
  });
});

describe('the files', () => {
  const outdir = synthTo(GITOPS);
  const files = listFiles(outdir).sort();

  test('are below argocd/, which `kubectl apply -f dist/` does not read', () => {
    expect(files.filter((f) => f.startsWith('argocd/'))).toEqual(['argocd/apps/istio.k8s.yaml', 'argocd/argocd-cm-health.k8s.yaml', 'argocd/root.k8s.yaml']);
  });

  test('the root syncs exactly the kubectl steps and the child Applications: not the istioctl input, the index, or what the user applies by hand', () => {
    const root = YAML.parse(fs.readFileSync(path.join(outdir, 'argocd', 'root.k8s.yaml'), 'utf8'));
    expect(root.spec.source.directory.include).toBe(ROOT_INCLUDE);
    const index = JSON.parse(fs.readFileSync(path.join(outdir, 'meta', 'index.json'), 'utf8'));
    const kubectlSteps = index.steps.filter((s: { tool: string }) => s.tool === 'kubectl').map((s: { file: string }) => s.file);
    const synced = files.filter((f) => argoGlob(ROOT_INCLUDE).test(f));
    expect(synced).toEqual([...kubectlSteps, 'argocd/apps/istio.k8s.yaml'].sort());
  });

  test('the index names the health entry exactly as the Argo CD file holds it, for `gitops check`', () => {
    const cm = YAML.parse(fs.readFileSync(path.join(outdir, 'argocd', 'argocd-cm-health.k8s.yaml'), 'utf8'));
    const index = JSON.parse(fs.readFileSync(path.join(outdir, 'meta', 'index.json'), 'utf8'));
    expect(index.gitops).toEqual({
      namespace: cm.metadata.namespace,
      configMap: 'argocd-cm',
      healthKey: 'resource.customizations.health.argoproj.io_Application',
      healthScript: cm.data['resource.customizations.health.argoproj.io_Application'],
      patchFile: 'argocd/argocd-cm-health.k8s.yaml',
    });
  });

  test('without gitops.repoURL the index has no gitops entry (and stays version 1)', () => {
    const index = JSON.parse(fs.readFileSync(path.join(synthTo({}), 'meta', 'index.json'), 'utf8'));
    expect(index.gitops).toBeUndefined();
    expect(index.version).toBe(1);
  });

  test('the glob translation used above matches across "/" as Argo CD does', () => {
    expect(argoGlob('*.k8s.yaml').test('istioctl/istio-operator.k8s.yaml')).toBe(true);
    expect(argoGlob('[0-9]*.k8s.yaml').test('istioctl/istio-operator.k8s.yaml')).toBe(false);
  });
});

describe('bad gitops config fails at synth time, naming the field', () => {
  test.each([
    [{ repoURL: 'github.com/org/repo' }, /gitops\.repoURL: 'github\.com\/org\/repo' must be a Git URL/],
    [{ revision: 'main branch' }, /gitops\.revision: 'main branch' must be a Git branch, tag or commit/],
    [{ path: '../dist' }, /gitops\.path: '\.\.\/dist' must be a directory relative to the repository root/],
    [{ path: '/dist' }, /gitops\.path: '\/dist' must be a directory relative/],
    [{ argocd: { namespace: 'Argo CD' } }, /gitops\.argocd\.namespace: 'Argo CD' must be a DNS-1123 label/],
    [{ argocd: { project: 'my_project' } }, /gitops\.argocd\.project: 'my_project' must be a DNS-1123 subdomain/],
    [{ istioChartRepository: 'ftp://charts.example' }, /gitops\.istioChartRepository: 'ftp:\/\/charts\.example' must be a Helm repository URL/],
    [{ automated: { prune: 'yes' } }, /gitops\.automated\.prune: 'yes' must be a boolean/],
    [{ repoUrl: REPO }, /gitops\.repoUrl: unknown key/],
    [{ retry: { limit: -2 } }, /gitops\.retry\.limit: -2 must be -1 \(retry without end\) or a whole number of retries, 0 or more/],
    [{ retry: { limit: 2.5 } }, /gitops\.retry\.limit: 2\.5 must be -1/],
    [{ retry: { limit: '10' } }, /gitops\.retry\.limit: '10' must be a number/],
    [{ retry: { backoff: { duration: '10 s' } } }, /gitops\.retry\.backoff\.duration: '10 s' must be an Argo CD duration/],
    [{ retry: { backoff: { duration: '0s' } } }, /gitops\.retry\.backoff\.duration: '0s' must be longer than zero/],
    [{ retry: { backoff: { duration: '0' } } }, /gitops\.retry\.backoff\.duration: '0' must be longer than zero/],
    [{ retry: { backoff: { maxDuration: '5d' } } }, /gitops\.retry\.backoff\.maxDuration: '5d' must be an Argo CD duration/],
    [{ retry: { backoff: { duration: '10m' } } }, /gitops\.retry\.backoff\.maxDuration: '5m' must be at least gitops\.retry\.backoff\.duration \(10m\)/],
    [{ retry: { backoff: { factor: 0 } } }, /gitops\.retry\.backoff\.factor: 0 must be a whole number, 1 or more/],
    [{ retry: { refresh: 'yes' } }, /gitops\.retry\.refresh: 'yes' must be a boolean/],
  ])('%j', (gitops, message) => {
    expect(() => resolveMeshConfig({ gitops })).toThrow(message);
  });

  test.each([REPO, 'ssh://git@git.example/platform/mesh.git', 'git@github.com:org/mesh.git'])('accepts the repository URL %s', (repoURL) => {
    expect(resolveMeshConfig({ gitops: { repoURL } }).gitops.repoURL).toBe(repoURL);
  });

  test('a configured retry reaches every Application, bare seconds included, and passes the CRD', () => {
    const retry = { limit: 10, backoff: { duration: '30', factor: 3, maxDuration: '1h' }, refresh: false };
    const { argocd } = synthesize({ gitops: { ...GITOPS.gitops, retry } });
    const apps = argocd.filter((o) => o.kind === 'Application') as Array<Manifest & Record<string, any>>;
    expect(apps).toHaveLength(4);
    for (const app of apps) expect(app.spec.syncPolicy.retry).toEqual(retry);
    expect(schemaProblems(argocd)).toEqual([]);
  });

  test('limit 0 (never retry) is accepted, as Argo CD reads it', () => {
    expect(resolveMeshConfig({ gitops: { retry: { limit: 0 } } }).gitops.retry.limit).toBe(0);
  });

  test('the Application construct refuses a bad retry itself', () => {
    const chart = testChart();
    const settings = { namespace: 'argocd', project: 'default', retry: { limit: -1, backoff: { duration: '1m', factor: 2, maxDuration: '30s' }, refresh: true } };
    expect(() => new ArgoApplication(chart, 'app', { name: 'x', settings, spec: { source: { repoURL: 'https://charts.example', chart: 'c', targetRevision: '1.0.0' }, destination: { server: IN_CLUSTER } } })).toThrow(
      "retry.backoff.maxDuration: '30s' must be at least retry.backoff.duration (1m): it caps the wait between retries",
    );
  });

  test('the gateway Service type is one of three', () => {
    expect(() => resolveMeshConfig({ istio: { ingressGateway: { serviceType: 'Loadbalancer' } } })).toThrow(
      /istio\.ingressGateway\.serviceType: 'Loadbalancer' must be one of/,
    );
  });
});

describe("synth's report", () => {
  test('without a repository: one line saying how to get the Argo CD files', () => {
    const report = gitopsReport(synthesize().mesh.gitops, 'dist');
    expect(report).toHaveLength(1);
    expect(report[0]).toMatch(/Argo CD files not written: set gitops\.repoURL .* docs\/gitops\.md/);
  });

  test('with one: each Argo CD file written', () => {
    expect(gitopsReport(synthesize(GITOPS).mesh.gitops, 'dist')).toEqual([
      '  dist/argocd/root.k8s.yaml  (Argo CD)',
      '  dist/argocd/argocd-cm-health.k8s.yaml  (Argo CD)',
      '  dist/argocd/apps/istio.k8s.yaml  (Argo CD)',
    ]);
  });
});
