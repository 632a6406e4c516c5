import { MeshChart } from '../../lib/core/mesh-chart';
import { testApp } from '../support/test-app';

describe('MeshChart sync waves', () => {
  test('a step takes one wave unless it says more', () => {
    const app = testApp();
    expect(new MeshChart(app, { name: 'a', description: 'a', position: 0, wave: 0 }).waves).toBe(1);
    expect(new MeshChart(app, { name: 'b', description: 'b', position: 1, wave: 1, waves: 3 }).waves).toBe(3);
  });

  test.each([
    [{ wave: -1 }, /wave: -1 must be a whole number, 0 or more/],
    [{ wave: 1.5 }, /wave: 1.5 must be a whole number/],
    [{ waves: 0 }, /waves: 0 must be a whole number, 1 or more/],
  ])('%j is refused', (override, message) => {
    expect(() => new MeshChart(testApp(), { name: 'a', description: 'a', position: 0, wave: 0, ...override })).toThrow(message);
  });
});
