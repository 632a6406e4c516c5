import * as fs from 'fs';
import * as path from 'path';
import { INDEX_FILE } from '../../lib/core/index-contract';
import { main } from '../../lib/cli/main';
import { meshIndex } from '../../lib/synth';
import { synthesize } from '../support/synth';
import { tempDir } from '../support/temp';

const VMS = {
  vms: [{ name: 'legacy-db', namespace: 'data', protocol: 'tcp', ports: [{ number: 5432, name: 'postgres' }], attestation: { type: 'join_token' } }],
};
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';

/** A dist/ holding only the index of `overrides`, and a fake kubectl answering each read from `answers` (by a word of its arguments). */
function setup(overrides: unknown, answers: Record<string, { out?: string; err?: string; code?: number }> = {}) {
  const cwd = tempDir('vm-bundle');
  const index = path.join(cwd, 'dist', INDEX_FILE);
  fs.mkdirSync(path.dirname(index), { recursive: true });
  fs.writeFileSync(index, JSON.stringify(meshIndex(synthesize(overrides).mesh)));
  const bin = path.join(cwd, 'bin');
  fs.mkdirSync(bin);
  const cases = Object.entries(answers)
    .map(([word, a]) => `  *" ${word} "*) printf '%s' '${a.out ?? ''}'; printf '%s' '${a.err ?? ''}' >&2; exit ${a.code ?? 0};;`)
    .join('\n');
  fs.writeFileSync(path.join(bin, 'kubectl'), `#!/bin/sh\ncase " $* " in\n${cases}\n  *) echo "unexpected: $*" >&2; exit 3;;\nesac\n`, { mode: 0o755 });
  const out: string[] = [];
  const err: string[] = [];
  const run = (...args: string[]) => main(args, { env: { PATH: `${bin}:/usr/bin:/bin` }, cwd, io: { out: (t) => out.push(t), err: (t) => err.push(t) } });
  return { cwd, run, out, err };
}

const GOOD = {
  'trust-bundle': { out: PEM },
  'istio-ca-root-cert': { out: PEM },
  'spire-server-vms': { out: '203.0.113.10' },
  'istio-eastwestgateway': { out: '203.0.113.20' },
};

test('--dry-run prints every file and asks the cluster nothing', async () => {
  const { run, out } = setup(VMS);
  expect(await run('--dry-run', 'vm', 'bundle', 'legacy-db')).toBe(0);
  const text = out.join('\n');
  for (const file of ['spire/agent.conf', 'systemd/spire-agent.service', 'istio/cluster.env', 'istio/mesh.yaml', 'systemd/istio.service.d/10-spire.conf', 'README.md']) {
    expect(text).toContain(`--- vm-legacy-db/${file}`);
  }
  expect(text).toContain("<from: kubectl -n spire get configmap trust-bundle -o 'jsonpath={.data.root-cert\\.pem}'>");
});

test('writes the bundle from the index and four cluster reads', async () => {
  const { run, cwd, out } = setup(VMS, GOOD);
  expect(await run('vm', 'bundle', 'legacy-db', '--out', 'b')).toBe(0);
  expect(fs.readFileSync(path.join(cwd, 'b', 'spire', 'bootstrap-bundle.pem'), 'utf8')).toBe(`${PEM}\n`);
  expect(fs.readFileSync(path.join(cwd, 'b', 'spire', 'agent.conf'), 'utf8')).toContain('server_address = "203.0.113.10"');
  expect(fs.readFileSync(path.join(cwd, 'b', 'istio', 'hosts'), 'utf8')).toBe('203.0.113.20 istiod.istio-system.svc\n');
  expect(out.at(-1)).toMatch(/wrote 9 files to b\//);
});

describe('each failure gives one message', () => {
  test.each([
    ['no VM in the index', {}, {}, ['vm', 'bundle', 'x'], /^spire-mesh: dist\/meta\/index.json declares no VM workloads: add one to `vms`/],
    ['an unknown VM', VMS, {}, ['vm', 'bundle', 'nope'], /^spire-mesh: no VM workload 'nope' in dist\/meta\/index.json \(declared: data\/legacy-db\)/],
    ['kubectl fails', VMS, { ...GOOD, 'trust-bundle': { err: 'Error from server (NotFound): configmaps "trust-bundle" not found', code: 1 } }, ['vm', 'bundle', 'legacy-db'], /^spire-mesh: cannot read the SPIRE trust bundle .*NotFound.*; the SPIRE server publishes it once it runs/],
    ['the bundle is not PEM', VMS, { ...GOOD, 'trust-bundle': { out: 'garbage' } }, ['vm', 'bundle', 'legacy-db'], /^spire-mesh: the SPIRE trust bundle is not a PEM certificate bundle/],
    ['no load-balancer address yet', VMS, { ...GOOD, 'spire-server-vms': { out: '' } }, ['vm', 'bundle', 'legacy-db'], /^spire-mesh: the load-balancer address of Service spire\/spire-server-vms is empty .*pass --spire-server-address/],
  ] as const)('%s', async (_name, overrides, answers, args, message) => {
    const { run, err } = setup(overrides, answers);
    expect(await run(...args)).toBe(1);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(message);
  });

  test('an output directory that is not empty', async () => {
    const { run, err, cwd } = setup(VMS, GOOD);
    fs.mkdirSync(path.join(cwd, 'vm-legacy-db'));
    fs.writeFileSync(path.join(cwd, 'vm-legacy-db', 'old'), '');
    expect(await run('vm', 'bundle', 'legacy-db')).toBe(1);
    expect(err).toEqual(['spire-mesh: vm-legacy-db exists and is not empty: remove it or pick another --out, so no file of an older bundle stays behind']);
  });
});
