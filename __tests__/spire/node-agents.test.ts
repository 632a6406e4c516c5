import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-25';
import { DEFAULT_CONFIG } from '../../lib/config/mesh-config';
import { SpiffeCsiDriver, SpiffeCsiDriverProps } from '../../lib/spire/csi-driver';
import { SpireAgent, SpireAgentProps } from '../../lib/spire/agent';
import { SpireAgentIdentity } from '../../lib/spire/agent-identity';
import { SpireServer } from '../../lib/spire/server';
import { find, synthesize } from '../support/synth';
import { testChart } from '../support/test-app';

/** Node agents run on every node, tainted ones included, and are evicted last. */
const spire = synthesize().charts.get('spire')!;
const DAEMONSETS = ['spire-agent', 'spiffe-csi-driver'];
const EVERY_TAINT = [{ operator: 'Exists' }];

test.each(DAEMONSETS)('DaemonSet %s tolerates every taint and is system-node-critical by default', (name) => {
  const pod = find(spire, 'DaemonSet', name, 'spire').spec.template.spec;
  expect(pod.tolerations).toEqual(EVERY_TAINT);
  expect(pod.priorityClassName).toBe('system-node-critical');
});

/** An agent and a CSI driver built directly in a chart of their own, as a user's code would. */
function build(agentProps: Partial<SpireAgentProps> = {}, csiProps: Partial<SpiffeCsiDriverProps> = {}) {
  const chart = testChart('c');
  const namespace = new kplus.Namespace(chart, 'ns', { metadata: { name: 'spire' } });
  const identity = new SpireAgentIdentity(chart, 'identity', { namespace, clusterName: 'c1' });
  const server = new SpireServer(chart, 'server', { namespace, trustDomain: 'example.org', agents: identity, image: DEFAULT_CONFIG.images.spireServer });
  const agent = new SpireAgent(chart, 'agent', { identity, server, image: DEFAULT_CONFIG.images.spireAgent, ...agentProps });
  new SpiffeCsiDriver(chart, 'csi', { agent, image: DEFAULT_CONFIG.images.spiffeCsiDriver, registrarImage: DEFAULT_CONFIG.images.csiNodeDriverRegistrar, ...csiProps });
  const objs = Testing.synth(chart);
  return (name: string) => objs.find((o) => o.kind === 'DaemonSet' && o.metadata.name === name).spec.template.spec;
}

test('constructs built with only their required props get the same defaults', () => {
  const pod = build();
  for (const name of DAEMONSETS) {
    expect(pod(name).tolerations).toEqual(EVERY_TAINT);
    expect(pod(name).priorityClassName).toBe('system-node-critical');
  }
});

test('props override each DaemonSet on its own', () => {
  // GIVEN a GPU-pool toleration for the agent and a priority class of the user's own for the driver
  const gpu = [{ key: 'nvidia.com/gpu', operator: 'Exists' as const, effect: 'NoSchedule' as const }];
  // WHEN
  const pod = build({ tolerations: gpu }, { priorityClassName: 'mesh-node-agents' });
  // THEN
  expect(pod('spire-agent').tolerations).toEqual(gpu);
  expect(pod('spire-agent').priorityClassName).toBe('system-node-critical');
  expect(pod('spiffe-csi-driver').tolerations).toEqual(EVERY_TAINT);
  expect(pod('spiffe-csi-driver').priorityClassName).toBe('mesh-node-agents');
});

test('no tolerations renders an empty list, not the default', () => {
  expect(build({ tolerations: [] })('spire-agent').tolerations).toEqual([]);
});

describe('bad props throw naming the prop, the value and the rule', () => {
  test.each<[string, Partial<SpireAgentProps>, string]>([
    ['priority class not DNS-1123', { priorityClassName: 'System_Node_Critical' }, "SpireAgent.priorityClassName: 'System_Node_Critical' must be a DNS-1123 subdomain"],
    ['empty priority class', { priorityClassName: '' }, "SpireAgent.priorityClassName: '' must be a DNS-1123 subdomain"],
    ['Exists with a value', { tolerations: [{ key: 'dedicated', operator: 'Exists', value: 'mesh' }] }, "SpireAgent.tolerations[0].value: 'mesh' must not be set with operator 'Exists'"],
    ['tolerationSeconds without NoExecute', { tolerations: [{ operator: 'Exists', tolerationSeconds: 60 }] }, "SpireAgent.tolerations[0].tolerationSeconds: 60 applies only with effect 'NoExecute'"],
  ])('SpireAgent: %s', (_name, props, message) => {
    expect(() => build(props)).toThrow(message);
  });

  test.each<[string, Partial<SpiffeCsiDriverProps>, string]>([
    ['priority class with a space', { priorityClassName: 'node critical' }, "SpiffeCsiDriver.priorityClassName: 'node critical' must be a DNS-1123 subdomain"],
    ['Equal without a value', { tolerations: [{ key: 'dedicated', operator: 'Equal' }] }, "SpiffeCsiDriver.tolerations[0].value: undefined is required with operator 'Equal'"],
    ['an unknown effect', { tolerations: [{ operator: 'Exists', effect: 'NoEvict' as never }] }, "SpiffeCsiDriver.tolerations[0].effect: 'NoEvict' must be one of 'NoSchedule', 'PreferNoSchedule', 'NoExecute'"],
    ['negative tolerationSeconds', { tolerations: [{ operator: 'Exists', effect: 'NoExecute', tolerationSeconds: -5 }] }, 'SpiffeCsiDriver.tolerations[0].tolerationSeconds: -5 must be a whole number, 0 or more'],
  ])('SpiffeCsiDriver: %s', (_name, props, message) => {
    expect(() => build({}, props)).toThrow(message);
  });
});
