import * as path from 'path';
import * as YAML from 'yaml';
import { Mesh } from '../composition-root';
import { registeredEntries, DeclaredEntry } from './entries';
import { meshManifests } from './manifests';
import { Manifest } from './schema';

type Obj = Manifest & Record<string, any>;

/**
 * The one value of `key = "…"` in a SPIRE conf as synth renders it (one attribute a line); the
 * full HCL round trip is the project's own test (conf.test.ts), this only reads the wiring values.
 */
function confString(text: string, key: string): string | undefined {
  const values = [...text.matchAll(new RegExp(`^\\s*${key} = "([^"]*)"$`, 'gm'))].map((m) => m[1]);
  return values.length === 1 ? values[0] : undefined;
}

/** Collects problems of one check: a check that cannot find what it reads says so instead of crashing. */
class Problems {
  readonly lines: string[] = [];
  expect(ok: boolean, what: string): void {
    if (!ok) this.lines.push(what);
  }
  check(name: string, body: () => void): void {
    try {
      body();
    } catch (err) {
      this.lines.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

function one(objects: readonly Obj[], kind: string, name: string, namespace: string): Obj {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === namespace);
  if (found.length !== 1) throw new Error(`expected one ${kind} '${name}' in '${namespace}', found ${found.length}`);
  return found[0];
}

const eq = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The wiring between the mesh's parts, read from the synthesized manifests as the cluster sees
 * them (not from construct fields): each value one part names and another must match, checked on
 * both sides. Your own services are workloads like bookinfo's, so a chart of yours that adds a
 * workload the agents cannot serve, or a Gateway the ingress pods do not run, shows up here.
 *
 * - the CSI driver SPIRE registers is the one Istio's injection template and the ingress gateway
 *   mount, and the agent's socket is the file Istio's proxy opens, in the host directory the
 *   CSI driver serves;
 * - SPIRE server, agents, Istio and every registration entry share one trust domain;
 * - the node alias selects exactly the agents the server attests, and is every workload entry's parent;
 * - every workload (Deployment, StatefulSet) outside SPIRE's and Istio's namespaces requests the
 *   SPIRE injection template and has an entry whose selectors its pod satisfies;
 * - every Gateway selects the ingress gateway's pods, whose service account has an entry, and a
 *   DestinationRule for the gateway names its Service and the port of an ISTIO_MUTUAL server;
 * - the registration Job execs into the server's pods, container and admin socket, and its Role
 *   grants exactly those pods.
 *
 * ```ts
 * expect(wiringProblems(mesh)).toEqual([]);
 * ```
 * @returns one line per broken pair, naming both sides; empty when everything is wired
 */
export function wiringProblems(mesh: Mesh): string[] {
  const problems = new Problems();
  const all = meshManifests(mesh) as Obj[];
  const spireNs = mesh.config.namespaces.spire;
  const istioNs = mesh.config.namespaces.istio;
  const td = mesh.config.trustDomain;
  const of = (kind: string) => all.filter((o) => o.kind === kind);

  let entries: DeclaredEntry[] = [];
  problems.check('registration entries', () => {
    entries = registeredEntries(all);
  });
  const serverConf = (): string => one(all, 'ConfigMap', 'spire-server', spireNs).data['server.conf'];
  const agentConf = (): string => one(all, 'ConfigMap', 'spire-agent', spireNs).data['agent.conf'];
  const operator = (): Obj => {
    const found = of('IstioOperator');
    if (found.length !== 1) throw new Error(`expected one IstioOperator, found ${found.length}`);
    return found[0];
  };
  const templateProxyMount = (): { name: string; mountPath: string; volume: Obj } => {
    const template = YAML.parse(operator().spec.values.sidecarInjectorWebhook.templates.spire);
    const proxy = [...(template.spec.initContainers ?? []), ...(template.spec.containers ?? [])].find((c: Obj) => c.name === 'istio-proxy');
    if (!proxy) throw new Error("the SPIRE injection template has no 'istio-proxy' container");
    const mount = proxy.volumeMounts[0];
    return { ...mount, volume: template.spec.volumes.find((v: Obj) => v.name === mount.name) };
  };
  const csiDriverName = (): string => {
    const drivers = of('CSIDriver');
    if (drivers.length !== 1) throw new Error(`expected one CSIDriver, found ${drivers.length}`);
    return drivers[0].metadata.name;
  };

  problems.check('socket path', () => {
    const mount = templateProxyMount();
    const driver = csiDriverName();
    problems.expect(mount.volume?.csi?.driver === driver, `socket path: the injection template's proxy volume uses CSI driver '${mount.volume?.csi?.driver}', SPIRE registers '${driver}'`);
    const socketPath = confString(agentConf(), 'socket_path') ?? '';
    const agentPod = one(all, 'DaemonSet', 'spire-agent', spireNs).spec.template.spec;
    const agentMount = agentPod.containers[0].volumeMounts.find((m: Obj) => m.mountPath === path.posix.dirname(socketPath));
    const hostDir = agentPod.volumes.find((v: Obj) => v.name === agentMount?.name)?.hostPath?.path;
    const csiPod = one(all, 'DaemonSet', 'spiffe-csi-driver', spireNs).spec.template.spec;
    const csi = csiPod.containers.find((c: Obj) => (c.args ?? []).includes('-workload-api-socket-dir'));
    const servedDir = csi?.args[csi.args.indexOf('-workload-api-socket-dir') + 1];
    const servedMount = csi?.volumeMounts.find((m: Obj) => m.mountPath === servedDir);
    const servedHostDir = csiPod.volumes.find((v: Obj) => v.name === servedMount?.name)?.hostPath?.path;
    problems.expect(hostDir !== undefined && servedHostDir === hostDir, `socket path: the agent writes '${socketPath}' in host directory '${hostDir}', the CSI driver serves '${servedHostDir}'`);
    problems.expect(path.posix.basename(socketPath) === 'socket', `socket path: agent.conf socket_path '${socketPath}' is not the file 'socket' Istio's proxy opens`);
    problems.expect(mount.mountPath === '/var/run/secrets/workload-spiffe-uds', `socket path: the proxy mounts the socket at '${mount.mountPath}', Istio reads /var/run/secrets/workload-spiffe-uds`);
  });

  const gateway = (): Obj | undefined => operator().spec.components?.ingressGateways?.[0];
  problems.check('ingress gateway socket', () => {
    const gw = gateway();
    if (!gw) return;
    const patches = gw.k8s.overlays[0].patches;
    const volume = patches.find((p: Obj) => p.path.startsWith('spec.template.spec.volumes'))?.value;
    const mount = patches.find((p: Obj) => p.path.includes('[name:istio-proxy].volumeMounts'))?.value;
    const driver = csiDriverName();
    problems.expect(volume?.csi?.driver === driver, `ingress gateway: its volume uses CSI driver '${volume?.csi?.driver}', SPIRE registers '${driver}'`);
    problems.expect(mount?.name === volume?.name, `ingress gateway: istio-proxy mounts volume '${mount?.name}', the overlay adds '${volume?.name}'`);
    const expected = templateProxyMount().mountPath;
    problems.expect(mount?.mountPath === expected, `ingress gateway: istio-proxy mounts the socket at '${mount?.mountPath}', the injection template at '${expected}'`);
  });

  problems.check('trust domain', () => {
    const server = confString(serverConf(), 'trust_domain');
    const agent = confString(agentConf(), 'trust_domain');
    const istio = operator().spec.meshConfig?.trustDomain;
    for (const [part, value] of [['server.conf', server], ['agent.conf', agent], ["the IstioOperator's meshConfig", istio]]) {
      problems.expect(value === td, `trust domain: ${part} has '${value}', the mesh '${td}'`);
    }
    for (const e of entries) problems.expect(e.spiffe_id.startsWith(`spiffe://${td}/`), `trust domain: entry ${e.spiffe_id} is not in '${td}'`);
  });

  problems.check('node alias', () => {
    const agentDs = one(all, 'DaemonSet', 'spire-agent', spireNs);
    const cluster = confString(agentConf(), 'cluster');
    const aliases = entries.filter((e) => e.parent_id.endsWith('/spire/server'));
    if (aliases.length !== 1) throw new Error(`expected one entry whose parent is the server (the node alias), found ${aliases.length}`);
    const [alias] = aliases;
    const expected = [
      { type: 'k8s_psat', value: `cluster:${cluster}` },
      { type: 'k8s_psat', value: `agent_ns:${agentDs.metadata.namespace}` },
      { type: 'k8s_psat', value: `agent_sa:${agentDs.spec.template.spec.serviceAccountName}` },
    ];
    problems.expect(eq(alias.selectors, expected), `node alias: selectors ${JSON.stringify(alias.selectors)}, the attested agents are ${JSON.stringify(expected)}`);
    for (const e of entries.filter((x) => x !== alias)) {
      problems.expect(e.parent_id === alias.spiffe_id, `node alias: entry ${e.spiffe_id} has parent ${e.parent_id}, not the node alias ${alias.spiffe_id}`);
    }
  });

  problems.check('workload entries', () => {
    const templates = Object.keys(operator().spec.values.sidecarInjectorWebhook.templates);
    const workloads = all.filter((o) => ['Deployment', 'StatefulSet'].includes(o.kind) && ![spireNs, istioNs].includes(o.metadata.namespace ?? 'default'));
    for (const w of workloads) {
      const label = `${w.kind} ${w.metadata.namespace ?? 'default'}/${w.metadata.name}`;
      const pod = w.spec.template;
      const requested = (pod.metadata?.annotations?.['inject.istio.io/templates'] ?? '').split(',');
      problems.expect(eq(requested, ['sidecar', ...templates]), `workload ${label}: requests injection templates '${requested.join(',')}', the mesh's are 'sidecar,${templates.join(',')}'`);
      const ns = w.metadata.namespace ?? 'default';
      const sa = pod.spec.serviceAccountName;
      const id = `spiffe://${td}/ns/${ns}/sa/${sa}`;
      const entry = entries.find((e) => e.spiffe_id === id);
      if (!entry) {
        problems.expect(false, `workload ${label}: no registration entry for its identity ${id}`);
        continue;
      }
      for (const { type, value } of entry.selectors) {
        const [kind, ...rest] = value.split(':');
        const ok =
          type === 'k8s' &&
          ((kind === 'ns' && rest.join(':') === ns) ||
            (kind === 'sa' && rest.join(':') === sa) ||
            (kind === 'pod-label' && pod.metadata.labels?.[rest[0]] === rest.slice(1).join(':')));
        problems.expect(ok, `workload ${label}: entry ${id} has selector ${type}:${value}, which its pod does not satisfy`);
      }
    }
  });

  problems.check('ingress gateway', () => {
    const gw = gateway();
    if (!gw) return;
    for (const g of of('Gateway')) {
      problems.expect(eq(g.spec.selector, gw.label), `ingress gateway: Gateway ${g.metadata.namespace}/${g.metadata.name} selects ${JSON.stringify(g.spec.selector)}, the gateway pods are ${JSON.stringify(gw.label)}`);
    }
    const id = `spiffe://${td}/ns/${istioNs}/sa/istio-ingressgateway-service-account`;
    problems.expect(entries.some((e) => e.spiffe_id === id), `ingress gateway: no registration entry for its identity ${id}`);
    const host = `${gw.name}.${gw.namespace ?? operator().metadata.namespace}.svc.cluster.local`;
    const mtlsPorts = of('Gateway').flatMap((g) => g.spec.servers.filter((s: Obj) => s.tls?.mode === 'ISTIO_MUTUAL').map((s: Obj) => s.port.number));
    const servicePorts = gw.k8s.service.ports.filter((p: Obj) => mtlsPorts.includes(p.targetPort)).map((p: Obj) => p.port);
    for (const rule of of('DestinationRule').filter((r) => String(r.spec.host).startsWith(`${gw.name}.`))) {
      const label = `DestinationRule ${rule.metadata.namespace}/${rule.metadata.name}`;
      problems.expect(rule.spec.host === host, `ingress gateway: ${label} names host '${rule.spec.host}', istioctl installs the gateway's Service as '${host}'`);
      const ports = (rule.spec.trafficPolicy?.portLevelSettings ?? []).map((s: Obj) => s.port.number);
      problems.expect(ports.length > 0 && ports.every((p: number) => servicePorts.includes(p)), `ingress gateway: ${label} sets ports ${JSON.stringify(ports)}, the Service ports of ISTIO_MUTUAL servers are ${JSON.stringify(servicePorts)}`);
    }
  });

  problems.check('registration Job', () => {
    const sts = one(all, 'StatefulSet', 'spire-server', spireNs);
    const jobs = all.filter((o) => o.kind === 'Job' && o.metadata.name.startsWith('spire-registration-'));
    if (jobs.length !== 1) throw new Error(`expected one registration Job, found ${jobs.length}`);
    const env = Object.fromEntries(jobs[0].spec.template.spec.containers[0].env.map((e: Obj) => [e.name, e.value]));
    problems.expect(env.SERVER_NAMESPACE === sts.metadata.namespace, `registration Job: SERVER_NAMESPACE '${env.SERVER_NAMESPACE}', the server runs in '${sts.metadata.namespace}'`);
    const selector = Object.fromEntries(String(env.SERVER_SELECTOR).split(',').map((kv) => kv.split('=')));
    problems.expect(eq(selector, sts.spec.selector.matchLabels), `registration Job: SERVER_SELECTOR '${env.SERVER_SELECTOR}', the server's selector is ${JSON.stringify(sts.spec.selector.matchLabels)}`);
    for (const [k, v] of Object.entries(sts.spec.selector.matchLabels)) {
      problems.expect(sts.spec.template.metadata.labels?.[k] === v, `registration Job: the server's pods lack the label ${k}=${v} its selector names`);
    }
    const container = sts.spec.template.spec.containers.find((c: Obj) => c.name === env.SERVER_CONTAINER);
    problems.expect(container !== undefined, `registration Job: SERVER_CONTAINER '${env.SERVER_CONTAINER}' is no container of the server`);
    const socket = confString(serverConf(), 'socket_path');
    problems.expect(env.SERVER_SOCKET === socket, `registration Job: SERVER_SOCKET '${env.SERVER_SOCKET}', server.conf's socket_path is '${socket}'`);
    const mount = container?.volumeMounts?.find((m: Obj) => m.mountPath === path.posix.dirname(socket ?? ''));
    const volume = sts.spec.template.spec.volumes.find((v: Obj) => v.name === mount?.name);
    problems.expect(volume?.emptyDir !== undefined, `registration Job: the server's socket directory '${path.posix.dirname(socket ?? '')}' is not an emptyDir of its pod`);
    const role = one(all, 'Role', 'spire-registration-spire-server-exec', spireNs);
    const pods = Array.from({ length: sts.spec.replicas }, (_, i) => `${sts.metadata.name}-${i}`);
    for (const rule of role.rules.filter((r: Obj) => !r.verbs.includes('list'))) {
      problems.expect(eq(rule.resourceNames, pods), `registration Job: its Role grants ${JSON.stringify(rule.resourceNames)}, the server's pods are ${JSON.stringify(pods)}`);
    }
  });

  return problems.lines;
}
