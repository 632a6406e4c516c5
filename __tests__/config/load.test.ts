import * as fs from 'fs';
import * as path from 'path';
import { CONFIG_ENV_VAR, ConfigError, DEFAULT_CONFIG_FILE, loadMeshConfig, readMeshConfig, resolveMeshConfig } from '../../lib/config/load';
import { DEFAULT_CONFIG } from '../../lib/config/mesh-config';
import { tempDir } from '../support/temp';

describe('defaults', () => {
  test('reproduce the demo with current pinned images', () => {
    const config = resolveMeshConfig({});
    expect(config.trustDomain).toBe('example.org');
    expect(config.clusterName).toBe('demo-cluster');
    expect(config.namespaces).toEqual({ spire: 'spire', istio: 'istio-system' });
    expect(config.bookinfo.namespaces).toEqual(['default']);
    expect(config.images).toEqual({
      spireServer: 'ghcr.io/spiffe/spire-server:1.15.3',
      spireAgent: 'ghcr.io/spiffe/spire-agent:1.15.3',
      spiffeCsiDriver: 'ghcr.io/spiffe/spiffe-csi-driver:0.2.12',
      csiNodeDriverRegistrar: 'registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.17.0',
      kubectl: 'registry.k8s.io/kubectl:v1.36.4',
      busybox: 'docker.io/library/busybox:1.37.0-musl',
      jq: 'ghcr.io/jqlang/jq:1.8.2',
    });
    expect(config.istio.version).toBe('1.30.3');
    expect(config.bookinfo.images.productpageV1).toBe('registry.istio.io/release/examples-bookinfo-productpage-v1:1.20.3');
  });

  test('overrides replace single keys and keep the other defaults', () => {
    const config = resolveMeshConfig({ trustDomain: 'corp.example', spire: { server: { caTtl: '24h' } } });
    expect(config.trustDomain).toBe('corp.example');
    expect(config.spire.server.caTtl).toBe('24h');
    expect(config.spire.server.defaultX509SvidTtl).toBe(DEFAULT_CONFIG.spire.server.defaultX509SvidTtl);
    expect(config.clusterName).toBe('demo-cluster');
  });

  test('both node agents tolerate every taint and are system-node-critical; a tolerations list replaces the default whole', () => {
    const defaults = resolveMeshConfig({});
    for (const part of [defaults.spire.agent, defaults.spire.csiDriver]) {
      expect(part.tolerations).toEqual([{ operator: 'Exists' }]);
      expect(part.priorityClassName).toBe('system-node-critical');
    }
    const gpu = [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }];
    const config = resolveMeshConfig({ spire: { csiDriver: { tolerations: gpu } } });
    expect(config.spire.csiDriver.tolerations).toEqual(gpu);
    expect(config.spire.csiDriver.priorityClassName).toBe('system-node-critical');
    expect(config.spire.agent.tolerations).toEqual([{ operator: 'Exists' }]);
  });
});

describe('a bad configuration names the field, the value and the rule', () => {
  test.each<[string, unknown, string]>([
    ['uppercase trust domain', { trustDomain: 'Example.org' }, "trustDomain: 'Example.org' must be lowercase (SPIFFE ID spec, trust domain"],
    ['trust domain with scheme', { trustDomain: 'spiffe://example.org' }, "trustDomain: 'spiffe://example.org' must not include a scheme"],
    ['unknown top-level key', { trustdomain: 'example.org' }, 'trustdomain: unknown key (known keys here: trustDomain,'],
    ['unknown nested key', { spire: { server: { svidTtl: '1h' } } }, 'spire.server.svidTtl: unknown key (known keys here: replicas, datastore, storageSize,'],
    ['latest image tag', { images: { spireServer: 'ghcr.io/spiffe/spire-server:latest' } }, "images.spireServer: 'ghcr.io/spiffe/spire-server:latest' must not use the tag 'latest'"],
    ['unpinned image', { images: { spireAgent: 'ghcr.io/spiffe/spire-agent' } }, 'images.spireAgent: \'ghcr.io/spiffe/spire-agent\' must be pinned'],
    ['kubectl image without registry', { images: { kubectl: 'kubectl:v1.36.4' } }, "images.kubectl: 'kubectl:v1.36.4' must name its registry"],
    ['the removed busybox image key', { images: { registrationShell: 'docker.io/library/busybox:1.37.0-musl' } }, 'images.registrationShell: unknown key'],
    [
      'BusyBox glibc build',
      { images: { busybox: 'docker.io/library/busybox:1.37.0' } },
      "images.busybox: 'docker.io/library/busybox:1.37.0' must be a static BusyBox build, whose tag ends in '-musl' or '-uclibc'",
    ],
    ['jq image tagged latest', { images: { jq: 'ghcr.io/jqlang/jq:latest' } }, "images.jq: 'ghcr.io/jqlang/jq:latest' must not use the tag 'latest'"],
    ['kubectl image tagged latest', { images: { kubectl: 'registry.k8s.io/kubectl:latest' } }, "images.kubectl: 'registry.k8s.io/kubectl:latest' must not use the tag 'latest'"],
    ['HA on SQLite', { spire: { server: { replicas: 3 } } }, "spire.server.replicas: 3 needs an external datastore (postgres or mysql)"],
    ['no replica', { spire: { server: { replicas: 0 } } }, 'spire.server.replicas: 0 must be a whole number from 1 to 16'],
    ['replicas: .nan (YAML)', { spire: { server: { replicas: Number.NaN } } }, 'spire.server.replicas: NaN must be a whole number from 1 to 16'],
    ['unknown datastore', { spire: { server: { datastore: { type: 'sqlserver' } } } }, "spire.server.datastore.type: 'sqlserver' must be one of 'sqlite', 'postgres', 'mysql'"],
    ['postgres without its Secret', { spire: { server: { datastore: { type: 'postgres' } } } }, 'spire.server.datastore.connectionStringSecret: undefined must name the Secret holding the postgres connection string'],
    ['a Secret for SQLite', { spire: { server: { datastore: { connectionStringSecret: { name: 'db' } } } } }, "spire.server.datastore.connectionStringSecret: 'db' applies only to postgres and mysql"],
    ['"$" in the CA subject with postgres (-expandEnv)', { spire: { server: { caSubject: { organization: 'A$B' }, datastore: { type: 'postgres', connectionStringSecret: { name: 'db' } } } } }, "spire.server.caSubject.organization: 'A$B' must not contain \"$\" with an external datastore"],
    ['a connection string in the config', { spire: { server: { datastore: { type: 'mysql', connectionString: 'root:pw@tcp(db)/spire' } } } }, 'spire.server.datastore.connectionString: unknown key (known keys here: type, connectionStringSecret, caSecret)'],
    ['cluster name not DNS-1123', { clusterName: 'Demo_Cluster' }, "clusterName: 'Demo_Cluster' must be a DNS-1123 label"],
    ['namespace not DNS-1123', { namespaces: { spire: 'spire.system' } }, "namespaces.spire: 'spire.system' must be a DNS-1123 label"],
    ['same namespace twice', { namespaces: { istio: 'spire' } }, "namespaces.istio: 'spire' must differ from namespaces.spire"],
    ['wrong type', { istio: { nativeSidecars: 'yes' } }, "istio.nativeSidecars: 'yes' must be a boolean"],
    ['not a mapping', { spire: ['server'] }, 'spire: ["server"] must be a mapping of keys to values'],
    ['alpha Istio', { istio: { version: '1.14.0-alpha.0' } }, "istio.version: '1.14.0-alpha.0' must be a released version X.Y.Z"],
    ['Istio of a later minor', { istio: { version: '1.31.0' } }, "istio.version: '1.31.0' must be a patch release of Istio 1.30 (1.30.x): the CRDs, the injection template and the IstioOperator and Helm values models are 1.30's"],
    ['Istio of an earlier minor (the demo\'s)', { istio: { version: '1.14.0' } }, "istio.version: '1.14.0' must be a patch release of Istio 1.30 (1.30.x)"],
    ['an Istio that does not exist', { istio: { version: '99.0.0' } }, "istio.version: '99.0.0' must be a patch release of Istio 1.30 (1.30.x)"],
    ['a minor that only starts like 1.30', { istio: { version: '1.300.0' } }, "istio.version: '1.300.0' must be a patch release of Istio 1.30 (1.30.x)"],
    ['Istio hub with a tag', { istio: { hub: 'docker.io/istio:1.30.3' } }, "istio.hub: 'docker.io/istio:1.30.3' must be a registry and repository prefix"],
    ['SVID outlives CA', { spire: { server: { defaultX509SvidTtl: '2h' } } }, "spire.server.defaultX509SvidTtl: '2h' must be shorter than spire.server.caTtl (1h)"],
    ['bad log level', { spire: { agent: { logLevel: 'TRACE' } } }, "spire.agent.logLevel: 'TRACE' must be one of 'DEBUG', 'INFO', 'WARN', 'ERROR'"],
    ['bad PVC size', { spire: { server: { storageSize: '1 GB' } } }, "spire.server.storageSize: '1 GB' must be a Kubernetes quantity: did you mean '1Gi' (gibibytes) or '1G' (gigabytes)?"],
    ['PVC size 0', { spire: { server: { storageSize: '0' } } }, "spire.server.storageSize: '0' is 0 bytes, less than the least allowed (1Mi)"],
    ['PVC size of a thousandth of a byte', { spire: { server: { storageSize: '1m' } } }, "spire.server.storageSize: '1m' is one thousandth of a byte: did you mean '1Mi' (mebibytes) or '1M' (megabytes)?"],
    ['PVC size in GB', { spire: { server: { storageSize: '1GB' } } }, "spire.server.storageSize: '1GB' must be a Kubernetes quantity: did you mean '1Gi' (gibibytes) or '1G' (gigabytes)?"],
    ['PVC size in fractional bytes', { spire: { server: { storageSize: '1.1Gi' } } }, "spire.server.storageSize: '1.1Gi' is 1181116006.4 bytes: a size must be a whole number of bytes"],
    ['PVC size beyond any volume', { spire: { server: { storageSize: '1Ei' } } }, "spire.server.storageSize: '1Ei' is more than the most allowed (64Ti)"],
    ['too many SPIRE servers', { spire: { server: { replicas: 100, datastore: { type: 'postgres', connectionStringSecret: { name: 'db' } } } } }, 'spire.server.replicas: 100 must be a whole number from 1 to 16'],
    ['SPIRE in kube-system', { namespaces: { spire: 'kube-system' } }, "namespaces.spire: 'kube-system' must not be a built-in kube-* namespace"],
    ['Istio in default', { namespaces: { istio: 'default' } }, "namespaces.istio: 'default' must not be 'default'"],
    ['bookinfo in kube-public', { bookinfo: { namespaces: ['default', 'kube-public'] } }, "bookinfo.namespaces[1]: 'kube-public' must not be a built-in kube-* namespace"],
    ['zero CA TTL', { spire: { server: { caTtl: '0m0s' } } }, "spire.server.caTtl: '0m0s' must be longer than zero"],
    ['absurd CA TTL', { spire: { server: { caTtl: '99999999999h' } } }, "spire.server.caTtl: '99999999999h' must be at most 87600h (ten years)"],
    ['trust domain Istio refuses', { trustDomain: 'a_b.org' }, "trustDomain: 'a_b.org' has the label 'a_b', but Istio requires"],
    ['unquoted Istio version', { istio: { version: 1.3 } }, 'istio.version: 1.3 must be a string; put it in quotes, e.g. "1.30.3"'],
    ['huge value', { clusterName: 'x'.repeat(5_000_000) }, '… (5000002 characters) must be a DNS-1123 label'],
    ['huge key', { ['k'.repeat(100_000)]: 1 }, '… (100002 characters): unknown key'],
    ['bookinfo in SPIRE namespace', { bookinfo: { namespaces: ['spire'] } }, "bookinfo.namespaces[0]: 'spire' must not be SPIRE's or Istio's namespace"],
    ['bookinfo namespace twice', { bookinfo: { namespaces: ['team-a', 'team-a'] } }, "bookinfo.namespaces: 'team-a' is listed twice"],
    ['no bookinfo namespace', { bookinfo: { namespaces: [] } }, 'bookinfo.namespaces: [] must list at least one namespace'],
    ['agent priority class not DNS-1123', { spire: { agent: { priorityClassName: 'System-Node-Critical' } } }, "spire.agent.priorityClassName: 'System-Node-Critical' must be a DNS-1123 subdomain"],
    ['CSI driver priority class empty', { spire: { csiDriver: { priorityClassName: '' } } }, "spire.csiDriver.priorityClassName: '' must be a DNS-1123 subdomain"],
    ['tolerations not a list', { spire: { agent: { tolerations: { operator: 'Exists' } } } }, 'spire.agent.tolerations: {"operator":"Exists"} must be a list'],
    ['a toleration that is not a mapping', { spire: { agent: { tolerations: ['Exists'] } } }, "spire.agent.tolerations[0]: 'Exists' must be a mapping with operator"],
    ['an unknown toleration operator', { spire: { agent: { tolerations: [{ operator: 'In' }] } } }, "spire.agent.tolerations[0].operator: 'In' must be one of 'Exists', 'Equal'"],
    ['a toleration without operator', { spire: { csiDriver: { tolerations: [{ key: 'gpu' }] } } }, "spire.csiDriver.tolerations[0].operator: undefined must be 'Exists' or 'Equal'"],
    ['an unknown taint effect', { spire: { csiDriver: { tolerations: [{ operator: 'Exists', effect: 'NoEvict' }] } } }, "spire.csiDriver.tolerations[0].effect: 'NoEvict' must be one of 'NoSchedule', 'PreferNoSchedule', 'NoExecute'"],
    ['Equal without a value', { spire: { agent: { tolerations: [{ key: 'dedicated', operator: 'Equal' }] } } }, "spire.agent.tolerations[0].value: undefined is required with operator 'Equal'"],
    ['Exists with a value', { spire: { agent: { tolerations: [{ key: 'dedicated', operator: 'Exists', value: 'mesh' }] } } }, "spire.agent.tolerations[0].value: 'mesh' must not be set with operator 'Exists'"],
    ['a toleration key that is not a qualified name', { spire: { agent: { tolerations: [{ key: 'gpu node', operator: 'Exists' }] } } }, "spire.agent.tolerations[0].key: 'gpu node' must be a qualified name"],
    ['tolerationSeconds without NoExecute', { spire: { agent: { tolerations: [{ operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 30 }] } } }, "spire.agent.tolerations[0].tolerationSeconds: 30 applies only with effect 'NoExecute'"],
    ['negative tolerationSeconds', { spire: { csiDriver: { tolerations: [{ operator: 'Exists', effect: 'NoExecute', tolerationSeconds: -1 }] } } }, 'spire.csiDriver.tolerations[0].tolerationSeconds: -1 must be a whole number, 0 or more'],
    ['a misspelt toleration field', { spire: { agent: { tolerations: [{ operator: 'Exists', toleration_seconds: 30 }] } } }, 'spire.agent.tolerations[0].toleration_seconds: 30 is not a toleration field'],
    ['an unknown CSI driver key', { spire: { csiDriver: { image: 'ghcr.io/spiffe/spiffe-csi-driver:0.2.12' } } }, 'spire.csiDriver.image: unknown key (known keys here: tolerations, priorityClassName)'],
  ])('%s', (_name, overrides, message) => {
    expect(() => resolveMeshConfig(overrides)).toThrow(ConfigError);
    expect(() => resolveMeshConfig(overrides)).toThrow(message);
  });

  test.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])('the inherited key %s is refused as unknown, at the top and nested', (key) => {
    for (const parsed of [JSON.parse(`{"${key}": {}}`), JSON.parse(`{"spire": {"${key}": {}}}`)]) {
      const error = (() => {
        try {
          resolveMeshConfig(parsed);
        } catch (err) {
          return err as ConfigError;
        }
        throw new Error(`${key} was accepted`);
      })();
      expect(error.problems).toHaveLength(1);
      expect(error.problems[0]).toMatch(new RegExp(`^(spire\\.)?${key}: unknown key \\(known keys here: `));
      expect(error.message).not.toContain('[native code]');
    }
  });

  test('bad tolerations and priority classes of both DaemonSets are reported at once', () => {
    const error = (() => {
      try {
        resolveMeshConfig({
          spire: {
            agent: { tolerations: [{ operator: 'In' }], priorityClassName: 'Bad' },
            csiDriver: { tolerations: [{ operator: 'Exists', value: 'x' }], priorityClassName: 'Bad' },
          },
        });
      } catch (err) {
        return err as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(error.problems.map((p) => p.split(':')[0]).sort()).toEqual(
      ['spire.agent.priorityClassName', 'spire.agent.tolerations[0].operator', 'spire.csiDriver.priorityClassName', 'spire.csiDriver.tolerations[0].value'],
    );
  });

  test('every problem is reported at once', () => {
    const error = (() => {
      try {
        resolveMeshConfig({ trustDomain: 'Bad', clusterName: 'Bad', extra: 1 });
      } catch (err) {
        return err as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(error.problems).toHaveLength(3);
  });
});

describe('loadMeshConfig', () => {
  test(`reads ${DEFAULT_CONFIG_FILE} from the working directory when present`, () => {
    const dir = tempDir('config');
    fs.writeFileSync(path.join(dir, DEFAULT_CONFIG_FILE), 'trustDomain: corp.example\n');
    expect(loadMeshConfig({ cwd: dir, env: {} }).trustDomain).toBe('corp.example');
  });

  test('uses the defaults when no file exists', () => {
    expect(loadMeshConfig({ cwd: tempDir('config'), env: {} })).toEqual(DEFAULT_CONFIG);
  });

  test(`reads the JSON or YAML file named by ${CONFIG_ENV_VAR}`, () => {
    const dir = tempDir('config');
    fs.writeFileSync(path.join(dir, 'mesh.json'), JSON.stringify({ clusterName: 'prod-eu' }));
    expect(loadMeshConfig({ cwd: dir, env: { [CONFIG_ENV_VAR]: 'mesh.json' } }).clusterName).toBe('prod-eu');
  });

  test(`fails when ${CONFIG_ENV_VAR} names a missing file`, () => {
    expect(() => loadMeshConfig({ cwd: tempDir('config'), env: { [CONFIG_ENV_VAR]: 'nope.yaml' } })).toThrow(
      `${CONFIG_ENV_VAR} names 'nope.yaml', which does not exist`,
    );
  });

  test('reads a YAML __proto__ key as an unknown key, not as a prototype', () => {
    const dir = tempDir('config');
    fs.writeFileSync(path.join(dir, DEFAULT_CONFIG_FILE), '__proto__: {}\n');
    expect(() => loadMeshConfig({ cwd: dir, env: {} })).toThrow('__proto__: unknown key');
  });

  test.each<[string, (dir: string) => string, string]>([
    ['an empty string', () => '', `${CONFIG_ENV_VAR} is set but empty`],
    ['a directory', (dir) => dir, 'which is a directory, not a file'],
    ['a dangling symlink', (dir) => {
      fs.symlinkSync(path.join(dir, 'gone.yaml'), path.join(dir, 'link.yaml'));
      return 'link.yaml';
    }, "which is a symbolic link to '"],
  ])(`fails with one message when ${CONFIG_ENV_VAR} names %s`, (_name, named, message) => {
    const dir = tempDir('config');
    expect(() => loadMeshConfig({ cwd: dir, env: { [CONFIG_ENV_VAR]: named(dir) } })).toThrow(message);
  });

  (process.getuid?.() === 0 ? test.skip : test)(`fails with one message when ${CONFIG_ENV_VAR} names an unreadable file`, () => {
    const dir = tempDir('config');
    fs.writeFileSync(path.join(dir, 'secret.yaml'), 'clusterName: x\n', { mode: 0o000 });
    expect(() => loadMeshConfig({ cwd: dir, env: { [CONFIG_ENV_VAR]: 'secret.yaml' } })).toThrow('cannot be read (EACCES)');
  });

  test('reads spire-mesh.config.yml too, and says which file it read', () => {
    const dir = tempDir('config');
    fs.writeFileSync(path.join(dir, 'spire-mesh.config.yml'), 'clusterName: from-yml\n');
    expect(readMeshConfig({ cwd: dir, env: {} })).toMatchObject({ source: 'spire-mesh.config.yml', config: { clusterName: 'from-yml' } });
    expect(readMeshConfig({ cwd: tempDir('config'), env: {} }).source).toBe('defaults');
  });

  test('refuses both spellings at once, and a default file that is a dangling symlink', () => {
    const both = tempDir('config');
    fs.writeFileSync(path.join(both, 'spire-mesh.config.yml'), '{}\n');
    fs.writeFileSync(path.join(both, DEFAULT_CONFIG_FILE), '{}\n');
    expect(() => loadMeshConfig({ cwd: both, env: {} })).toThrow('both spire-mesh.config.yaml and spire-mesh.config.yml exist: keep one');
    const dangling = tempDir('config');
    fs.symlinkSync(path.join(dangling, 'elsewhere.yaml'), path.join(dangling, DEFAULT_CONFIG_FILE));
    expect(() => loadMeshConfig({ cwd: dangling, env: {} })).toThrow(`${DEFAULT_CONFIG_FILE} is a symbolic link to`);
  });

  test('reports a YAML syntax error and a duplicate key with the file name', () => {
    const dir = tempDir('config');
    fs.writeFileSync(path.join(dir, DEFAULT_CONFIG_FILE), 'trustDomain: a\ntrustDomain: b\n');
    expect(() => loadMeshConfig({ cwd: dir, env: {} })).toThrow(/invalid configuration \(spire-mesh.config.yaml\):\n {2}- cannot parse/);
  });
});
