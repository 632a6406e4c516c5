import * as kplus from 'cdk8s-plus-25';
import { DEFAULT_CONFIG } from '../../lib/config/mesh-config';
import { SpireAgent } from '../../lib/spire/agent';
import { SpireAgentIdentity } from '../../lib/spire/agent-identity';
import { SpireServer } from '../../lib/spire/server';
import { restrictedViolations } from '../support/pod-security';
import { find, synthesize } from '../support/synth';
import { testChart } from '../support/test-app';

const { charts } = synthesize();
const spire = charts.get('spire')!;
const podOf = (kind: string, name: string) => find(spire, kind, name, 'spire').spec.template.spec;

describe('Pod Security Standards', () => {
  test('the server pod template passes "restricted"', () => {
    expect(restrictedViolations(podOf('StatefulSet', 'spire-server'))).toEqual([]);
  });

  test('the agent and the CSI driver break exactly the rules their comments and docs explain', () => {
    expect(restrictedViolations(podOf('DaemonSet', 'spire-agent'))).toEqual([
      'Host Namespaces',
      'HostPath Volumes',
      'Running as Non-root',
      'Running as Non-root user',
      'Volume Types',
    ]);
    expect(restrictedViolations(podOf('DaemonSet', 'spiffe-csi-driver'))).toEqual([
      'HostPath Volumes',
      'Privilege Escalation',
      'Privileged Containers',
      'Running as Non-root',
      'Running as Non-root user',
      'Volume Types',
    ]);
  });

  test('the spire namespace enforces privileged (for those two) and warns and audits at restricted', () => {
    expect(find(charts.get('namespaces')!, 'Namespace', 'spire').metadata.labels).toEqual({
      'pod-security.kubernetes.io/enforce': 'privileged',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
    });
  });

  test('the server runs as the uid:gid its image is built for, and owns its volume through fsGroup', () => {
    expect(podOf('StatefulSet', 'spire-server').securityContext).toEqual(
      expect.objectContaining({ runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, runAsNonRoot: true }),
    );
  });
});

describe.each([
  ['StatefulSet', 'spire-server'],
  ['DaemonSet', 'spire-agent'],
  ['DaemonSet', 'spiffe-csi-driver'],
])('every container of %s %s', (kind, name) => {
  const containers: any[] = podOf(kind, name).containers;

  test.each(containers.map((c) => [c.name, c]))('%s sets its securityContext explicitly', (_, c) => {
    expect(c.securityContext).toEqual(
      expect.objectContaining({
        runAsUser: expect.any(Number),
        runAsGroup: expect.any(Number),
        runAsNonRoot: c.securityContext.runAsUser !== 0,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
        readOnlyRootFilesystem: true,
        // Only the privileged CSI driver may escalate: Kubernetes refuses privileged without it.
        allowPrivilegeEscalation: c.securityContext.privileged === true,
      }),
    );
  });

  test.each(containers.map((c) => [c.name, c]))('%s requests CPU and memory and limits memory', (_, c) => {
    expect(c.resources.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
    expect(c.resources.limits).toEqual({ memory: expect.any(String) });
  });
});

test('long-running processes with health endpoints have probes; the CSI driver (none) is guarded by its registrar', () => {
  for (const [kind, name, container] of [
    ['StatefulSet', 'spire-server', 'spire-server'],
    ['DaemonSet', 'spire-agent', 'spire-agent'],
  ]) {
    const c = podOf(kind, name).containers.find((x: any) => x.name === container);
    expect(c.livenessProbe.httpGet.path).toBe('/live');
    expect(c.readinessProbe.httpGet.path).toBe('/ready');
  }
  const registrar = podOf('DaemonSet', 'spiffe-csi-driver').containers.find((x: any) => x.name === 'node-driver-registrar');
  expect(registrar.livenessProbe.httpGet.path).toBe('/healthz');
});

describe('RBAC is least privilege', () => {
  test('the server may only create TokenReviews and get pods and nodes cluster-wide', () => {
    expect(find(spire, 'ClusterRole', 'spire-server').rules).toEqual([
      { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], resourceNames: [], verbs: ['create'] },
      { apiGroups: [''], resources: ['pods'], resourceNames: [], verbs: ['get'] },
      { apiGroups: [''], resources: ['nodes'], resourceNames: [], verbs: ['get'] },
    ]);
  });

  test('the agent may only get pods, nodes and nodes/proxy', () => {
    expect(find(spire, 'ClusterRole', 'spire-agent').rules).toEqual([
      { apiGroups: [''], resources: ['pods'], resourceNames: [], verbs: ['get'] },
      { apiGroups: [''], resources: ['nodes'], resourceNames: [], verbs: ['get'] },
      { apiGroups: [''], resources: ['nodes/proxy'], resourceNames: [], verbs: ['get'] },
    ]);
  });

  test('no other role exists and the CSI driver gets no token', () => {
    const roles = spire.filter((m) => m.kind === 'Role' || m.kind === 'ClusterRole').map((m) => `${m.kind}/${m.metadata.name}`);
    expect(roles.sort()).toEqual(['ClusterRole/spire-agent', 'ClusterRole/spire-server', 'Role/spire-server-bundle']);
    expect(podOf('DaemonSet', 'spiffe-csi-driver').automountServiceAccountToken).toBe(false);
    expect(find(spire, 'ServiceAccount', 'spiffe-csi-driver', 'spire').automountServiceAccountToken).toBe(false);
  });
});

describe('bad props throw at synth time, naming prop, value and rule', () => {
  const setup = () => {
    const chart = testChart('test');
    const namespace = new kplus.Namespace(chart, 'ns', { metadata: { name: 'spire' } });
    const agents = new SpireAgentIdentity(chart, 'identity', { namespace, clusterName: 'c' });
    const serverProps = { namespace, agents, trustDomain: 'example.org', image: DEFAULT_CONFIG.images.spireServer };
    return { chart, namespace, agents, serverProps };
  };

  test.each<[string, object, RegExp]>([
    ['trustDomain', { trustDomain: 'Example.org' }, /trustDomain: 'Example.org' must be lowercase/],
    ['image', { image: 'spire-server' }, /image: 'spire-server' must name its registry/],
    ['storage size', { storageSize: 'lots' }, /storageSize: 'lots' must be a Kubernetes quantity/],
    ['storage size of a thousandth of a byte', { storageSize: '1m' }, /storageSize: '1m' is one thousandth of a byte: did you mean '1Mi' \(mebibytes\) or '1M' \(megabytes\)\?/],
    ['storage size of 0', { storageSize: '0' }, /storageSize: '0' is 0 bytes, less than the least allowed \(1Mi\)/],
    ['CA TTL', { caTtl: '1 day' }, /caTtl: '1 day' must be a positive Go duration/],
    ['empty CA subject', { caSubject: { country: '', organization: 'x' } }, /caSubject.country: '' must be non-empty text without quotes, backslashes or control characters/],
    ['quote in the CA subject', { caSubject: { country: 'US', organization: 'A "B"' } }, /caSubject.organization: 'A "B"' must be non-empty text without quotes/],
    ['CA subject', { caSubject: { country: 'U${S}', organization: 'x' } }, /server.conf server.ca_subject.country\[0\]: 'U\$\{S\}' must not contain/],
    ['SVID TTL not below the CA TTL', { caTtl: '1h', defaultX509SvidTtl: '1h' }, /defaultX509SvidTtl: '1h' must be shorter than caTtl \(1h\): an SVID cannot outlive the CA/],
    ['replica count', { replicas: 0 }, /replicas: 0 must be a whole number from 1 to 16/],
    ['HA on SQLite', { replicas: 3 }, /replicas: 3 needs an external datastore \(postgres or mysql\)/],
    ['postgres without a Secret', { datastore: 'postgres' }, /connectionStringSecret: undefined must name the Secret holding the postgres connection string/],
    ['a Secret with SQLite', { connectionStringSecret: { name: 'db', key: 'dsn' } }, /connectionStringSecret: 'db' applies only to postgres and mysql/],
    ['a bad Secret name', { datastore: 'mysql', connectionStringSecret: { name: 'DB!', key: 'dsn' } }, /connectionStringSecret.name: 'DB!'/],
    ['a bad Secret key', { datastore: 'mysql', connectionStringSecret: { name: 'db', key: 'a/b' } }, /connectionStringSecret.key: 'a\/b' must be a Secret key/],
    ['agent TTL above a sixth of the CA TTL', { caTtl: '24h', agentTtl: '5h' }, /agentTtl: '5h' must be at most 4h with caTtl 24h: .* raise caTtl to at least 30h/],
    ['datastore CA with SQLite', { datastoreCaSecret: { name: 'db-ca', key: 'ca.crt' } }, /datastoreCaSecret: 'db-ca' applies only to postgres and mysql/],
    ['cert-manager issuer', { upstreamAuthority: { type: 'cert-manager', issuerName: 'CA' } }, /upstreamAuthority.issuerName: 'CA' must be a DNS-1123 subdomain/],
    ['KMS region', { keyManager: { type: 'aws_kms', region: 'Frankfurt' } }, /keyManager.region: 'Frankfurt' must be an AWS region/],
    ['"$" in the CA subject with -expandEnv', { datastore: 'postgres', connectionStringSecret: { name: 'db', key: 'dsn' }, caSubject: { country: 'US', organization: 'A$B' } }, /caSubject.organization: 'A\$B' must not contain "\$"/],
  ])('SpireServer refuses a bad %s', (_, override, message) => {
    const { chart, serverProps } = setup();
    expect(() => new SpireServer(chart, 'server', { ...serverProps, ...override })).toThrow(message);
  });

  test('SpireAgent refuses a relative socket directory', () => {
    const { chart, agents, serverProps } = setup();
    const server = new SpireServer(chart, 'server', serverProps);
    expect(
      () => new SpireAgent(chart, 'agent', { identity: agents, server, image: DEFAULT_CONFIG.images.spireAgent, socketHostDir: 'run/spire' }),
    ).toThrow(/SpireAgent.socketHostDir: 'run\/spire' must be an absolute path/);
  });
});
