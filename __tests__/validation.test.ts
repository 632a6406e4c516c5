import {
  checkDns1123Label,
  checkDuration,
  checkImage,
  checkOwnNamespace,
  checkPort,
  checkQuantity,
  CPU,
  MEMORY,
  parseQuantity,
  QuantityRule,
  STORAGE_SIZE,
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

test('checkWholeNumber with a maximum takes whole numbers from its minimum to its maximum', () => {
  expect(checkWholeNumber('replicas', 1000, 0, 1000)).toBe(1000);
  for (const bad of [-1, 1001, 2.5, 1e21, Number.NaN, Number.POSITIVE_INFINITY]) {
    expect(() => checkWholeNumber('replicas', bad, 0, 1000)).toThrow(`replicas: ${bad} must be a whole number from 0 to 1000`);
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

test('checkQuantity without a rule accepts Kubernetes quantities only', () => {
  expect(checkQuantity('size', '1Gi')).toBe('1Gi');
  expect(() => checkQuantity('size', '1 GB')).toThrow(/size: '1 GB' must be a Kubernetes quantity/);
});

describe('parseQuantity reads the Kubernetes grammar into base units', () => {
  test.each<[string, number]>([
    ['0', 0],
    ['1', 1],
    ['1.5', 1.5],
    ['5.', 5],
    ['.5', 0.5],
    ['+2', 2],
    ['-2', -2],
    ['100m', 0.1],
    ['1k', 1000],
    ['1M', 1e6],
    ['1G', 1e9],
    ['1T', 1e12],
    ['1P', 1e15],
    ['1E', 1e18],
    ['1Ki', 1024],
    ['1Mi', 1048576],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['1Ti', 2 ** 40],
    ['1Pi', 2 ** 50],
    ['1Ei', 2 ** 60],
    ['1e3', 1000],
    ['1E3', 1000],
    ['2e-3', 0.002],
    ['1e+2', 100],
    ['1e200', Infinity],
    ['1e-200', 0],
  ])('%s is %d', (text, value) => {
    expect(parseQuantity(text)?.value).toBe(value);
  });

  test.each(['', ' 1Gi', '1 Gi', '1GB', '1gi', '1g', '1KI', 'Gi', '1.2.3', '1e', '1e1.5', '1Gi ', '0x10', '1_000', '∞', '1iB'])('%j is not a quantity', (text) => {
    expect(parseQuantity(text)).toBeUndefined();
  });

  test('is exact where a double is not: 1.1M is 1100000 bytes, not 1100000.0000000002', () => {
    const q = parseQuantity('1.1M')!;
    expect([q.numerator / q.denominator, q.numerator % q.denominator]).toEqual([1100000n, 0n]);
  });
});

describe('checkQuantity with a rule: bounds, whole bytes or millicores, and what was meant', () => {
  test.each<[QuantityRule, string]>([
    [STORAGE_SIZE, '1Gi'],
    [STORAGE_SIZE, '1Mi'],
    [STORAGE_SIZE, '1048576'],
    [STORAGE_SIZE, '1.5Gi'],
    [STORAGE_SIZE, '500M'],
    [STORAGE_SIZE, '1e9'],
    [STORAGE_SIZE, '64Ti'],
    [MEMORY, '64Mi'],
    [MEMORY, '0.5Gi'],
    [MEMORY, '1.1M'],
    [MEMORY, '1Ti'],
    [CPU, '1m'],
    [CPU, '50m'],
    [CPU, '0.25'],
    [CPU, '2'],
    [CPU, '1.5'],
    [CPU, '256'],
  ])('%j accepts %s', (rule, value) => {
    expect(checkQuantity('q', value, rule)).toBe(value);
  });

  test.each<[QuantityRule, string, string]>([
    [STORAGE_SIZE, '0', "q: '0' is 0 bytes, less than the least allowed (1Mi)"],
    [STORAGE_SIZE, '1m', "q: '1m' is one thousandth of a byte: did you mean '1Mi' (mebibytes) or '1M' (megabytes)?"],
    [STORAGE_SIZE, '500m', "q: '500m' is 500 thousandths of a byte: did you mean '500Mi' (mebibytes) or '500M' (megabytes)?"],
    [STORAGE_SIZE, '1mb', "q: '1mb' must be a Kubernetes quantity: did you mean '1Mi' (mebibytes) or '1M' (megabytes)?"],
    [STORAGE_SIZE, '1MB', "q: '1MB' must be a Kubernetes quantity: did you mean '1Mi' (mebibytes) or '1M' (megabytes)?"],
    [STORAGE_SIZE, '1GB', "q: '1GB' must be a Kubernetes quantity: did you mean '1Gi' (gibibytes) or '1G' (gigabytes)?"],
    [STORAGE_SIZE, '1g', "q: '1g' must be a Kubernetes quantity: did you mean '1Gi' (gibibytes) or '1G' (gigabytes)?"],
    [STORAGE_SIZE, '10gi', "q: '10gi' must be a Kubernetes quantity: did you mean '10Gi' (gibibytes) or '10G' (gigabytes)?"],
    [STORAGE_SIZE, '2 TiB', "q: '2 TiB' must be a Kubernetes quantity: did you mean '2Ti' (tebibytes) or '2T' (terabytes)?"],
    [STORAGE_SIZE, '1.5kb', "q: '1.5kb' must be a Kubernetes quantity: did you mean '1.5Ki' (kibibytes) or '1.5k' (kilobytes)?"],
    [STORAGE_SIZE, '1K', "q: '1K' must be a Kubernetes quantity: did you mean '1Ki' (kibibytes) or '1k' (kilobytes)?"],
    [STORAGE_SIZE, '1048576B', "q: '1048576B' must be a Kubernetes quantity: did you mean '1048576' (bytes)?"],
    [STORAGE_SIZE, 'lots', 'q: \'lots\' must be a Kubernetes quantity such as "1Gi" or "500Mi": a number and a suffix (Ki, Mi, Gi, Ti, Pi, Ei; k, M, G, T, P, E; m for thousandths) or an exponent (1e3)'],
    [STORAGE_SIZE, '512', "q: '512' is 512 bytes, less than the least allowed (1Mi): did you mean '512Mi' (mebibytes)?"],
    [STORAGE_SIZE, '1Ki', "q: '1Ki' is less than the least allowed (1Mi)"],
    [STORAGE_SIZE, '-1Gi', "q: '-1Gi' is less than the least allowed (1Mi)"],
    [STORAGE_SIZE, '100Ti', "q: '100Ti' is more than the most allowed (64Ti)"],
    [STORAGE_SIZE, '1e200', "q: '1e200' is more than the most allowed (64Ti)"],
    [STORAGE_SIZE, '1.1Gi', "q: '1.1Gi' is 1181116006.4 bytes: a size must be a whole number of bytes"],
    [MEMORY, '64', "q: '64' is 64 bytes, less than the least allowed (1Mi): did you mean '64Mi' (mebibytes)?"],
    [MEMORY, '2Ti', "q: '2Ti' is more than the most allowed (1Ti)"],
    [CPU, '0', "q: '0' is 0 CPU cores, less than the least allowed (1m)"],
    [CPU, '0.5m', "q: '0.5m' is less than the least allowed (1m)"],
    [CPU, '1.5005', "q: '1.5005' is finer than 1m (a thousandth of a core), which Kubernetes refuses"],
    [CPU, '500', "q: '500' is 500 CPU cores, more than the most allowed (256): did you mean '500m' (millicores)?"],
    [CPU, '2cpu', "q: '2cpu' must be a Kubernetes quantity: did you mean '2' (cores)?"],
    [CPU, '500mc', "q: '500mc' must be a Kubernetes quantity: did you mean '500m' (millicores)?"],
    [CPU, 'half', 'q: \'half\' must be a Kubernetes quantity such as "100m" or "2": a number and a suffix (Ki, Mi, Gi, Ti, Pi, Ei; k, M, G, T, P, E; m for thousandths) or an exponent (1e3)'],
  ])('%j refuses %s', (rule, value, message) => {
    expect(() => checkQuantity('q', value, rule)).toThrow(message);
  });
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
