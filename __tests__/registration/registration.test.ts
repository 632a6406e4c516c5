import * as kplus from 'cdk8s-plus-25';
import { SpireServer } from '../../lib/spire/server';
import { workloadIdentity } from '../../lib/identity';
import { ENTRY_ID_PREFIX } from '../../lib/registration/entry';
import { ENTRIES_KEY, REGISTRATION_MOUNT, SCRIPT_KEY, SpireRegistration, SpireRegistrationProps } from '../../lib/registration/registration';
import { podSpecProblems } from '../support/schema';
import { find, synthesize } from '../support/synth';
import { testChart } from '../support/test-app';

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
    const { entries } = JSON.parse(configMap.data[ENTRIES_KEY]);
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
      ENTRIES_FILE: `${REGISTRATION_MOUNT}/${ENTRIES_KEY}`,
    });
    expect(main.command).toEqual(['/bin/bash', `${REGISTRATION_MOUNT}/${SCRIPT_KEY}`]);
    expect(mesh.spire.server.selector).toEqual({ app: 'spire-server' });
    expect(find(charts.get('spire')!, 'StatefulSet', 'spire-server', 'spire').spec.template.metadata.labels).toMatchObject(mesh.spire.server.selector);
    expect(main.volumeMounts).toContainEqual({ name: 'registration', mountPath: REGISTRATION_MOUNT, readOnly: true });
    expect(pod.volumes).toContainEqual({ name: 'registration', configMap: { name: configMap.metadata.name } });
  });

  test('one container, the kubectl image, which has bash and jq: no init containers, no copied tools', () => {
    expect(pod.initContainers).toBeUndefined();
    expect(pod.containers.map((c: { image: string }) => c.image)).toEqual(['registry.k8s.io/kubectl:v1.36.4']);
    expect(env.PATH).toBeUndefined();
  });

  test('the Job is bounded: retries, a deadline, no restarts in place', () => {
    expect(job.spec).toMatchObject({ backoffLimit: 2, activeDeadlineSeconds: 600 });
    expect(pod.restartPolicy).toBe('Never');
    expect(env).toMatchObject({ WAIT_INTERVAL_SECONDS: '5', WAIT_ATTEMPTS: '60' });
  });

  test('every container meets Pod Security Standards "restricted" and has requests and a memory limit', () => {
    expect(podSpecProblems(pod)).toEqual([]);
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    for (const c of pod.containers) {
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
  const props = (overrides: Partial<SpireRegistrationProps> = {}): SpireRegistrationProps => ({
    server: new SpireServer(testChart('s'), 'server', {
      namespace: new kplus.Namespace(testChart('n'), 'ns', { metadata: { name: 'spire' } }),
      trustDomain: 'example.org',
      agents: { namespace: 'spire', serviceAccountName: 'spire-agent', clusterName: 'demo', audience: 'spire-server' },
      image: 'ghcr.io/spiffe/spire-server:1.15.3',
    }),
    agents: { namespace: 'spire', serviceAccountName: 'spire-agent', clusterName: 'demo' },
    identities: [workloadIdentity('example.org', 'default', 'details')],
    trustDomain: 'example.org',
    image: 'registry.k8s.io/kubectl:v1.36.4',
    ...overrides,
  });
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
    ['an unpinned image', { image: 'registry.k8s.io/kubectl' }, "image: 'registry.k8s.io/kubectl' must be pinned"],
    ['a zero wait interval', { waitIntervalSeconds: 0 }, 'waitIntervalSeconds: 0 must be a whole number, 1 or more'],
    ['a wait longer than half the deadline', { waitIntervalSeconds: 400 }, 'waitIntervalSeconds: 400 must be at most half of activeDeadlineSeconds (600)'],
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
