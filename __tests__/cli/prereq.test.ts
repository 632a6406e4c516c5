import * as path from 'path';
import { parseIstioctlVersion, which } from '../../lib/cli/prereq';

describe('prerequisite helpers', () => {
  test.each([
    ['1.30.3\n', '1.30.3'],
    ['client version: 1.29.0\n', '1.29.0'],
    ['1.31.0-beta.1\n', '1.31.0-beta.1'],
    ['no version here', undefined],
  ])('GIVEN istioctl printing %j WHEN parsing THEN the version is %j', (output, version) => {
    expect(parseIstioctlVersion(output)).toBe(version);
  });

  test('GIVEN a PATH WHEN looking up a tool THEN the first executable file wins and directories are skipped', () => {
    const bin = path.join(__dirname, 'fixtures', 'bin');
    expect(which('kubectl', ['/nonexistent', bin].join(path.delimiter))).toBe(path.join(bin, 'kubectl'));
    expect(which('fixtures', path.dirname(path.dirname(bin)) + path.delimiter + bin)).toBeUndefined();
    expect(which('kubectl', undefined)).toBeUndefined();
  });
});
