import { buildMesh } from '../../lib/composition-root';
import { resolveMeshConfig } from '../../lib/config/load';
import { MeshedService } from '../../lib/mesh/meshed-service';
import { chartManifests } from '../../lib/testing/charts';
import { NEVER_WRITTEN } from '../support/test-app';

test("GIVEN a team's chart added in extend WHEN reading it THEN its objects are the chart's only, as synth writes them", () => {
  const mesh = buildMesh(resolveMeshConfig({}), {
    outdir: NEVER_WRITTEN,
    extend: (ctx) => {
      const chart = ctx.addChart('team-a-echo', 'team A: the echo service');
      new MeshedService(chart, 'echo', {
        name: 'echo',
        namespace: 'team-a',
        port: 8080,
        versions: [{ name: 'v1', image: 'docker.io/ealen/echo-server:0.9.2' }],
        trustDomain: ctx.trustDomain,
        injection: ctx.injection,
        authorization: ctx.authorization,
      });
    },
  });
  const objects = chartManifests(mesh, 'team-a-echo');
  expect(objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'echo-v1')).toBeDefined();
  expect(new Set(objects.map((o) => o.metadata.namespace))).toEqual(new Set(['team-a']));
});

test('GIVEN an id that is no chart WHEN reading it THEN the message lists the charts there are', () => {
  const mesh = buildMesh(resolveMeshConfig({}), { outdir: NEVER_WRITTEN });
  expect(() => chartManifests(mesh, 'team-b')).toThrow(/^the mesh has no chart 'team-b'; its charts are 'namespaces', 'spire', /);
});
