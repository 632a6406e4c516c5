import { INJECT_LABEL, ISTIO_VERSION_ANNOTATION } from '../../lib/istio/injection-template';
import { Manifest } from '../support/schema';
import { synthesize } from '../support/synth';

// bookinfo in two namespaces and a service of the user's own, with two versions.
const MESH = {
  bookinfo: { namespaces: ['default', 'shop'] },
  services: [
    {
      name: 'orders',
      namespace: 'shop-backend',
      port: 9000,
      versions: [
        { name: 'v1', image: 'ghcr.io/example/orders:2.0.1' },
        { name: 'v2', image: 'ghcr.io/example/orders:2.1.0' },
      ],
    },
  ],
};
const at = (version: string) => synthesize({ ...MESH, istio: { version } });
const key = (o: Manifest) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const isMeshedDeployment = (o: Manifest & Record<string, any>) => o.kind === 'Deployment' && o.spec.template.metadata.labels?.[INJECT_LABEL] === 'true';

describe('GIVEN a mesh WHEN istio.version is bumped from 1.30.3 to 1.30.4', () => {
  const before = at('1.30.3');
  const after = at('1.30.4');
  const objects = (synth: typeof before) =>
    new Map(
      synth.mesh.charts
        .filter((c) => c.tool === 'kubectl')
        .flatMap((c) => synth.charts.get(c.name)!)
        .map((o) => [key(o), o as Manifest & Record<string, any>]),
    );
  const old = objects(before);
  const upgraded = objects(after);
  const meshed = [...old.values()].filter(isMeshedDeployment).map(key);

  test('THEN every meshed Deployment of bookinfo and of the services is found', () => {
    // details, ratings, productpage, reviews v1-v3 per bookinfo namespace, and orders v1, v2.
    expect(meshed).toHaveLength(2 * 6 + 2);
    expect(meshed).toEqual(expect.arrayContaining(['Deployment/shop/reviews-v3', 'Deployment/shop-backend/orders-v2', 'Deployment/default/productpage-v1']));
  });

  test("THEN each one's pod template names the new release, which changes the template and so rolls its pods", () => {
    for (const name of meshed) {
      expect(old.get(name)!.spec.template.metadata.annotations[ISTIO_VERSION_ANNOTATION]).toBe('1.30.3');
      expect(upgraded.get(name)!.spec.template.metadata.annotations[ISTIO_VERSION_ANNOTATION]).toBe('1.30.4');
    }
  });

  test('THEN nothing else of them changes', () => {
    const withoutVersion = (d: Manifest & Record<string, any>) => {
      const copy = structuredClone(d);
      delete copy.spec.template.metadata.annotations[ISTIO_VERSION_ANNOTATION];
      return copy;
    };
    for (const name of meshed) expect(withoutVersion(upgraded.get(name)!)).toEqual(withoutVersion(old.get(name)!));
  });

  test('THEN no other kubectl object changes (the Istio install itself is the istioctl and Helm renderings)', () => {
    expect([...upgraded.keys()]).toEqual([...old.keys()]);
    const changed = [...old.keys()].filter((k) => JSON.stringify(old.get(k)) !== JSON.stringify(upgraded.get(k)));
    expect(changed.sort()).toEqual([...meshed].sort());
  });
});
