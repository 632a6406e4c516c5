import { IndexObject } from '../../lib/core/index-contract';
import { foreignObjects } from '../../lib/cli/namespace-contents';

const list = (...items: object[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
const item = (kind: string, name: string, metadata: object = {}) => ({ kind, metadata: { name, uid: `uid-${kind}-${name}`, ...metadata } });
const ownedBy = (kind: string, name: string) => ({ ownerReferences: [{ kind, name, uid: `uid-${kind}-${name}`, controller: true }] });
const spireServer: IndexObject = { apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: 'spire', name: 'spire-server' };

test('GIVEN an empty namespace WHEN looking into it THEN nothing keeps it', () => {
  expect(foreignObjects(list(), [], 'namespace spire')).toEqual([]);
});

test("GIVEN someone else's pod, service and volume claim WHEN looking into the namespace THEN each keeps it, by kind and name", () => {
  const output = list(item('Pod', 'telemetry-0'), item('Service', 'telemetry'), item('PersistentVolumeClaim', 'data-telemetry-0'));
  expect(foreignObjects(output, [], 'namespace spire')).toEqual(['pod/telemetry-0', 'service/telemetry', 'persistentvolumeclaim/data-telemetry-0']);
});

test('GIVEN objects the index lists WHEN looking into the namespace THEN they keep nothing', () => {
  expect(foreignObjects(list(item('StatefulSet', 'spire-server')), [spireServer], 'namespace spire')).toEqual([]);
});

test('GIVEN a Deployment being deleted WHEN its ReplicaSet and pod are not yet THEN they are on their way out too', () => {
  const output = list(
    item('Deployment', 'istiod', { deletionTimestamp: '2026-01-01T00:00:00Z' }),
    item('ReplicaSet', 'istiod-5c8d', ownedBy('Deployment', 'istiod')),
    item('Pod', 'istiod-5c8d-x2x9q', ownedBy('ReplicaSet', 'istiod-5c8d')),
  );
  expect(foreignObjects(output, [], 'namespace istio-system')).toEqual([]);
});

test('GIVEN a pod whose owner is not listed (another controller) WHEN looking into the namespace THEN it keeps the namespace', () => {
  const output = list(item('Pod', 'rollout-abc', ownedBy('Rollout', 'shop')));
  expect(foreignObjects(output, [], 'namespace shop')).toEqual(['pod/rollout-abc']);
});

test.each([['not JSON', '<html>proxy login</html>'], ['no items', '{"kind": "Status"}'], ['an item without a kind', list({ metadata: { name: 'x' } })]])(
  'GIVEN kubectl answering %s WHEN looking into the namespace THEN it says the answer is not a list',
  (_name, output) => {
    expect(() => foreignObjects(output, [], 'namespace spire')).toThrow(/^kubectl's answer for namespace spire is not an object list/);
  },
);
