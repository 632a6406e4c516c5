import * as path from 'path';
import { parse } from './support/hcl';
import * as YAML from 'yaml';
import { find, registeredEntries, synthesize, SynthesizedMesh } from './support/synth';

/**
 * Cross-part wiring, read from the synthesized manifests rather than from construct fields:
 * each value one part names and another must match is checked on both sides, as the
 * cluster will see them.
 */

type Conf = Record<string, any>;

async function conf(mesh: SynthesizedMesh, configMap: string, key: string): Promise<Conf> {
  const cm = find(mesh.charts.get('spire')!, 'ConfigMap', configMap, mesh.config.namespaces.spire);
  return parse(key, cm.data[key]);
}

function operatorOf(mesh: SynthesizedMesh) {
  return find(mesh.charts.get('istio-operator')!, 'IstioOperator', 'spire-mesh', mesh.config.namespaces.istio);
}

function spireTemplate(mesh: SynthesizedMesh): any {
  return YAML.parse(operatorOf(mesh).spec.values.sidecarInjectorWebhook.templates.spire);
}

function entries(mesh: SynthesizedMesh): Array<{ spiffe_id: string; parent_id: string; selectors: Array<{ type: string; value: string }> }> {
  return registeredEntries(mesh.charts.get('registration')!);
}

describe.each([
  ['the default mesh', {}],
  [
    'a customised mesh',
    {
      trustDomain: 'corp.example',
      clusterName: 'prod-eu-1',
      namespaces: { spire: 'identity', istio: 'mesh-system' },
      istio: { nativeSidecars: false },
      bookinfo: { namespaces: ['team-a', 'team-b'] },
    },
  ],
])('%s', (_name, overrides) => {
  const mesh = synthesize(overrides);
  const spireObjects = mesh.charts.get('spire')!;
  const agentDs = find(spireObjects, 'DaemonSet', 'spire-agent', mesh.config.namespaces.spire);
  const csiDs = find(spireObjects, 'DaemonSet', 'spiffe-csi-driver', mesh.config.namespaces.spire);

  test('Istio mounts the CSI driver SPIRE registers, and the agent socket is the file Istio looks for', async () => {
    const csiDriver = spireObjects.find((o) => o.kind === 'CSIDriver')!;
    const template = spireTemplate(mesh);
    const proxyList = mesh.config.istio.nativeSidecars ? template.spec.initContainers : template.spec.containers;
    const proxy = proxyList.find((c: { name: string }) => c.name === 'istio-proxy');
    const mount = proxy.volumeMounts[0];
    const volume = template.spec.volumes.find((v: { name: string }) => v.name === mount.name);
    expect(volume.csi.driver).toBe(csiDriver.metadata.name);

    // The agent writes <hostPath dir>/socket; the CSI driver serves that same host directory.
    const agentConf = await conf(mesh, 'spire-agent', 'agent.conf');
    const socketPath: string = agentConf.agent[0].socket_path;
    const agentPod = agentDs.spec.template.spec;
    const agentMount = agentPod.containers[0].volumeMounts.find((m: { mountPath: string }) => m.mountPath === path.posix.dirname(socketPath));
    const hostDir = agentPod.volumes.find((v: { name: string }) => v.name === agentMount.name).hostPath.path;
    const csiPod = csiDs.spec.template.spec;
    const driver = csiPod.containers.find((c: { args: string[] }) => c.args.includes('-workload-api-socket-dir'));
    const servedDir = driver.args[driver.args.indexOf('-workload-api-socket-dir') + 1];
    const servedMount = driver.volumeMounts.find((m: { mountPath: string }) => m.mountPath === servedDir);
    expect(csiPod.volumes.find((v: { name: string }) => v.name === servedMount.name).hostPath.path).toBe(hostDir);
    // Istio's proxy opens `<mount>/socket`: the agent's socket must carry exactly that file name.
    expect(path.posix.basename(socketPath)).toBe('socket');
    expect(mount.mountPath).toBe('/var/run/secrets/workload-spiffe-uds');
  });

  test('the ingress gateway mounts the same CSI volume into istio-proxy', () => {
    const csiDriver = spireObjects.find((o) => o.kind === 'CSIDriver')!;
    const gateway = operatorOf(mesh).spec.components.ingressGateways[0];
    const patches = gateway.k8s.overlays[0].patches;
    const volume = patches.find((p: { path: string }) => p.path.startsWith('spec.template.spec.volumes')).value;
    const mount = patches.find((p: { path: string }) => p.path.includes('[name:istio-proxy].volumeMounts')).value;
    expect(volume.csi.driver).toBe(csiDriver.metadata.name);
    expect(mount.name).toBe(volume.name);
    const template = spireTemplate(mesh);
    const proxies = [...(template.spec.initContainers ?? []), ...(template.spec.containers ?? [])];
    expect(mount.mountPath).toBe(proxies[0].volumeMounts[0].mountPath);
  });

  test('SPIRE server, agent, Istio and every entry share one trust domain', async () => {
    const td = mesh.config.trustDomain;
    expect((await conf(mesh, 'spire-server', 'server.conf')).server[0].trust_domain).toBe(td);
    expect((await conf(mesh, 'spire-agent', 'agent.conf')).agent[0].trust_domain).toBe(td);
    expect(operatorOf(mesh).spec.meshConfig.trustDomain).toBe(td);
    for (const entry of entries(mesh)) expect(entry.spiffe_id.startsWith(`spiffe://${td}/`)).toBe(true);
  });

  test('the node alias selects exactly the agents the server attests', async () => {
    const agentConf = await conf(mesh, 'spire-agent', 'agent.conf');
    const cluster = agentConf.plugins[0].NodeAttestor.k8s_psat[0].plugin_data[0].cluster;
    const all = entries(mesh);
    const alias = all.find((e) => e.parent_id.endsWith('/spire/server'))!;
    expect(alias.selectors).toEqual([
      { type: 'k8s_psat', value: `cluster:${cluster}` },
      { type: 'k8s_psat', value: `agent_ns:${agentDs.metadata.namespace}` },
      { type: 'k8s_psat', value: `agent_sa:${agentDs.spec.template.spec.serviceAccountName}` },
    ]);
    const workloadEntries = all.filter((e) => e !== alias);
    expect(workloadEntries.length).toBeGreaterThan(0);
    for (const entry of workloadEntries) expect(entry.parent_id).toBe(alias.spiffe_id);
  });

  test('every meshed pod requests the SPIRE template and has an entry whose selectors it satisfies', () => {
    const templates = Object.keys(operatorOf(mesh).spec.values.sidecarInjectorWebhook.templates);
    const workloads = [...mesh.charts.entries()].filter(([id]) => id.startsWith('bookinfo-')).flatMap(([, objs]) => objs);
    const deployments = workloads.filter((o) => o.kind === 'Deployment') as Array<Record<string, any>>;
    expect(deployments).toHaveLength(6 * mesh.config.bookinfo.namespaces.length);
    for (const d of deployments) {
      const pod = d.spec.template;
      const requested = pod.metadata.annotations['inject.istio.io/templates'].split(',');
      expect(requested).toEqual(['sidecar', ...templates]);
      const ns = d.metadata.namespace;
      const sa = pod.spec.serviceAccountName;
      const entry = entries(mesh).find((e) => e.spiffe_id === `spiffe://${mesh.config.trustDomain}/ns/${ns}/sa/${sa}`);
      expect(entry).toBeDefined();
      for (const { type, value } of entry!.selectors) {
        expect(type).toBe('k8s');
        const [kind, ...rest] = value.split(':');
        if (kind === 'ns') expect(rest.join(':')).toBe(ns);
        else if (kind === 'sa') expect(rest.join(':')).toBe(sa);
        else if (kind === 'pod-label') expect(pod.metadata.labels[rest[0]]).toBe(rest.slice(1).join(':'));
        else throw new Error(`selector ${type}:${value} is not checked by this test`);
      }
    }
  });

  test("the gateway's Gateways select the gateway pods Istio installs, and its service account has an entry", () => {
    const gateway = operatorOf(mesh).spec.components.ingressGateways[0];
    const gatewaysObjs = [...mesh.charts.entries()].filter(([id]) => id.startsWith('bookinfo-')).flatMap(([, objs]) => objs).filter((o) => o.kind === 'Gateway');
    expect(gatewaysObjs.length).toBeGreaterThan(0);
    for (const g of gatewaysObjs as Array<Record<string, any>>) expect(g.spec.selector).toEqual(gateway.label);
    const ids = entries(mesh).map((e) => e.spiffe_id);
    expect(ids).toContain(`spiffe://${mesh.config.trustDomain}/ns/${mesh.config.namespaces.istio}/sa/istio-ingressgateway-service-account`);
  });

  test("enable-mtls names the gateway's Service as istioctl installs it, on the Service port of the Gateway's ISTIO_MUTUAL server", () => {
    const gateway = operatorOf(mesh).spec.components.ingressGateways[0];
    const bookinfoObjs = [...mesh.charts.entries()].filter(([id]) => id.startsWith('bookinfo-')).flatMap(([, objs]) => objs) as Array<Record<string, any>>;
    const rules = bookinfoObjs.filter((o) => o.kind === 'DestinationRule');
    expect(rules.length).toBeGreaterThan(0);
    const mtlsServer = bookinfoObjs.find((o) => o.kind === 'Gateway' && o.metadata.name === 'bookinfo-gateway-mtls')!.spec.servers[0];
    // A client calls the Service port; Istio matches the DestinationRule's port on it. The Service forwards it to the server's port.
    const servicePort = gateway.k8s.service.ports.find((p: { targetPort: number }) => p.targetPort === mtlsServer.port.number);
    for (const rule of rules) {
      // istioctl installs a component without a namespace of its own into the IstioOperator's.
      expect(rule.spec.host).toBe(`${gateway.name}.${gateway.namespace ?? operatorOf(mesh).metadata.namespace}.svc.cluster.local`);
      expect(rule.spec.trafficPolicy.portLevelSettings.map((s: { port: { number: number } }) => s.port.number)).toEqual([servicePort.port]);
    }
  });

  test('the registration Job execs into a pod the server selector matches, its container, on the socket server.conf names', async () => {
    const registration = mesh.charts.get('registration')!;
    const sts = find(spireObjects, 'StatefulSet', 'spire-server', mesh.config.namespaces.spire);
    const job = registration.find((o) => o.kind === 'Job') as Record<string, any>;
    const env = Object.fromEntries(job.spec.template.spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(env.SERVER_NAMESPACE).toBe(sts.metadata.namespace);
    const labels = sts.spec.template.metadata.labels;
    expect(env.SERVER_SELECTOR.split(',').map((kv: string) => kv.split('='))).toEqual(Object.entries(sts.spec.selector.matchLabels));
    for (const [k, v] of Object.entries(sts.spec.selector.matchLabels)) expect(labels[k]).toBe(v);
    const container = sts.spec.template.spec.containers.find((c: { name: string }) => c.name === env.SERVER_CONTAINER);
    expect(container).toBeDefined();
    const socket = (await conf(mesh, 'spire-server', 'server.conf')).server[0].socket_path;
    expect(env.SERVER_SOCKET).toBe(socket);
    const mount = container.volumeMounts.find((m: { mountPath: string }) => m.mountPath === path.posix.dirname(socket));
    expect(sts.spec.template.spec.volumes.find((v: { name: string }) => v.name === mount.name)).toHaveProperty('emptyDir');
    // The grant names exactly the StatefulSet's pods, <name>-<ordinal>.
    const role = find(registration, 'Role', 'spire-registration-spire-server-exec', mesh.config.namespaces.spire);
    const pods = Array.from({ length: sts.spec.replicas }, (_, i) => `${sts.metadata.name}-${i}`);
    for (const rule of role.rules.filter((r: { verbs: string[] }) => !r.verbs.includes('list'))) expect(rule.resourceNames).toEqual(pods);
  });
});
