// The example's config, synthesized as `npm run synth` would, and checked against what each
// image needs to start: stated here from the images, not from the code that renders the pods.
import { buildMesh } from '../../lib/composition-root';
import { loadMeshConfig } from '../../lib/config/load';
import { Manifest, schemaProblems } from '../../__tests__/support/schema';
import { find } from '../../__tests__/support/synth';
import { NEVER_WRITTEN } from '../../__tests__/support/test-app';
import { restrictedProblems } from '../../__tests__/support/workloads';

type Obj = Manifest & Record<string, any>;

// GIVEN the example's spire-mesh.config.yaml, read the way synth reads it
const config = loadMeshConfig({ cwd: __dirname, env: {} });
const mesh = buildMesh(config, { outdir: NEVER_WRITTEN });
const all = mesh.charts.flatMap((c) => c.toJson()) as Obj[];

const pod = (deployment: string) => find(all, 'Deployment', deployment, 'shop').spec.template.spec;
const app = (deployment: string, name: string) => pod(deployment).containers.find((c: { name: string }) => c.name === name);

/**
 * Where the postgres:16 image writes when it starts (docker-entrypoint.sh: PGDATA for initdb and
 * the data, /var/run/postgresql for the socket and lock file, /tmp for temporary files), and the
 * user it is built for (`useradd --uid=999` in its Dockerfile).
 */
const POSTGRES = { uid: 999, gid: 999, dataMount: '/var/lib/postgresql/data', writes: ['/var/run/postgresql', '/tmp'] };
/** pgweb's Dockerfile: `useradd --uid 1000 … pgweb`, `USER pgweb`. */
const PGWEB_UID = 1000;

/** The volume a container mounts at `path` (or above it), with the mount. */
function volumeAt(deployment: string, container: string, path: string): { mount: any; volume: any } {
  const c = app(deployment, container);
  const mount = [...c.volumeMounts]
    .sort((a: any, b: any) => b.mountPath.length - a.mountPath.length)
    .find((m: any) => path === m.mountPath || path.startsWith(`${m.mountPath}/`));
  if (!mount) throw new Error(`${container} mounts nothing at ${path}`);
  return { mount, volume: pod(deployment).volumes.find((v: any) => v.name === mount.name) };
}

/** Every container of every pod template in the output, with the object holding it. */
function containers(): { owner: string; c: any }[] {
  return all.flatMap((o) => {
    const spec = o.spec?.template?.spec ?? o.spec?.jobTemplate?.spec?.template?.spec;
    if (!spec) return [];
    return [...(spec.initContainers ?? []), ...spec.containers].map((c: any) => ({ owner: `${o.kind}/${o.metadata.name}`, c }));
  });
}

test('every object of the example passes its schema, and both apps pass Pod Security "restricted"', () => {
  expect(schemaProblems(all)).toEqual([]);
  expect(restrictedProblems(pod('postgres-v1'), app('postgres-v1', 'postgres'))).toEqual([]);
  expect(restrictedProblems(pod('web-v1'), app('web-v1', 'web'))).toEqual([]);
});

describe('postgres gets what the official image needs to start with a read-only root', () => {
  const c = app('postgres-v1', 'postgres');
  const env = Object.fromEntries(c.env.map((e: any) => [e.name, e]));

  test('is pinned to a PostgreSQL 16 minor release', () => {
    expect(c.image).toMatch(/^docker\.io\/library\/postgres:16\.\d+$/);
  });

  test("runs as the image's postgres user, and its volumes belong to that group", () => {
    expect(c.securityContext).toMatchObject({ runAsUser: POSTGRES.uid, runAsGroup: POSTGRES.gid, runAsNonRoot: true, readOnlyRootFilesystem: true });
    expect(pod('postgres-v1').securityContext.fsGroup).toBe(POSTGRES.gid);
  });

  test('PGDATA is a subdirectory of a writable claim the mesh creates, which one pod mounts at a time', () => {
    const pgdata = env.PGDATA.value as string;
    expect(pgdata.startsWith(`${POSTGRES.dataMount}/`)).toBe(true);
    const { mount, volume } = volumeAt('postgres-v1', 'postgres', pgdata);
    expect(mount.mountPath).toBe(POSTGRES.dataMount);
    expect(mount.readOnly).toBeUndefined();
    const claim = find(all, 'PersistentVolumeClaim', volume.persistentVolumeClaim.claimName, 'shop');
    expect(claim.spec).toMatchObject({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } });
    expect(find(all, 'Deployment', 'postgres-v1', 'shop').spec).toMatchObject({ replicas: 1, strategy: { type: 'Recreate' } });
  });

  test.each(POSTGRES.writes)('%s is a writable emptyDir', (path) => {
    const { mount, volume } = volumeAt('postgres-v1', 'postgres', path);
    expect(mount.mountPath).toBe(path);
    expect(mount.readOnly).toBeUndefined();
    expect(volume.emptyDir).toBeDefined();
  });

  test('the password comes from the Secret the user creates, by reference', () => {
    expect(env.POSTGRES_PASSWORD).toEqual({ name: 'POSTGRES_PASSWORD', valueFrom: { secretKeyRef: { name: 'shop-db', key: 'password' } } });
  });

  test('is reached over TCP by the web app only, never through the gateway', () => {
    expect(find(all, 'Service', 'postgres', 'shop').spec.ports).toEqual([{ name: 'tcp', port: 5432, targetPort: 5432, protocol: 'TCP' }]);
    expect(find(all, 'AuthorizationPolicy', 'postgres', 'shop').spec.rules).toEqual([{ from: [{ source: { principals: ['example.org/ns/shop/sa/web'] } }] }]);
    expect(all.filter((o) => o.kind === 'VirtualService' && o.metadata.name === 'postgres')).toEqual([]);
  });
});

describe('the web app', () => {
  const c = app('web-v1', 'web');

  test("runs as pgweb's user with a writable /tmp, probed on its info endpoint", () => {
    expect(c.securityContext).toMatchObject({ runAsUser: PGWEB_UID, readOnlyRootFilesystem: true });
    expect(volumeAt('web-v1', 'web', '/tmp').volume.emptyDir).toBeDefined();
    expect(c.readinessProbe.httpGet).toEqual({ path: '/api/info', port: 8081 });
  });

  test('reads the same Secret key for its password, and its database URL holds none', () => {
    const env = Object.fromEntries(c.env.map((e: any) => [e.name, e]));
    expect(env.PGPASSWORD.valueFrom).toEqual({ secretKeyRef: { name: 'shop-db', key: 'password' } });
    expect(env.PGWEB_DATABASE_URL.value).toBe('postgres://app@postgres.shop.svc.cluster.local:5432/app?sslmode=disable');
  });
});

describe('no secret value is in the output', () => {
  test('no Secret object is emitted: the user creates shop-db', () => {
    expect(all.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name)).toEqual([]);
  });

  test('every variable named like a credential, in any container, is a reference, not a value', () => {
    expect(containers().map(({ c }) => c.name)).toEqual(expect.arrayContaining(['postgres', 'web', 'spire-server']));
    const literal = containers().flatMap(({ owner, c }) =>
      (c.env ?? []).filter((e: any) => /PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIAL/i.test(e.name) && e.value !== undefined).map((e: any) => `${owner} ${c.name} ${e.name}`),
    );
    expect(literal).toEqual([]);
  });

  test('no connection URL anywhere in the output carries a password (scheme://user:password@host)', () => {
    const text = JSON.stringify(all);
    expect(text.match(/[a-z][a-z0-9+.-]*:\/\/[^\s"/@:]+:[^\s"/@]+@/gi)).toBeNull();
  });
});
