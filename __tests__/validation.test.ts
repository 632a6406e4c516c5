import {
  checkDns1123Label,
  checkDuration,
  checkImage,
  checkOwnNamespace,
  checkPort,
  checkQuantity,
  checkImageHub,
  checkLabelValue,
  checkQualifiedName,
  checkReleaseVersion,
  checkTrustDomain,
  checkWholeNumber,
  durationSeconds,
  show,
} from '../lib/validation';

describe('checkTrustDomain', () => {
  test.each(['example.org', 'prod-1.example-corp.io', 'td', 'istio.io.', `${'a'.repeat(63)}.org`])('accepts %s', (td) => {
    expect(checkTrustDomain('trustDomain', td)).toBe(td);
  });
  // Istio's ValidateTrustDomain (pkg/config/validation/agent/validation.go, 1.30.3): each label a DNS-1123 label.
  test.each([
    ['a_b.org', "'a_b'"],
    ['a..b', "''"],
    [`${'a'.repeat(64)}.org`, `'${'a'.repeat(64)}'`],
    ['.example.org', "''"],
    ['-a.org', "'-a'"],
  ])('refuses %j, which SPIFFE allows but istioctl install would not', (td, label) => {
    expect(() => checkTrustDomain('trustDomain', td)).toThrow(`has the label ${label}, but Istio requires every dot-separated label of the trust domain to be a DNS-1123 label`);
  });
  test.each([
    ['Example.org', /trustDomain: 'Example.org' must be lowercase \(SPIFFE ID spec, trust domain/],
    ['spiffe://example.org', /must not include a scheme/],
    ['example.org:8443', /must not include a port/],
    ['example.org/ns', /must not include a path/],
    ['exa mple.org', /has a character that is not allowed/],
    ['', /must not be empty/],
  ])('refuses %j', (td, message) => {
    expect(() => checkTrustDomain('trustDomain', td)).toThrow(message);
  });
});

describe('checkDns1123Label', () => {
  test.each(['spire', 'a', 'team-1', 'x'.repeat(63)])('accepts %s', (name) => {
    expect(checkDns1123Label('n', name)).toBe(name);
  });
  test.each(['Spire', '-spire', 'spire-', 'spi_re', 'spire.io', '', 'x'.repeat(64)])('refuses %j', (name) => {
    expect(() => checkDns1123Label('namespaces.spire', name)).toThrow(/namespaces.spire: .* must be a DNS-1123 label/);
  });
});

describe('checkImage', () => {
  test.each([
    'ghcr.io/spiffe/spire-server:1.15.3',
    'registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.17.0',
    'localhost:5000/spire-agent:dev-1',
    `ghcr.io/spiffe/spire-agent@sha256:${'a'.repeat(64)}`,
    `ghcr.io/spiffe/spire-agent:1.15.3@sha256:${'0'.repeat(64)}`,
  ])('accepts %s', (image) => {
    expect(checkImage('images.x', image)).toBe(image);
  });
  test.each([
    ['ghcr.io/spiffe/spire-server:latest', /images.x: 'ghcr.io\/spiffe\/spire-server:latest' must not use the tag 'latest'/],
    ['ghcr.io/spiffe/spire-server', /must be pinned with a tag or an @sha256: digest/],
    ['spire-server:1.15.3', /must name its registry/],
    ['ghcr.io/Spiffe/spire-server:1.0', /must be an image reference/],
    ['ghcr.io/spiffe/spire-server@sha256:abc', /must be an image reference/],
  ])('refuses %j', (image, message) => {
    expect(() => checkImage('images.x', image)).toThrow(message);
  });
});

test('checkPort refuses 0, 65536 and fractions, naming the field', () => {
  expect(checkPort('port', 8081)).toBe(8081);
  for (const bad of [0, 65536, 80.5, -1]) {
    expect(() => checkPort('spec.port', bad)).toThrow(`spec.port: ${bad} must be an integer port between 1 and 65535`);
  }
});

test('checkWholeNumber takes whole numbers from its minimum up, naming the field and the minimum', () => {
  expect(checkWholeNumber('replicas', 0, 0)).toBe(0);
  expect(checkWholeNumber('waves', 3, 1)).toBe(3);
  for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    expect(() => checkWholeNumber('waves', bad, 1)).toThrow(`waves: ${bad} must be a whole number, 1 or more`);
  }
});

test('checkDuration accepts Go durations and durationSeconds adds their parts', () => {
  expect(checkDuration('ttl', '1h30m')).toBe('1h30m');
  expect(durationSeconds('1h30m')).toBe(5400);
  expect(durationSeconds('10m')).toBe(600);
  for (const bad of ['1 h', '10', 'forever', '-1h']) {
    expect(() => checkDuration('ttl', bad)).toThrow(/must be a positive Go duration/);
  }
});

test('checkDuration refuses zero however it is spelled, and absurd lengths', () => {
  for (const zero of ['0s', '0m0s', '0h0m0.0s', '00ms']) expect(() => checkDuration('ttl', zero)).toThrow(`ttl: '${zero}' must be longer than zero`);
  expect(checkDuration('ttl', '87600h')).toBe('87600h');
  for (const absurd of ['87601h', '99999999999h']) expect(() => checkDuration('ttl', absurd)).toThrow(`ttl: '${absurd}' must be at most 87600h (ten years)`);
});

describe('checkOwnNamespace', () => {
  test.each(['kube-system', 'kube-public', 'kube-node-lease', 'kube-anything'])('refuses the built-in %s for any part', (ns) => {
    expect(() => checkOwnNamespace('namespaces.spire', ns, { allowDefault: true })).toThrow(`namespaces.spire: '${ns}' must not be a built-in kube-* namespace`);
  });
  test('refuses default where the part needs its own namespace, accepts it for workloads', () => {
    expect(() => checkOwnNamespace('namespaces.istio', 'default', { allowDefault: false })).toThrow("namespaces.istio: 'default' must not be 'default'");
    expect(checkOwnNamespace('bookinfo.namespaces[0]', 'default', { allowDefault: true })).toBe('default');
    expect(checkOwnNamespace('namespaces.spire', 'spire', { allowDefault: false })).toBe('spire');
  });
});

test("show prints YAML's .nan and .inf as numbers, not as JSON's null", () => {
  expect([Number.NaN, Number.POSITIVE_INFINITY, -Number.POSITIVE_INFINITY, 1.5].map(show)).toEqual(['NaN', 'Infinity', '-Infinity', '1.5']);
});

test('show cuts a long value to a readable length and says how long it was', () => {
  expect(show('x'.repeat(5_000_000))).toBe(`'${'x'.repeat(79)}… (5000002 characters)`);
  expect(show('short')).toBe("'short'");
});

test('checkQuantity accepts Kubernetes quantities only', () => {
  expect(checkQuantity('size', '1Gi')).toBe('1Gi');
  expect(() => checkQuantity('size', '1 GB')).toThrow(/size: '1 GB' must be a Kubernetes quantity/);
});

test('checkReleaseVersion refuses pre-releases such as the demo istioctl 1.14.0-alpha.0', () => {
  expect(checkReleaseVersion('istio.version', '1.30.3')).toBe('1.30.3');
  expect(() => checkReleaseVersion('istio.version', '1.14.0-alpha.0')).toThrow(/no pre-release/);
});

test('checkImageHub accepts a registry prefix and refuses a tag or a bare name', () => {
  expect(checkImageHub('istio.hub', 'docker.io/istio')).toBe('docker.io/istio');
  expect(checkImageHub('istio.hub', 'localhost:5000/mirror/istio')).toBe('localhost:5000/mirror/istio');
  expect(() => checkImageHub('istio.hub', 'docker.io/istio:1.30.3')).toThrow(/istio.hub: 'docker.io\/istio:1.30.3' must be a registry and repository prefix/);
  expect(() => checkImageHub('istio.hub', 'istio')).toThrow(/must be a registry and repository prefix/);
});

describe('checkQualifiedName', () => {
  test.each(['dedicated', 'nvidia.com/gpu', 'node-role.kubernetes.io/control-plane', 'a_b.c-d', 'x'.repeat(63)])('accepts %s', (key) => {
    expect(checkQualifiedName('key', key)).toBe(key);
  });
  test.each([
    ['', /key: '' must be a qualified name: an optional DNS-1123 prefix/],
    ['-gpu', /must be a qualified name: an optional/],
    ['x'.repeat(64), /must be a qualified name: an optional/],
    ['/gpu', /its prefix before "\/" must be a DNS-1123 subdomain/],
    ['Nvidia.com/gpu', /its prefix before "\/" must be a DNS-1123 subdomain/],
    ['nvidia.com/', /must be a qualified name: an optional/],
    ['a/b/c', /must be a qualified name: an optional/],
  ])('refuses %j', (key, message) => {
    expect(() => checkQualifiedName('key', key)).toThrow(message);
  });
});

describe('checkLabelValue', () => {
  test.each(['', 'mesh', 'v1.2_3-a'])('accepts %j', (value) => {
    expect(checkLabelValue('value', value)).toBe(value);
  });
  test.each(['a b', '-a', 'x'.repeat(64), 'a/b'])('refuses %j', (value) => {
    expect(() => checkLabelValue('value', value)).toThrow(/must be a label value/);
  });
});
