import * as fs from 'fs';
import * as path from 'path';
import * as kplus from 'cdk8s-plus-25';
import { SpireServer } from '../../lib/spire/server';
import { workloadIdentity } from '../../lib/identity';
import { ENTRY_ID_PREFIX } from '../../lib/registration/entry';
import { ENTRIES_CONFIGMAP_BYTES, REGISTRATION_MOUNT, SCRIPT_KEY, SpireRegistration, SpireRegistrationProps, TOOLS_DIR } from '../../lib/registration/registration';
import { REGISTRATION_TOOLS } from '../../lib/registration/job-tools';
import { checkObjectSizes, measureObjects } from '../../lib/core/object-size';
import { Manifest, podSpecProblems } from '../support/schema';
import { find, registeredEntries, synthesize } from '../support/synth';
import { testChart } from '../support/test-app';

/** Props of a registration built directly, as in a user's own chart. */
function baseProps(overrides: Partial<SpireRegistrationProps> = {}): SpireRegistrationProps {
  return {
    server: new SpireServer(testChart('s'), 'server', {
      namespace: new kplus.Namespace(testChart('n'), 'ns', { metadata: { name: 'spire' } }),
      trustDomain: 'example.org',
      agents: { namespace: 'spire', serviceAccountName: 'spire-agent', clusterName: 'demo', audience: 'spire-server' },
      image: 'ghcr.io/spiffe/spire-server:1.15.3',
    }),
    agents: { namespace: 'spire', serviceAccountName: 'spire-agent', clusterName: 'demo' },
    identities: [workloadIdentity('example.org', 'default', 'details')],
    trustDomain: 'example.org',
    kubectlImage: 'registry.k8s.io/kubectl:v1.36.4',
    busyboxImage: 'docker.io/library/busybox:1.37.0-musl',
    jqImage: 'ghcr.io/jqlang/jq:1.8.2',
    ...overrides,
  };
}

/**
 * What each image of the Job contains, as docs/registration.md ("Images") states it from the
 * images' build files: the absolute paths in its "contains" column, by config key.
 */
function imageContents(): Map<string, Set<string>> {
  const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'registration.md'), 'utf8');
  const start = doc.indexOf('### Images');
  const section = doc.slice(start, doc.indexOf('\n### ', start + 1));
  const rows = section.split('\n').filter((l) => /^\| `images\./.test(l));
  return new Map(
    rows.map((row) => {
      const [key, , contains] = row.split(' | ').map((cell) => cell.replace(/^\| /, ''));
      return [key.replace(/`/g, ''), new Set([...contains.matchAll(/`(\/[^`]+)`/g)].map((m) => m[1]))];
    }),
  );
}

const DEFAULT_ENTRIES = [
  {
    spiffe_id: 'spiffe://example.org/k8s-cluster/demo-cluster',
    parent_id: 'spiffe://example.org/spire/server',
    selectors: [
      { type: 'k8s_psat', value: 'cluster:demo-cluster' },
      { type: 'k8s_psat', value: 'agent_ns:spire' },
      { type: 'k8s_psat', value: 'agent_sa:spire-agent' },
    ],
  },
  // bookinfo workloads also select their pods' app label, as the demo's entries did.
  ...[
    ['default', 'bookinfo-details', 'details'],
    ['default', 'bookinfo-ratings', 'ratings'],
    ['default', 'bookinfo-reviews', 'reviews'],
    ['default', 'bookinfo-productpage', 'productpage'],
    ['istio-system', 'istio-ingressgateway-service-account', undefined],
  ].map(([ns, sa, app]) => ({
    spiffe_id: `spiffe://example.org/ns/${ns}/sa/${sa}`,
    parent_id: 'spiffe://example.org/k8s-cluster/demo-cluster',
    selectors: [
      { type: 'k8s', value: `ns:${ns}` },
      { type: 'k8s', value: `sa:${sa}` },
      ...(app ? [{ type: 'k8s', value: `pod-label:app:${app}` }] : []),
    ],
  })),
];

describe('the default mesh', () => {
  const { mesh, charts } = synthesize();
  const objects = charts.get('registration')!;
  const registration = mesh.registration;
  const configMap = find(objects, 'ConfigMap', 'spire-registration', 'spire');
  const job = find(objects, 'Job', registration.jobName, 'spire');
  const pod = job.spec.template.spec;
  const main = pod.containers.find((c: { name: string }) => c.name === 'register');
  const env = Object.fromEntries(main.env.map((e: { name: string; value: string }) => [e.name, e.value]));

  test('the registration chart comes right after SPIRE and before the Istio install', () => {
    const ids = mesh.charts.map((c) => c.name);
    expect(ids.indexOf('registration')).toBe(ids.indexOf('spire') + 1);
    expect(ids.indexOf('registration')).toBe(ids.indexOf('istio-operator') - 1);
  });

  test('holds exactly the node alias and the 5 workload entries, as SPIRE -data JSON, each with an owned ID', () => {
    const entries = registeredEntries(objects);
    expect(entries.map(({ entry_id, ...rest }: { entry_id: string }) => rest)).toEqual(DEFAULT_ENTRIES);
    for (const e of entries) expect(e.entry_id).toMatch(new RegExp(`^${ENTRY_ID_PREFIX}[0-9a-f]{32}$`));
    expect(new Set(entries.map((e: { entry_id: string }) => e.entry_id)).size).toBe(entries.length);
    expect(env.ENTRY_ID_PREFIX).toBe(ENTRY_ID_PREFIX);
  });

  test('no entry is parented to a single agent\'s ID', () => {
    expect(JSON.stringify(objects)).not.toMatch(/spire\/agent\/k8s_psat/);
    for (const entry of registration.workloadEntries) expect(entry.parentId.text).toBe(registration.nodeAlias.spiffeId.text);
  });

  test('holds exactly the objects of the part: ConfigMap, ServiceAccount, the server\'s exec grant, Job', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`).sort()).toEqual(
      [
        'ConfigMap/spire/spire-registration',
        'ConfigMap/spire/spire-registration-entries-000',
        `Job/spire/${registration.jobName}`,
        'Role/spire/spire-registration-spire-server-exec',
        'RoleBinding/spire/spire-registration-spire-server-exec',
        'ServiceAccount/spire/spire-registration',
      ].sort(),
    );
  });

  test('the server\'s grant: list pods, get the server pods, exec into them over WebSocket (get) and SPDY (create)', () => {
    expect(find(objects, 'Role', 'spire-registration-spire-server-exec', 'spire').rules).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
      { apiGroups: [''], resources: ['pods'], resourceNames: ['spire-server-0'], verbs: ['get'] },
      { apiGroups: [''], resources: ['pods/exec'], resourceNames: ['spire-server-0'], verbs: ['get', 'create'] },
    ]);
  });

  test('with 3 servers the grant names each server pod, still no other', () => {
    const ha = synthesize({ spire: { server: { replicas: 3, datastore: { type: 'postgres', connectionStringSecret: { name: 'spire-db' } } } } });
    const rules = find(ha.charts.get('registration')!, 'Role', 'spire-registration-spire-server-exec', 'spire').rules;
    const pods = ['spire-server-0', 'spire-server-1', 'spire-server-2'];
    expect(rules[1].resourceNames).toEqual(pods);
    expect(rules[2].resourceNames).toEqual(pods);
    expect(ha.mesh.spire.server.podNames).toEqual(pods);
  });

  test('the RoleBinding binds that Role to the Job\'s ServiceAccount', () => {
    const binding = find(objects, 'RoleBinding', 'spire-registration-spire-server-exec', 'spire');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: registration.role.name });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: pod.serviceAccountName, namespace: 'spire' }]);
    expect(pod.serviceAccountName).toBe(registration.serviceAccount.name);
    expect(pod.automountServiceAccountToken).toBe(true);
  });

  test('the Job script reaches the server the SPIRE contract describes, and reads the mounted ConfigMap', () => {
    expect(env).toMatchObject({
      SERVER_NAMESPACE: mesh.spire.server.namespace,
      SERVER_SELECTOR: 'app=spire-server',
      SERVER_CONTAINER: mesh.spire.server.containerName,
      SERVER_BINARY: mesh.spire.server.binaryPath,
      SERVER_SOCKET: mesh.spire.server.adminSocketPath,
      ENTRIES_DIR: REGISTRATION_MOUNT,
    });
    expect(main.command).toEqual([`${TOOLS_DIR}/sh`, `${REGISTRATION_MOUNT}/${SCRIPT_KEY}`]);
    expect(mesh.spire.server.selector).toEqual({ app: 'spire-server' });
    expect(find(charts.get('spire')!, 'StatefulSet', 'spire-server', 'spire').spec.template.metadata.labels).toMatchObject(mesh.spire.server.selector);
    expect(main.volumeMounts).toContainEqual({ name: 'registration', mountPath: REGISTRATION_MOUNT, readOnly: true });
    expect(pod.volumes).toContainEqual({
      name: 'registration',
      projected: { sources: [{ configMap: { name: configMap.metadata.name } }, { configMap: { name: 'spire-registration-entries-000' } }] },
    });
  });

  test('the distroless kubectl image runs the script with the static BusyBox and jq its init containers copy in', () => {
    expect(pod.initContainers.map((c: { name: string; image: string }) => [c.name, c.image])).toEqual([
      ['busybox', 'docker.io/library/busybox:1.37.0-musl'],
      ['jq', 'ghcr.io/jqlang/jq:1.8.2'],
    ]);
    expect(pod.containers.map((c: { image: string }) => c.image)).toEqual(['registry.k8s.io/kubectl:v1.36.4']);
    expect(env.PATH).toBe(`${TOOLS_DIR}:/bin`);
    expect(main.volumeMounts).toContainEqual({ name: 'tools', mountPath: TOOLS_DIR, readOnly: true });
    for (const init of pod.initContainers) expect(init.volumeMounts).toEqual([{ name: 'tools', mountPath: TOOLS_DIR }]);
    expect(pod.volumes).toContainEqual({ name: 'tools', emptyDir: { sizeLimit: '16Mi' } });
  });

  test('every container runs a command its image contains, or an earlier init container installed (docs/registration.md, Images)', () => {
    const contents = imageContents();
    const keyOf: Record<string, string> = {
      'docker.io/library/busybox:1.37.0-musl': 'images.busybox',
      'ghcr.io/jqlang/jq:1.8.2': 'images.jq',
      'registry.k8s.io/kubectl:v1.36.4': 'images.kubectl',
    };
    const installed = new Set<string>();
    for (const c of [...pod.initContainers, ...pod.containers]) {
      const image = contents.get(keyOf[c.image])!;
      const has = (file: string) => image.has(file) || installed.has(file);
      expect({ container: c.name, command: c.command[0], found: has(c.command[0]) }).toEqual({ container: c.name, command: c.command[0], found: true });
      // Every other absolute path it names, outside the volumes, is a file of its image (the binaries copied).
      for (const arg of c.command.slice(1).filter((a: string) => a.startsWith('/') && !a.startsWith(TOOLS_DIR) && !a.startsWith(REGISTRATION_MOUNT))) {
        expect({ container: c.name, file: arg, found: has(arg) }).toEqual({ container: c.name, file: arg, found: true });
      }
      if (c.name === 'busybox') {
        const tools = c.command.slice(c.command.indexOf(TOOLS_DIR) + 1);
        expect(tools).toEqual([...REGISTRATION_TOOLS]);
        // A link to BusyBox runs its applet only where the build has it: the table lists each as /bin/<applet>.
        for (const tool of tools) expect({ applet: tool, found: image.has(`/bin/${tool}`) }).toEqual({ applet: tool, found: true });
        for (const tool of ['busybox', ...tools]) installed.add(`${TOOLS_DIR}/${tool}`);
      }
      if (c.name === 'jq') installed.add(c.command[2]);
    }
    // The script's own calls: kubectl from the image, jq from the tools directory.
    expect(contents.get('images.kubectl')!.has('/bin/kubectl')).toBe(true);
    expect(installed.has(`${TOOLS_DIR}/jq`)).toBe(true);
  });

  test('the Job is bounded: retries, a deadline, no restarts in place', () => {
    expect(job.spec).toMatchObject({ backoffLimit: 2, activeDeadlineSeconds: 600 });
    expect(pod.restartPolicy).toBe('Never');
    // 600 s less the work on 6 entries (two 30 s listings, one batch created and one deleted at 30 s each) is 480 s of waiting.
    expect(env).toMatchObject({ WAIT_INTERVAL_SECONDS: '5', WAIT_ATTEMPTS: '96', KUBECTL_TIMEOUT_SECONDS: '30', LIST_TIMEOUT_SECONDS: '30', BATCH_SIZE: '100' });
  });

  test('every container meets Pod Security Standards "restricted" and has requests and a memory limit', () => {
    expect(podSpecProblems(pod)).toEqual([]);
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    for (const c of [...pod.initContainers, ...pod.containers]) {
      expect(c.securityContext).toEqual({
        runAsNonRoot: true,
        runAsUser: 65532,
        runAsGroup: 65532,
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(c.resources.requests).toHaveProperty('cpu');
      expect(c.resources.requests).toHaveProperty('memory');
      expect(c.resources.limits).toHaveProperty('memory');
    }
  });
});

describe('any number of entries fits client-side apply', () => {
  // 4501 identities: more than 1000 bookinfo namespaces' worth.
  const identities = Array.from({ length: 4501 }, (_, i) => workloadIdentity('example.org', `team-${i}`, 'bookinfo-details'));
  const chart = testChart('scale');
  const reg = new SpireRegistration(chart, 'r', { ...baseProps(), identities });
  const objects = chart.toJson() as Manifest[];

  test('the entries are split over ConfigMaps of at most ENTRIES_CONFIGMAP_BYTES each, and the Job reads them all, in order', () => {
    expect(reg.entriesConfigMaps.length).toBeGreaterThan(1);
    for (const cm of objects.filter((o: any) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('spire-registration-entries-'))) {
      const [text] = Object.values((cm as any).data as Record<string, string>);
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(ENTRIES_CONFIGMAP_BYTES);
    }
    expect(registeredEntries(objects)).toEqual(JSON.parse(reg.entriesJson).entries);
  });

  test('every object stays under the size synth allows for client-side apply', () => {
    expect(() => checkObjectSizes(measureObjects('registration', objects))).not.toThrow();
  });

  test('the deadlines grow with the entries: a listing deadline per 1000 entries, a batch per 100', () => {
    const spec = reg.job.toJson().spec;
    const env = Object.fromEntries(spec.template.spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(env).toMatchObject({ LIST_TIMEOUT_SECONDS: '150', BATCH_SIZE: '100' });
    // 300 s of waiting, two listings of 150 s, and 46 batches created and deleted at 30 s each.
    expect(spec.activeDeadlineSeconds).toBe(300 + 2 * 150 + 2 * 46 * 30);
  });
});

describe('the Job name follows its content', () => {
  const name = (overrides: unknown) => synthesize(overrides).mesh.registration.jobName;

  test('the same config gives the same name', () => {
    expect(name({})).toBe(name({}));
    expect(name({})).toMatch(/^spire-registration-[0-9a-f]{10}$/);
  });

  test('a change of entries gives a new name, so apply and Argo CD run the Job again', () => {
    expect(name({ bookinfo: { namespaces: ['default', 'team-a'] } })).not.toBe(name({}));
    expect(name({ trustDomain: 'corp.example' })).not.toBe(name({}));
  });

  test('a change of image gives a new name (the pod template is immutable)', () => {
    expect(name({ images: { kubectl: 'registry.k8s.io/kubectl:v1.36.3' } })).not.toBe(name({}));
  });

  test('the Job is never deleted by a TTL: Argo CD would see it missing (OutOfSync) and run it again', () => {
    const { mesh, charts } = synthesize();
    expect(find(charts.get('registration')!, 'Job', mesh.registration.jobName, 'spire').spec).not.toHaveProperty('ttlSecondsAfterFinished');
  });
});

test('adding a bookinfo namespace adds its 4 entries with no other change', () => {
  const { mesh } = synthesize({ bookinfo: { namespaces: ['default', 'team-a'] } });
  const ids = mesh.registration.workloadEntries.map((e) => e.spiffeId.text);
  expect(ids).toHaveLength(9);
  for (const sa of ['details', 'ratings', 'reviews', 'productpage']) {
    expect(ids).toContain(`spiffe://example.org/ns/team-a/sa/bookinfo-${sa}`);
  }
});

test('without the ingress gateway there is no gateway entry', () => {
  const { mesh } = synthesize({ istio: { ingressGateway: { enabled: false } } });
  expect(mesh.registration.workloadEntries.map((e) => e.spiffeId.text)).not.toContain(
    'spiffe://example.org/ns/istio-system/sa/istio-ingressgateway-service-account',
  );
});

describe('bad input throws naming the prop, the value and the rule', () => {
  const props = baseProps;
  const build = (overrides: Partial<SpireRegistrationProps>) => () => new SpireRegistration(testChart('c'), 'r', props(overrides));

  test('a valid set of props builds', () => {
    expect(build({})).not.toThrow();
  });

  test.each<[string, Partial<SpireRegistrationProps>, string]>([
    ['no identities', { identities: [] }, 'identities: [] must list at least one workload identity'],
    [
      'an identity of another trust domain',
      { identities: [workloadIdentity('other.org', 'default', 'details')] },
      "identities[0] (default/details).trustDomain: 'other.org' must be the mesh's trust domain 'example.org'",
    ],
    [
      'a hand-typed SPIFFE ID that does not match the service account',
      { identities: [{ ...workloadIdentity('example.org', 'default', 'details'), spiffeId: 'spiffe://example.org/ns/default/sa/detail' }] },
      "identities[0] (default/details).spiffeId: 'spiffe://example.org/ns/default/sa/detail' must be 'spiffe://example.org/ns/default/sa/details'",
    ],
    [
      'the same identity twice',
      { identities: [workloadIdentity('example.org', 'default', 'details'), workloadIdentity('example.org', 'default', 'details')] },
      "entry 'spiffe://example.org/ns/default/sa/details': 'k8s:ns:default k8s:sa:details' is registered twice with the same SPIFFE ID and selectors",
    ],
    [
      'an extra selector of an unknown type',
      { identities: [workloadIdentity('example.org', 'default', 'details', ['pod-label:app:details'])] },
      "entry 'spiffe://example.org/ns/default/sa/details' selectors[2]: 'pod-label:app:details' has unknown selector type 'pod-label'",
    ],
    ['an unpinned image', { kubectlImage: 'registry.k8s.io/kubectl' }, "kubectlImage: 'registry.k8s.io/kubectl' must be pinned"],
    ['an unpinned jq', { jqImage: 'ghcr.io/jqlang/jq' }, "jqImage: 'ghcr.io/jqlang/jq' must be pinned"],
    [
      "BusyBox's glibc build",
      { busyboxImage: 'docker.io/library/busybox:1.37.0' },
      "busyboxImage: 'docker.io/library/busybox:1.37.0' must be a static BusyBox build, whose tag ends in '-musl' or '-uclibc'",
    ],
    [
      'a BusyBox pinned by digest alone',
      { busyboxImage: `docker.io/library/busybox@sha256:${'a'.repeat(64)}` },
      "must be a static BusyBox build, whose tag ends in '-musl' or '-uclibc'",
    ],
    ['a zero wait interval', { waitIntervalSeconds: 0 }, 'waitIntervalSeconds: 0 must be a whole number, 1 or more'],
    ['a zero batch size', { batchSize: 0 }, 'batchSize: 0 must be a whole number, 1 or more'],
    [
      'a deadline shorter than the work',
      { activeDeadlineSeconds: 100 },
      'activeDeadlineSeconds: 100 must be at least 130: the work on 2 entries may take 120s (2 listings of 30s and, twice, 1 batches of 30s), plus two waits of waitIntervalSeconds (5s) for the server',
    ],
    ['a negative backoff limit', { backoffLimit: -1 }, 'backoffLimit: -1 must be a whole number, 0 or more'],
  ])('%s', (_, overrides, message) => {
    expect(build(overrides)).toThrow(message);
  });

  test('extra selectors are added after the defaults', () => {
    const reg = new SpireRegistration(testChart('c'), 'r', props({
      identities: [workloadIdentity('example.org', 'default', 'details', ['k8s:pod-label:app:details', 'unix:uid:1337'])],
    }));
    expect(reg.workloadEntries[0].toSpireJson().selectors).toEqual([
      { type: 'k8s', value: 'ns:default' },
      { type: 'k8s', value: 'sa:details' },
      { type: 'k8s', value: 'pod-label:app:details' },
      { type: 'unix', value: 'uid:1337' },
    ]);
  });
});
