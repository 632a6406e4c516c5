import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REGISTER_SCRIPT_FILE, SCRIPT_KEY } from '../../lib/registration/registration';
import { find, synthesize } from '../support/synth';

/**
 * Runs the Job's script for real, with a fake `kubectl` first on PATH that plays the SPIRE
 * server (see fixtures/kubectl), fed the entries and environment the Job is synthesized with.
 */
const FIXTURES = path.join(__dirname, 'fixtures');
const { mesh, charts } = synthesize();
const registration = mesh.registration;
const job = find(charts.get('registration')!, 'Job', registration.jobName, 'spire');
const jobEnv: Record<string, string> = Object.fromEntries(
  job.spec.template.spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]),
);
const ids = registration.entries.map((e) => e.spiffeId.text);
const DETAILS = 'spiffe://example.org/ns/default/sa/bookinfo-details';

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly calls: string[][];
  readonly stored: unknown[];
}

function server(): { dir: string; run: (env?: Record<string, string>) => Run } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spire-registration-'));
  const entriesFile = path.join(dir, 'entries.json');
  fs.writeFileSync(entriesFile, registration.entriesJson);
  const stateFile = path.join(dir, 'spire-state.json');
  const run = (env: Record<string, string> = {}): Run => {
    fs.rmSync(`${stateFile}.calls`, { force: true });
    const result = spawnSync('sh', [REGISTER_SCRIPT_FILE], {
      encoding: 'utf8',
      timeout: 10_000,
      env: {
        ...jobEnv,
        PATH: `${FIXTURES}:${process.env.PATH}`,
        ENTRIES_FILE: entriesFile,
        WAIT_INTERVAL_SECONDS: '0.01',
        FAKE_SPIRE_STATE: stateFile,
        ...env,
      },
    });
    const calls = fs.existsSync(`${stateFile}.calls`)
      ? fs.readFileSync(`${stateFile}.calls`, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
      : [];
    const stored = fs.existsSync(stateFile) ? JSON.parse(fs.readFileSync(stateFile, 'utf8')).entries : [];
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls, stored };
  };
  return { dir, run };
}

test('the ConfigMap carries this very script, so the tests run what the Job runs', () => {
  const configMap = find(charts.get('registration')!, 'ConfigMap', 'spire-registration', 'spire');
  expect(configMap.data[SCRIPT_KEY]).toBe(fs.readFileSync(REGISTER_SCRIPT_FILE, 'utf8'));
});

test('GIVEN a server that is not ready yet WHEN the script runs THEN it waits, then creates every entry', () => {
  const { run } = server();
  const result = run({ FAKE_SPIRE_NOT_READY: '2' });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  expect(result.stdout.match(/^waiting for SPIRE server spire\/spire-server-0/gm)).toHaveLength(2);
  expect(result.calls.filter((c) => c.includes('healthcheck'))).toHaveLength(3);
  for (const id of ids) expect(result.stdout).toContain(`created: ${id}\n`);
  expect(result.stdout).toContain('6 created, 0 already present, 0 failed, of 6 entries');
  expect(result.stored).toHaveLength(6);
});

test('GIVEN a ready server WHEN the script runs THEN it execs into the server pod and socket the Job names, piping the entries on stdin', () => {
  const { run } = server();
  const result = run();
  expect(result.status).toBe(0);
  const admin = mesh.spire.server;
  const exec = ['exec', '-i', '-n', admin.namespace, admin.podName, '-c', admin.containerName, '--', admin.binaryPath];
  expect(result.calls).toEqual([
    [...exec, 'healthcheck', '-socketPath', admin.adminSocketPath],
    [...exec, 'entry', 'create', '-socketPath', admin.adminSocketPath, '-data', '-', '-output', 'json'],
  ]);
  expect(result.stored).toEqual(JSON.parse(registration.entriesJson).entries);
});

test('GIVEN the entries already exist WHEN the script runs again THEN it succeeds and creates no duplicates', () => {
  const { run } = server();
  expect(run().status).toBe(0);
  const again = run();
  expect(again.status).toBe(0);
  for (const id of ids) expect(again.stdout).toContain(`already present: ${id}\n`);
  expect(again.stdout).toContain('0 created, 6 already present, 0 failed, of 6 entries');
  expect(again.stored).toHaveLength(6);
});

test('GIVEN the server rejects one entry WHEN the script runs THEN it fails naming the entry and the reason', () => {
  const { run } = server();
  const result = run({ FAKE_SPIRE_REJECT: DETAILS });
  expect(result.status).toBe(1);
  expect(result.stderr).toContain(
    `FAILED: ${DETAILS}: status code 3: failed to create entry: datastore-validation: invalid selector`,
  );
  expect(result.stdout).toContain('5 created, 0 already present, 1 failed, of 6 entries');
});

test('GIVEN a server that never becomes ready WHEN the attempts run out THEN the script fails with its last answer', () => {
  const { run } = server();
  const result = run({ FAKE_SPIRE_NOT_READY: '1000', WAIT_ATTEMPTS: '3' });
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('SPIRE server spire/spire-server-0 not ready after 3 attempts; last answer:');
  expect(result.stderr).toContain('is waiting to start: ContainerCreating');
  expect(result.calls.filter((c) => c.includes('entry'))).toEqual([]);
});

test('GIVEN entry create answers without JSON results WHEN the script runs THEN it fails showing the answer', () => {
  const { run } = server();
  const result = run({ FAKE_SPIRE_GARBAGE: 'Error: connection error: desc = "transport: error while dialing"' });
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('spire-server entry create (exit code 1) did not return JSON results:');
  expect(result.stderr).toContain('transport: error while dialing');
});
