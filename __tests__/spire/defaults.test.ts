import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-25';
import { DEFAULT_CONFIG } from '../../lib/config/mesh-config';
import { SpireAgent } from '../../lib/spire/agent';
import { SpireAgentIdentity } from '../../lib/spire/agent-identity';
import { SpireServer } from '../../lib/spire/server';
import { synthesize } from '../support/synth';
import { testChart } from '../support/test-app';

/** The constructs' own @defaults and the config's defaults are written in two places; they must agree. */
test('a server and an agent built with only their required props equal the default mesh', () => {
  const chart = testChart('c');
  const namespace = new kplus.Namespace(chart, 'ns', { metadata: { name: DEFAULT_CONFIG.namespaces.spire } });
  const identity = new SpireAgentIdentity(chart, 'identity', { namespace, clusterName: DEFAULT_CONFIG.clusterName });
  const server = new SpireServer(chart, 'server', { namespace, trustDomain: DEFAULT_CONFIG.trustDomain, agents: identity, image: DEFAULT_CONFIG.images.spireServer });
  const agent = new SpireAgent(chart, 'agent', { identity, server, image: DEFAULT_CONFIG.images.spireAgent });
  const { spire } = synthesize().mesh;
  expect(server.conf).toEqual(spire.server.conf);
  expect(server.replicas).toBe(spire.server.replicas);
  expect(agent.conf).toEqual(spire.agent.conf);
  expect(agent.tolerations).toEqual(spire.agent.tolerations);
  expect(agent.priorityClassName).toBe(spire.agent.priorityClassName);
  expect(Testing.synth(chart).find((o) => o.kind === 'StatefulSet').spec).toEqual(spire.server.statefulSet.toJson().spec);
});
