import { parse } from '../support/hcl';
import { find, synthesize } from '../support/synth';

/** Each value that two or more objects must agree on, checked at every place it appears. */
const { charts, mesh } = synthesize();
const spire = charts.get('spire')!;
const ns = 'spire';
const server = find(spire, 'StatefulSet', 'spire-server', ns);
const service = find(spire, 'Service', 'spire-server', ns);
const agent = find(spire, 'DaemonSet', 'spire-agent', ns);
const csi = find(spire, 'DaemonSet', 'spiffe-csi-driver', ns);
const serverPod = server.spec.template.spec;
const agentPod = agent.spec.template.spec;
const csiPod = csi.spec.template.spec;
const container = (pod: any, name: string) => pod.containers.find((c: any) => c.name === name);
const volume = (pod: any, name: string) => pod.volumes.find((v: any) => v.name === name);
const mountOf = (c: any, volumeName: string) => c.volumeMounts.find((m: any) => m.name === volumeName);
/** The volume mounted at `mountPath` in container `c` of `pod`, with its mount. */
function mountedAt(pod: any, c: any, mountPath: string) {
  const mount = c.volumeMounts.find((m: any) => mountPath === m.mountPath || mountPath.startsWith(`${m.mountPath}/`));
  if (!mount) throw new Error(`nothing mounted at ${mountPath} in ${c.name}`);
  return { mount, volume: volume(pod, mount.name), rest: mountPath.slice(mount.mountPath.length + 1) };
}
const arg = (c: any, flag: string) => c.args[c.args.indexOf(flag) + 1];

let serverConf: any;
let agentConf: any;
beforeAll(async () => {
  serverConf = await parse('server.conf', find(spire, 'ConfigMap', 'spire-server', ns).data['server.conf']);
  agentConf = await parse('agent.conf', find(spire, 'ConfigMap', 'spire-agent', ns).data['agent.conf']);
});
const psat = () => serverConf.plugins[0].NodeAttestor.k8s_psat[0].plugin_data[0].clusters;
const k8sbundle = () => serverConf.plugins[0].Notifier.k8sbundle[0].plugin_data[0];
const agentSection = () => agentConf.agent[0];

test('agent socket dir ↔ CSI driver -workload-api-socket-dir ↔ the shared hostPath', () => {
  // The agent's socket_path lies in a hostPath volume …
  const agentSide = mountedAt(agentPod, container(agentPod, 'spire-agent'), agentSection().socket_path);
  expect(agentSide.rest).toBe('socket');
  expect(agentSide.rest).toBe(mesh.spire.csiDriver.socketFileName);
  // … the CSI driver's -workload-api-socket-dir is a hostPath volume …
  const driver = container(csiPod, 'spiffe-csi-driver');
  const csiSide = mountedAt(csiPod, driver, arg(driver, '-workload-api-socket-dir'));
  expect(csiSide.rest).toBe('');
  // … and both are the same node directory.
  expect(agentSide.volume.hostPath.path).toBe(mesh.spire.agent.socketHostDir);
  expect(csiSide.volume.hostPath.path).toBe(agentSide.volume.hostPath.path);
});

test('CSI driver socket ↔ registrar -csi-address ↔ kubelet registration path', () => {
  const driver = container(csiPod, 'spiffe-csi-driver');
  const registrar = container(csiPod, 'node-driver-registrar');
  const driverSocket = mountedAt(csiPod, driver, arg(driver, '-csi-socket-path'));
  const registrarSocket = mountedAt(csiPod, registrar, arg(registrar, '-csi-address'));
  expect(registrarSocket.volume.name).toBe(driverSocket.volume.name);
  expect(registrarSocket.rest).toBe(driverSocket.rest);
  expect(arg(registrar, '-kubelet-registration-path')).toBe(`${driverSocket.volume.hostPath.path}/${driverSocket.rest}`);
  expect(arg(driver, '-plugin-name')).toBe(find(spire, 'CSIDriver', 'csi.spiffe.io').metadata.name);
  expect(mesh.spire.csiDriver.driverName).toBe('csi.spiffe.io');
});

test('server bind port ↔ container port ↔ Service port ↔ agent server_port', () => {
  const bindPort = Number(serverConf.server[0].bind_port);
  const grpc = container(serverPod, 'spire-server').ports.find((p: any) => p.name === 'grpc');
  expect(grpc.containerPort).toBe(bindPort);
  expect(service.spec.ports).toEqual([expect.objectContaining({ name: 'grpc', port: bindPort, targetPort: bindPort })]);
  expect(Number(agentSection().server_port)).toBe(bindPort);
});

test('server Service DNS name ↔ agent server_address, and the Service selects the server pod', () => {
  expect(agentSection().server_address).toBe(`${service.metadata.name}.${service.metadata.namespace}.svc`);
  expect(server.spec.template.metadata.labels).toEqual(expect.objectContaining(service.spec.selector));
});

test('trust domain is the same in both configs', () => {
  expect(serverConf.server[0].trust_domain).toBe('example.org');
  expect(agentSection().trust_domain).toBe(serverConf.server[0].trust_domain);
});

test("k8s_psat cluster and allow list ↔ the agent's cluster name, namespace and service account", () => {
  expect(Object.keys(psat())).toEqual([agentConf.plugins[0].NodeAttestor.k8s_psat[0].plugin_data[0].cluster]);
  expect(psat()['demo-cluster'].service_account_allow_list).toEqual([`${agent.metadata.namespace}:${agentPod.serviceAccountName}`]);
  expect(find(spire, 'ServiceAccount', agentPod.serviceAccountName, ns)).toBeDefined();
});

test("the agent's projected token audience ↔ k8s_psat audience, and token_path ↔ the token's mount", () => {
  const tokenPath = agentConf.plugins[0].NodeAttestor.k8s_psat[0].plugin_data[0].token_path;
  const { volume: tokenVolume, rest } = mountedAt(agentPod, container(agentPod, 'spire-agent'), tokenPath);
  const token = tokenVolume.projected.sources[0].serviceAccountToken;
  expect(token.path).toBe(rest);
  expect(psat()['demo-cluster'].audience).toEqual([token.audience]);
});

test('bundle ConfigMap name and key ↔ server k8sbundle ↔ agent mount and trust_bundle_path ↔ server RBAC', () => {
  const bundle = find(spire, 'ConfigMap', k8sbundle().config_map, ns);
  expect(k8sbundle().namespace).toBe(bundle.metadata.namespace);
  // The agent mounts that key of that ConfigMap at its trust_bundle_path.
  const { volume: bundleVolume, rest } = mountedAt(agentPod, container(agentPod, 'spire-agent'), agentSection().trust_bundle_path);
  expect(bundleVolume.configMap).toEqual({ name: bundle.metadata.name, items: [{ key: k8sbundle().config_map_key, path: rest }] });
  // The server may get and patch exactly that ConfigMap, through a binding to its own ServiceAccount.
  const role = find(spire, 'Role', 'spire-server-bundle', ns);
  expect(role.rules).toEqual([{ apiGroups: [''], resources: ['configmaps'], resourceNames: [bundle.metadata.name], verbs: ['get', 'patch'] }]);
  const binding = find(spire, 'RoleBinding', 'spire-server-bundle', ns);
  expect(binding.roleRef).toEqual(expect.objectContaining({ kind: 'Role', name: role.metadata.name }));
  expect(binding.subjects).toEqual([expect.objectContaining({ kind: 'ServiceAccount', name: serverPod.serviceAccountName, namespace: ns })]);
});

test('config files ↔ the ConfigMaps the pods mount ↔ -config', () => {
  for (const [pod, name, file] of [[serverPod, 'spire-server', 'server.conf'], [agentPod, 'spire-agent', 'agent.conf']] as const) {
    const c = container(pod, name);
    const { volume: configVolume, rest } = mountedAt(pod, c, arg(c, '-config'));
    expect(configVolume.configMap.name).toBe(name);
    expect(rest).toBe(file);
  }
});

test('health ports and paths in each config ↔ the probes', () => {
  for (const [pod, name, conf] of [[serverPod, 'spire-server', () => serverConf], [agentPod, 'spire-agent', () => agentConf]] as const) {
    const c = container(pod, name);
    const health = conf().health_checks[0];
    const port = c.ports.find((p: any) => p.name === c.livenessProbe.httpGet.port);
    expect(port.containerPort).toBe(Number(health.bind_port));
    expect(c.readinessProbe.httpGet.port).toBe(port.name);
    expect(c.livenessProbe.httpGet.path).toBe(health.live_path);
    expect(c.readinessProbe.httpGet.path).toBe(health.ready_path);
  }
});

test("server data_dir, sqlite file and keys ↔ the PVC's mount; admin socket ↔ an emptyDir", () => {
  const c = container(serverPod, 'spire-server');
  const plugins = serverConf.plugins[0];
  for (const file of [
    serverConf.server[0].data_dir,
    plugins.DataStore.sql[0].plugin_data[0].connection_string,
    plugins.KeyManager.disk[0].plugin_data[0].keys_path,
  ]) {
    const { mount } = mountedAt(serverPod, c, file);
    expect(server.spec.volumeClaimTemplates.map((t: any) => t.metadata.name)).toContain(mount.name);
  }
  const socket = mountedAt(serverPod, c, serverConf.server[0].socket_path);
  expect(socket.volume.emptyDir).toEqual({});
  expect(mesh.spire.server.adminSocketPath).toBe(serverConf.server[0].socket_path);
});

test('the admin contract points at the real pods, container and binary', () => {
  const admin = mesh.spire.server;
  expect(admin.podNames).toEqual([`${server.metadata.name}-0`]);
  expect(server.spec.selector.matchLabels).toEqual(admin.selector);
  expect(service.spec.selector).toEqual(admin.selector);
  expect(admin.namespace).toBe(server.metadata.namespace);
  expect(container(serverPod, admin.containerName)).toBeDefined();
  expect(admin.binaryPath).toBe('/opt/spire/bin/spire-server');
  expect(server.spec.replicas).toBe(1);
});

test('the agent attestation contract names the agent pods’ identity', () => {
  const attestation = mesh.spire.agent;
  expect(attestation.namespace).toBe(agent.metadata.namespace);
  expect(attestation.serviceAccountName).toBe(agentPod.serviceAccountName);
  expect(attestation.clusterName).toBe(agentConf.plugins[0].NodeAttestor.k8s_psat[0].plugin_data[0].cluster);
});

test('every mount names a volume of its pod', () => {
  for (const pod of [serverPod, agentPod, csiPod]) {
    for (const c of pod.containers) {
      for (const m of c.volumeMounts) {
        expect(volume(pod, m.name) ?? server.spec.volumeClaimTemplates.find((t: any) => t.metadata.name === m.name)).toBeDefined();
      }
    }
  }
  expect(mountOf(container(agentPod, 'spire-agent'), 'spire-token').readOnly).toBe(true);
});
