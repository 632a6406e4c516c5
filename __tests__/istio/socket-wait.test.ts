import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { socketWaitScript } from '../../lib/istio/ingress-gateway';
import { tempDir } from '../support/temp';

/**
 * The proxy image's tools the script may use: its `sh` is Ubuntu's dash (istio
 * `pilot/docker/Dockerfile.proxyv2` builds on Istio's Ubuntu `base` image), and besides dash's
 * builtins (`[`, `echo`) the script calls only coreutils' `sleep`. The test runs dash with a
 * PATH holding nothing but a `sleep`, so any other command fails here as it could there.
 */
const TOOLS = (() => {
  const dir = tempDir('socket-wait-tools');
  const sleep = ['/usr/bin/sleep', '/bin/sleep'].find((f) => fs.existsSync(f));
  if (!sleep) throw new Error('no sleep binary on this machine');
  fs.symlinkSync(sleep, path.join(dir, 'sleep'));
  return dir;
})();

/**
 * Runs the gateway's wait script with `sh` (dash), as its init container does, against a
 * socket path in a temp dir, looking every 0.1 s instead of the container's 2 s.
 */
function runWait(socket: string): { child: ChildProcess; output: () => string; done: Promise<{ code: number | null; out: string }> } {
  // Killed after 10 s at the latest, so a script that never ends does not outlive the test.
  const child = spawn('/bin/dash', ['-c', socketWaitScript()], { env: { PATH: TOOLS, SOCKET: socket, WAIT_INTERVAL_SECONDS: '0.1' }, timeout: 10_000 });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const done = new Promise<{ code: number | null; out: string }>((resolve) => child.on('exit', (code) => resolve({ code, out })));
  return { child, output: () => out, done };
}

describe('the gateway init container that waits for the SPIRE socket', () => {
  const dir = tempDir('socket');

  // Side by side: each case mostly waits, on its own socket path.
  test.concurrent('keeps waiting while the socket is missing or only a plain file', async () => {
    const socket = path.join(dir, 'plain');
    fs.writeFileSync(socket, '');
    const { child, output, done } = runWait(socket);
    const exited = await Promise.race([done.then(() => true), new Promise((r) => setTimeout(() => r(false), 600))]);
    child.kill();
    expect(exited).toBe(false);
    expect(output().match(/^waiting for the SPIRE agent socket /gm)!.length).toBeGreaterThan(1);
  });

  test.concurrent('ends successfully once the agent serves the socket', async () => {
    const socket = path.join(dir, 'socket');
    const { done } = runWait(socket);
    const server = net.createServer();
    await new Promise<void>((resolve) => setTimeout(() => server.listen(socket, resolve), 300));
    const { code, out } = await done;
    server.close();
    expect(code).toBe(0);
    expect(out).toContain(`found ${socket}`);
  }, 10000);
});
