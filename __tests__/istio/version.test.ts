import * as fs from 'fs';
import * as path from 'path';
import { resolveMeshConfig } from '../../lib/config/load';
import { checkIstioVersion, ISTIO_VERSION, SUPPORTED_ISTIO_MINOR } from '../../lib/istio/version';

const ROOT = path.join(__dirname, '..', '..');
const minorOf = (version: string) => version.split('.').slice(0, 2).join('.');

describe('the supported Istio minor', () => {
  test('GIVEN the vendored Istio files THEN every one is of the supported minor, and the pinned release is a patch of it', () => {
    const vendored = [
      ...fs.readdirSync(path.join(ROOT, 'crds')).filter((d) => d.startsWith('istio-')),
      ...fs.readdirSync(path.join(__dirname, 'reference')).filter((d) => d.startsWith('istio-')),
      ...[...fs.readFileSync(path.join(ROOT, 'cdk8s.yaml'), 'utf8').matchAll(/istio-(\d+\.\d+\.\d+)/g)].map((m) => m[0]),
    ];
    expect(vendored.length).toBeGreaterThanOrEqual(3);
    expect([...new Set(vendored.map((d) => minorOf(d.replace(/^istio-/, ''))))]).toEqual([SUPPORTED_ISTIO_MINOR]);
    expect(minorOf(ISTIO_VERSION)).toBe(SUPPORTED_ISTIO_MINOR);
    expect(resolveMeshConfig({}).istio.version).toBe(ISTIO_VERSION);
  });

  test.each(['1.30.0', '1.30.3', '1.30.4', '1.30.12'])('GIVEN %s THEN it is accepted by the loader and the rule', (version) => {
    expect(checkIstioVersion('version', version)).toBe(version);
    expect(resolveMeshConfig({ istio: { version } }).istio.version).toBe(version);
  });

  test.each(['1.29.9', '1.31.0', '2.30.0', '1.300.1', '1.3.0', '1.30', '1.30.3-rc.0'])('GIVEN %s THEN the rule refuses it', (version) => {
    expect(() => checkIstioVersion('istio.version', version)).toThrow(`istio.version: '${version}' must be a`);
  });
});
