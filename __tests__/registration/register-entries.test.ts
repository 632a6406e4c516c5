import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RegistrationEntry, RegistrationEntryProps, spireEntriesJson } from '../../lib/registration/entry';
import { REGISTER_SCRIPT_FILE, SCRIPT_KEY, TOOLS_DIR } from '../../lib/registration/registration';
import { selectorText } from '../../lib/registration/selector';
import { find, synthesize } from '../support/synth';
import { tempDir } from '../support/temp';

/**
 * Runs the Job's script for real, the way its pod runs it: under BusyBox's sh, with a PATH
 * holding exactly the tools the Job's init containers install (made by running their very
 * commands), jq, and a fake `kubectl` that plays the SPIRE server (see fixtures/kubectl), fed
 * the entries and environment the Job is synthesized with. Every case also runs under dash,
 * which, unlike Debian's BusyBox (it runs any applet even with no link on PATH), finds only
 * what PATH holds: a command the Job's images do not provide fails there.
 */
const FIXTURES = path.join(__dirname, 'fixtures');
const { mesh, charts } = synthesize();
const registration = mesh.registration;
const objects = charts.get('registration')!;
const job = find(objects, 'Job', registration.jobName, 'spire');
const pod = job.spec.template.spec;
const main = pod.containers.find((c: { name: string }) => c.name === 'register');
const jobEnv: Record<string, string> = Object.fromEntries(main.env.map((e: { name: string; value: string }) => [e.name, e.value]));
const DETAILS = 'spiffe://example.org/ns/default/sa/bookinfo-details';
const declared = JSON.parse(registration.entriesJson).entries;
/** An entry someone registered by hand: SPIRE gave it a UUID, no spire-mesh prefix. */
const FOREIGN = {
  entry_id: '0b6c8a52-4a4e-4d0b-9f5e-3b0f4d3c2a11',
  spiffe_id: 'spiffe://example.org/ns/legacy/sa/batch',
  parent_id: 'spiffe://example.org/k8s-cluster/demo-cluster',
  selectors: [{ type: 'k8s', value: 'ns:legacy' }],
};

interface ServerPod {
  readonly name: string;
  readonly ready: boolean;
  readonly terminating?: boolean;
}

/** What `kubectl get pods -o json` answers for these SPIRE server pods. */
function podList(pods: readonly ServerPod[]): string {
  const { namespace } = mesh.spire.server;
  return JSON.stringify({
    items: pods.map((p) => ({
      metadata: { name: p.name, namespace, ...(p.terminating ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
      status: { conditions: [{ type: 'Ready', status: p.ready ? 'True' : 'False' }] },
    })),
  });
}

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly calls: string[][];
  readonly stored: unknown[];
}

/** Where a program is on this machine's PATH, if anywhere. */
function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      continue;
    }
  }
  return undefined;
}
const required = (name: string): string => {
  const file = which(name);
  if (!file) throw new Error(`${name} not found on PATH: the registration script's tests need it`);
  return file;
};

// The cases run side by side (each has its own server state), at most as many scripts at once as
// there are cores: the script is a chain of short processes, so more would only queue. A run is
// killed after 20 s, a hang and not slowness on a loaded machine; the cases get twice that.
jest.setTimeout(60_000);
const RUN_TIMEOUT_MS = 20_000;
let free = Math.max(2, os.availableParallelism());
const waiting: Array<() => void> = [];
async function oneOfFew<T>(work: () => Promise<T>): Promise<T> {
  if (free > 0) free -= 1;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else free += 1;
  }
}

/** Runs `argv` with `env`: its exit status (null when killed), stdout and stderr. */
function run(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return oneOfFew(
    () =>
      new Promise((resolve, reject) => {
        // Its own process group, killed whole at the deadline: a hung fake kubectl must not
        // outlive the script holding its output pipes open.
        const child = spawn(argv[0], argv.slice(1), { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
        const deadline = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), RUN_TIMEOUT_MS);
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
        child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
        child.on('error', reject);
        child.on('close', (status) => {
          clearTimeout(deadline);
          resolve({ status, stdout, stderr });
        });
      }),
  );
}

/**
 * The Job's pod, on this machine: the tools directory filled by running each init container's
 * own command with the image's paths mapped to this machine's (the BusyBox image's
 * `/bin/busybox` to Debian's static build, the jq image's `/jq` to this machine's jq), and a
 * `/bin` holding only the fake kubectl, as the kubectl image holds only kubectl.
 */
const BUSYBOX = which('busybox');
const POD = (() => {
  const root = tempDir('registration-pod');
  const tools = path.join(root, 'tools');
  const bin = path.join(root, 'bin');
  fs.mkdirSync(tools);
  fs.mkdirSync(bin);
  fs.symlinkSync(path.join(FIXTURES, 'kubectl'), path.join(bin, 'kubectl'));
  // Each image's paths, mapped to this machine's.
  const mapper = (hostPaths: Record<string, string>) => (arg: string) => {
    const image = Object.keys(hostPaths).find((p) => arg === p || arg.startsWith(`${p}/`));
    return image ? hostPaths[image] + arg.slice(image.length) : arg;
  };
  const busybox = BUSYBOX ?? required('busybox');
  const inits: Record<string, (arg: string) => string> = {
    busybox: mapper({ [TOOLS_DIR]: tools, '/bin/busybox': busybox, '/bin/sh': busybox }),
    jq: mapper({ [TOOLS_DIR]: tools, '/jq': required('jq') }),
  };
  for (const init of pod.initContainers) {
    const onHost = inits[init.name];
    // The BusyBox image's /bin/sh is a link to its busybox: here busybox is told the applet.
    const argv = init.command[0] === '/bin/sh' ? ['/bin/sh', 'sh', ...init.command.slice(1)] : init.command;
    const result = spawnSync(onHost(argv[0]), argv.slice(1).map(onHost), { env: { PATH: '/nonexistent' }, encoding: 'utf8', timeout: 10_000 });
    if (result.status !== 0) throw new Error(`init container ${init.name} failed here: ${result.stderr}`);
  }
  const onHost = mapper({ [TOOLS_DIR]: tools, '/bin': bin });
  return { onHost, path: main.env.find((e: { name: string }) => e.name === 'PATH').value.split(':').map(onHost).join(':') };
})();

/** The shells the cases run under: BusyBox's (the Job's), and dash (which finds only what PATH holds). */
const SHELLS: { name: string; argv: (script: string) => string[] }[] = [
  ...(BUSYBOX ? [{ name: 'BusyBox sh', argv: (script: string) => [POD.onHost(main.command[0]), script] }] : []),
  { name: 'dash', argv: (script: string) => [required('dash'), script] },
];
if (!BUSYBOX) {
  console.warn('busybox is not installed: the registration script runs under dash only (.ci/run installs busybox-static)');
}

/**
 * A fake server holding `stored` entries; `run` runs the script under `shell` with
 * `entriesJson` declared (the default mesh's unless given).
 */
function serverOf(shell: (typeof SHELLS)[number]) {
  return (stored: unknown[] = []) => {
    const dir = tempDir('registration');
    const entriesDir = path.join(dir, 'entries');
    const stateFile = path.join(dir, 'spire-state.json');
    fs.mkdirSync(entriesDir);
    fs.writeFileSync(stateFile, JSON.stringify({ entries: stored }));
    const runWith = async (env: Record<string, string> = {}, entriesJson = registration.entriesJson): Promise<Run> => {
      fs.writeFileSync(path.join(entriesDir, 'entries-000.json'), entriesJson);
      fs.rmSync(`${stateFile}.calls`, { force: true });
      const result = await run(shell.argv(REGISTER_SCRIPT_FILE), {
        ...jobEnv,
        PATH: POD.path,
        TMPDIR: dir,
        HOME: dir,
        ENTRIES_DIR: entriesDir,
        WAIT_INTERVAL_SECONDS: '0.01',
        FAKE_SPIRE_STATE: stateFile,
        FAKE_PODS: podList([{ name: 'spire-server-0', ready: true }]),
        ...env,
      });
      const calls = fs.existsSync(`${stateFile}.calls`)
        ? fs.readFileSync(`${stateFile}.calls`, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
        : [];
      const stored = fs.existsSync(stateFile) ? JSON.parse(fs.readFileSync(stateFile, 'utf8')).entries : [];
      return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls, stored };
    };
    return { run: runWith, dir };
  };
}

// A server the script left with some config's entries holds exactly that config's entries JSON
// (the first case proves it), so the cases that start from such a server, the re-run included,
// are given its state instead of a script run to build it.

/** The entries JSON of the default mesh changed by `overrides`. */
const entriesOf = (overrides: unknown) => synthesize(overrides).mesh.registration.entriesJson;
const byId = (entries: unknown[]) => [...entries].sort((a: any, b: any) => a.entry_id.localeCompare(b.entry_id));

test('the ConfigMap carries this very script, so the tests run what the Job runs', () => {
  const configMap = find(charts.get('registration')!, 'ConfigMap', 'spire-registration', 'spire');
  expect(configMap.data[SCRIPT_KEY]).toBe(fs.readFileSync(REGISTER_SCRIPT_FILE, 'utf8'));
});

describe.each(SHELLS)('under $name', (shell) => {
  const server = serverOf(shell);

  test.concurrent('GIVEN a server that is not ready yet WHEN the script runs THEN it waits, then creates every entry with its own ID', async () => {
    const { run } = server();
    const result = await run({ FAKE_SPIRE_NOT_READY: '2' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout.match(/^waiting for SPIRE server \(spire, app=spire-server\)/gm)).toHaveLength(2);
    expect(result.calls.filter((c) => c.includes('healthcheck'))).toHaveLength(3);
    for (const e of declared) expect(result.stdout).toContain(`created: ${e.spiffe_id} (${e.entry_id})\n`);
    expect(result.stdout).toContain('0 unchanged, 6 created, 0 replaced, 0 deleted, 0 foreign left alone, 0 failed, of 6 declared entries');
    expect(byId(result.stored)).toEqual(byId(declared));
  });

  test.concurrent('GIVEN several server pods WHEN the script runs THEN it execs into a Ready one found by the server\'s selector', async () => {
    const { run } = server();
    const pods = [
      { name: 'spire-server-0', ready: false },
      { name: 'spire-server-1', ready: true, terminating: true },
      { name: 'spire-server-2', ready: true },
    ];
    const result = await run({ FAKE_PODS: podList(pods) });
    expect(result.status).toBe(0);
    const admin = mesh.spire.server;
    const selector = Object.entries(admin.selector).map(([k, v]) => `${k}=${v}`).join(',');
    expect(result.calls[0]).toEqual(['get', 'pods', '-n', admin.namespace, '-l', selector, '-o', 'json']);
    const exec = ['exec', '-i', '-n', admin.namespace, 'spire-server-2', '-c', admin.containerName, '--', admin.binaryPath];
    expect(result.calls.slice(1)).toEqual([
      [...exec, 'healthcheck', '-socketPath', admin.adminSocketPath],
      [...exec, 'entry', 'show', '-socketPath', admin.adminSocketPath, '-output', 'json'],
      [...exec, 'entry', 'create', '-socketPath', admin.adminSocketPath, '-data', '-', '-output', 'json'],
    ]);
    expect(result.stdout).toContain('using SPIRE server spire/spire-server-2\n');
  });

  test.concurrent('GIVEN kubectl warns on stderr (an aggregated API is down) WHEN the script finds a server THEN the warning stays out of the pod name', async () => {
    const { run } = server();
    const warning = 'E1203 10:00:00.000000 1 memcache.go:265] couldn\'t get resource list for metrics.k8s.io/v1beta1: the server is currently unable to handle the request';
    const result = await run({ FAKE_KUBECTL_WARN: warning });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('using SPIRE server spire/spire-server-0\n');
    expect(result.calls.filter((c) => c[0] === 'exec').every((c) => c[4] === 'spire-server-0')).toBe(true);
    expect(result.stdout).toContain('0 unchanged, 6 created');
  });

  test.concurrent('GIVEN the first Ready server fails its healthcheck WHEN the script runs THEN it falls over to the next Ready one', async () => {
    const { run } = server();
    const pods = [
      { name: 'spire-server-0', ready: true },
      { name: 'spire-server-1', ready: true },
    ];
    const result = await run({ FAKE_PODS: podList(pods), FAKE_SPIRE_UNHEALTHY: 'spire-server-0' });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('using SPIRE server spire/spire-server-1\n');
    expect(result.calls.filter((c) => c.includes('entry')).every((c) => c[4] === 'spire-server-1')).toBe(true);
    expect(byId(result.stored)).toEqual(byId(declared));
  });

  test.concurrent('GIVEN every Ready server is unhealthy WHEN the attempts run out THEN the failure names each one with its answer', async () => {
    const { run } = server();
    const pods = [
      { name: 'spire-server-0', ready: true },
      { name: 'spire-server-1', ready: true },
    ];
    const result = await run({ FAKE_PODS: podList(pods), FAKE_SPIRE_UNHEALTHY: 'spire-server-0 spire-server-1', WAIT_ATTEMPTS: '2' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'not ready after 2 attempts; last answer:\n' +
        'spire-server-0: Error: server is unhealthy: unable to determine health\n' +
        'spire-server-1: Error: server is unhealthy: unable to determine health\n',
    );
  });

  test.concurrent('GIVEN more entries than one batch WHEN the script runs THEN each create and delete call carries at most BATCH_SIZE entries', async () => {
    const stale = Array.from({ length: 5 }, (_, i) => ({ ...FOREIGN, entry_id: `spire-mesh-${String(i).padStart(32, '0')}`, spiffe_id: `spiffe://example.org/ns/gone/sa/old-${i}` }));
    const { run } = server(stale);
    const result = await run({ BATCH_SIZE: '2' });
    expect(result.status).toBe(0);
    const sent = (what: string) => result.calls.filter((c) => c.slice(c.indexOf('--') + 2, c.indexOf('--') + 4).join(' ') === `entry ${what}`);
    expect(sent('create')).toHaveLength(3);
    expect(sent('delete')).toHaveLength(3);
    expect(result.stdout).toContain('0 unchanged, 6 created, 0 replaced, 5 deleted, 0 foreign left alone, 0 failed, of 6 declared entries');
    expect(byId(result.stored)).toEqual(byId(declared));
  });

  test.concurrent('GIVEN 400 declared entries WHEN the script runs with the Job\'s batch size THEN they go in batches of 100 and all exist', async () => {
    const parent = registration.nodeAlias.spiffeId.text;
    const many = Array.from({ length: 400 }, (_, i) => new RegistrationEntry({ spiffeId: `spiffe://example.org/ns/team-${i}/sa/web`, parentId: parent, selectors: [`k8s:ns:team-${i}`, 'k8s:sa:web'] }));
    const entriesJson = JSON.stringify(spireEntriesJson(many));
    const { run } = server();
    const result = await run({}, entriesJson);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(jobEnv.BATCH_SIZE).toBe('100');
    expect(result.calls.filter((c) => c.includes('create'))).toHaveLength(4);
    expect(result.stored).toHaveLength(400);
  });

  test.concurrent('GIVEN a concurrent run creates our entry first WHEN the server answers AlreadyExists THEN the log says our ID is there, read back from the server', async () => {
    const details = declared.find((e: any) => e.spiffe_id === DETAILS);
    const { run } = server();
    const result = await run({ FAKE_SPIRE_RACE: JSON.stringify([details]) });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`created: ${DETAILS} (${details.entry_id}) (already there: a concurrent run made it)\n`);
    expect(byId(result.stored)).toEqual(byId(declared));
  });

  test.concurrent('GIVEN someone registers a similar entry meanwhile WHEN the server answers AlreadyExists THEN the log names the ID that holds it, not ours', async () => {
    // The CLI prints the requested entry on AlreadyExists: trusting it would report our ID as present.
    const details = declared.find((e: any) => e.spiffe_id === DETAILS);
    const handMade = { ...details, entry_id: 'e1f0c9d2-hand-made' };
    const { run } = server();
    const result = await run({ FAKE_SPIRE_RACE: JSON.stringify([handMade]) });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`foreign: ${DETAILS} is registered as e1f0c9d2-hand-made, not owned by spire-mesh: left alone\n`);
    expect(result.stdout).not.toContain(`created: ${DETAILS}`);
    expect(result.stored).toContainEqual(handMade);
    expect(result.stored).not.toContainEqual(details);
  });

  test.concurrent('GIVEN the entries already exist WHEN the script runs again THEN it changes nothing', async () => {
    const { run } = server([...declared, FOREIGN]);
    const again = await run();
    expect(again.status).toBe(0);
    for (const e of declared) expect(again.stdout).toContain(`unchanged: ${e.spiffe_id} (${e.entry_id})\n`);
    expect(again.stdout).toContain('6 unchanged, 0 created, 0 replaced, 0 deleted, 0 foreign left alone, 0 failed, of 6 declared entries');
    expect(again.calls.filter((c) => c.includes('create') || c.includes('delete'))).toEqual([]);
    expect(byId(again.stored)).toEqual(byId([...declared, FOREIGN]));
  });

  test.concurrent('GIVEN an entry removed from the config WHEN the script runs THEN it deletes that owned entry and only that one', async () => {
    const twoNamespaces = entriesOf({ bookinfo: { namespaces: ['default', 'team-a'] } });
    const { run } = server([...JSON.parse(twoNamespaces).entries, FOREIGN]);
    const result = await run();
    expect(result.status).toBe(0);
    const teamA = JSON.parse(twoNamespaces).entries.filter((e: any) => e.spiffe_id.includes('/ns/team-a/'));
    expect(teamA).toHaveLength(4);
    for (const e of teamA) {
      expect(result.stdout).toContain(`delete: ${e.spiffe_id} (${e.entry_id}): no longer declared\n`);
      expect(result.stdout).toContain(`deleted: ${e.entry_id}\n`);
    }
    expect(result.stdout).toContain('6 unchanged, 0 created, 0 replaced, 4 deleted, 0 foreign left alone, 0 failed');
    expect(byId(result.stored)).toEqual(byId([...declared, FOREIGN]));
  });

  test.concurrent('GIVEN a foreign entry, even one matching a declared entry WHEN the script runs THEN it is never deleted nor duplicated', async () => {
    const details = declared.find((e: any) => e.spiffe_id === DETAILS);
    const handMade = { ...details, entry_id: 'e1f0c9d2-hand-made' };
    const { run } = server([FOREIGN, handMade]);
    const result = await run();
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`foreign: ${DETAILS} is registered as e1f0c9d2-hand-made, not owned by spire-mesh: left alone\n`);
    expect(result.stdout).toContain('0 unchanged, 5 created, 0 replaced, 0 deleted, 1 foreign left alone, 0 failed');
    expect(result.stdout).not.toMatch(/^delete/m);
    expect(byId(result.stored)).toEqual(byId([...declared.filter((e: any) => e !== details), FOREIGN, handMade]));
  });

  test.concurrent('GIVEN a server holding more entries than one argument can carry WHEN the script runs THEN it plans against all of them', async () => {
    // Linux caps one argument at 128 KiB: the listing of 400 entries (~200 KB as SPIRE prints it)
    // must reach jq another way; the script that passed it as an argument failed from ~250 entries.
    const many = Array.from({ length: 400 }, (_, i) => ({
      ...FOREIGN,
      entry_id: `0b6c8a52-4a4e-4d0b-9f5e-${String(i).padStart(12, '0')}`,
      spiffe_id: `spiffe://example.org/ns/legacy/sa/batch-${i}`,
    }));
    const { run } = server(many);
    const result = await run();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('0 unchanged, 6 created, 0 replaced, 0 deleted, 0 foreign left alone, 0 failed, of 6 declared entries');
    expect(result.stored).toHaveLength(406);
  });

  /** The default entries with the details entry rebuilt with `change` (so with a new ID), and both versions of it. */
  function withDetailsChanged(change: Partial<RegistrationEntryProps>) {
    const old = registration.workloadEntries.find((e) => e.spiffeId.text === DETAILS)!;
    const changed = new RegistrationEntry({ spiffeId: DETAILS, parentId: old.parentId.text, selectors: old.selectors.map(selectorText), ...change });
    const entries = registration.entries.map((e) => (e === old ? changed : e));
    return { old: old.toSpireJson(), details: changed.toSpireJson(), entriesJson: JSON.stringify(spireEntriesJson(entries)) };
  }

  test.concurrent('GIVEN an entry whose selector set changed WHEN the script runs THEN the new entry is created before the old one is deleted', async () => {
    const { run } = server(declared);
    const { old, details, entriesJson } = withDetailsChanged({ selectors: ['k8s:ns:default', 'k8s:sa:bookinfo-details', 'k8s:container-name:details'] });
    const result = await run({}, entriesJson);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`create: ${DETAILS} (${details.entry_id})\n`);
    expect(result.stdout).toContain(`delete: ${DETAILS} (${old.entry_id}): no longer declared\n`);
    const commands = result.calls.map((c) => c.slice(c.indexOf('--') + 2, c.indexOf('--') + 4).join(' '));
    expect(commands.indexOf('entry create')).toBeLessThan(commands.indexOf('entry delete'));
    expect(result.stored.filter((e: any) => e.spiffe_id === DETAILS)).toEqual([details]);
  });

  test.concurrent('GIVEN an entry whose TTL changed (same ID, parent, selectors) WHEN the script runs THEN it replaces the owned entry', async () => {
    const { run } = server(declared);
    const { old, details, entriesJson } = withDetailsChanged({ x509SvidTtl: 300 });
    const result = await run({}, entriesJson);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`replace: ${DETAILS} (${old.entry_id} -> ${details.entry_id}): its settings changed\n`);
    expect(result.stdout).toContain('5 unchanged, 0 created, 1 replaced, 0 deleted, 0 foreign left alone, 0 failed');
    expect(result.stored.filter((e: any) => e.spiffe_id === DETAILS)).toEqual([details]);
  });

  test.concurrent('GIVEN the server rejects one entry WHEN the script runs THEN it fails naming the entry and the reason, and deletes nothing', async () => {
    const stale = { ...FOREIGN, entry_id: 'spire-mesh-00000000000000000000000000000000', spiffe_id: 'spiffe://example.org/ns/gone/sa/old' };
    const { run } = server([stale]);
    const result = await run({ FAKE_SPIRE_REJECT: DETAILS });
    expect(result.status).toBe(1);
    const details = declared.find((e: any) => e.spiffe_id === DETAILS);
    expect(result.stderr).toContain(
      `FAILED to create ${DETAILS} (${details.entry_id}): status code 3: failed to create entry: datastore-validation: invalid selector`,
    );
    expect(result.stderr).toContain('not deleting or replacing any entry: 1 of 6 creates failed');
    expect(result.calls.filter((c) => c.includes('delete'))).toEqual([]);
    expect(result.stored).toContainEqual(stale);
    expect(result.stored).toHaveLength(6);
  });

  test.concurrent('GIVEN no server pod becomes Ready WHEN the attempts run out THEN the script fails saying so', async () => {
    const { run } = server();
    const result = await run({ FAKE_PODS: podList([{ name: 'spire-server-0', ready: false }]), WAIT_ATTEMPTS: '3' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('SPIRE server (spire, app=spire-server) not ready after 3 attempts; last answer:\nno Ready pod matches app=spire-server');
    expect(result.calls.filter((c) => c[0] === 'exec')).toEqual([]);
  });

  test.concurrent('GIVEN a server that never becomes healthy WHEN the attempts run out THEN the script fails with its last answer', async () => {
    const { run } = server();
    const result = await run({ FAKE_SPIRE_NOT_READY: '1000', WAIT_ATTEMPTS: '3' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('SPIRE server (spire, app=spire-server) not ready after 3 attempts; last answer:');
    expect(result.stderr).toContain('is waiting to start: ContainerCreating');
    expect(result.calls.filter((c) => c.includes('entry'))).toEqual([]);
  });

  test.concurrent('GIVEN a kubectl that never answers WHEN its deadline passes THEN the script stops it and fails naming the call', async () => {
    const { run } = server();
    // coreutils' timeout takes fractions: the Job's whole seconds would only make this case slower.
    const result = await run({ FAKE_KUBECTL_HANG: '1', KUBECTL_TIMEOUT_SECONDS: '0.3', WAIT_ATTEMPTS: '2' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('kubectl get did not answer within 0.3s');
    expect(result.stderr).toContain('not ready after 2 attempts');
  });

  test.concurrent.each(['entry show', 'entry create', 'entry delete'])('GIVEN %s answers without JSON WHEN the script runs THEN it fails showing the answer, and the stale entry stays', async (command) => {
    const stale = { ...FOREIGN, entry_id: 'spire-mesh-00000000000000000000000000000000', spiffe_id: 'spiffe://example.org/ns/gone/sa/old' };
    const { run } = server([stale]);
    const result = await run({ FAKE_SPIRE_GARBAGE: 'Error: connection error: desc = "transport: error while dialing"', FAKE_SPIRE_GARBAGE_ON: command });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`spire-server ${command} did not return the expected JSON:`);
    expect(result.stderr).toContain('transport: error while dialing');
    expect(result.stored).toContainEqual(stale);
  });
});

test.concurrent('GIVEN a script that calls a command the Job\'s images lack WHEN it runs here THEN it fails, as it would in the pod', async () => {
  // The guard the cases rely on: were awk found here, a script using it would pass its tests and fail on the cluster.
  const script = path.join(tempDir('registration-guard'), 'uses-awk.sh');
  fs.writeFileSync(script, "awk 'BEGIN { print 1 }'\n");
  const result = await run([required('dash'), script], { PATH: POD.path });
  expect(result.status).toBe(127);
  expect(result.stderr).toMatch(/awk: not found/);
});
