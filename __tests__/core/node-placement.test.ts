import { checkTolerations, Toleration } from '../../lib/core/node-placement';

describe('checkTolerations', () => {
  test.each<[string, Toleration[]]>([
    ['every taint', [{ operator: 'Exists' }]],
    ['none', []],
    ['one key, any value', [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]],
    ['one key and value', [{ key: 'dedicated', operator: 'Equal', value: 'mesh', effect: 'NoSchedule' }]],
    ['an empty value and effect', [{ key: 'dedicated', operator: 'Equal', value: '', effect: '' }]],
    ['NoExecute for a while', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 0 }]],
  ])('accepts %s', (_name, tolerations) => {
    expect(checkTolerations('tolerations', tolerations)).toEqual(tolerations);
  });

  // GIVEN one bad toleration THEN the message names the field, shows the value and states the rule.
  test.each<[string, unknown, string]>([
    ['not a list', { operator: 'Exists' }, 'tolerations: {"operator":"Exists"} must be a list of tolerations'],
    ['an item that is not a mapping', ['Exists'], "tolerations[0]: 'Exists' must be a mapping with operator"],
    ['an unknown field', [{ operator: 'Exists', effects: 'NoSchedule' }], "tolerations[0].effects: 'NoSchedule' is not a toleration field (known fields: key, operator, value, effect, tolerationSeconds)"],
    ['no operator', [{ key: 'dedicated', value: 'mesh' }], "tolerations[0].operator: undefined must be 'Exists' or 'Equal'"],
    ['an unknown operator', [{ operator: 'In' }], "tolerations[0].operator: 'In' must be one of 'Exists', 'Equal'"],
    ['a lowercase operator', [{ operator: 'exists' }], "tolerations[0].operator: 'exists' must be one of 'Exists', 'Equal'"],
    ['an unknown effect', [{ operator: 'Exists', effect: 'NoEvict' }], "tolerations[0].effect: 'NoEvict' must be one of 'NoSchedule', 'PreferNoSchedule', 'NoExecute'"],
    ['Equal without a value', [{ key: 'dedicated', operator: 'Equal' }], "tolerations[0].value: undefined is required with operator 'Equal'"],
    ['Equal without a key', [{ operator: 'Equal', value: 'mesh' }], "tolerations[0].key: undefined is required with operator 'Equal'"],
    ['Exists with a value', [{ key: 'dedicated', operator: 'Exists', value: 'mesh' }], "tolerations[0].value: 'mesh' must not be set with operator 'Exists'"],
    ['a key that is not a qualified name', [{ key: 'gpu node', operator: 'Exists' }], "tolerations[0].key: 'gpu node' must be a qualified name"],
    ['a key with a bad prefix', [{ key: 'Example.com/gpu', operator: 'Exists' }], "tolerations[0].key: 'Example.com/gpu' must be a qualified name: its prefix"],
    ['a value that is not a label value', [{ key: 'dedicated', operator: 'Equal', value: 'a b' }], "tolerations[0].value: 'a b' must be a label value"],
    ['tolerationSeconds without an effect', [{ operator: 'Exists', tolerationSeconds: 30 }], "tolerations[0].tolerationSeconds: 30 applies only with effect 'NoExecute'"],
    ['tolerationSeconds with NoSchedule', [{ operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 30 }], "tolerations[0].tolerationSeconds: 30 applies only with effect 'NoExecute'"],
    ['negative tolerationSeconds', [{ operator: 'Exists', effect: 'NoExecute', tolerationSeconds: -1 }], 'tolerations[0].tolerationSeconds: -1 must be a whole number, 0 or more'],
    ['fractional tolerationSeconds', [{ operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1.5 }], 'tolerations[0].tolerationSeconds: 1.5 must be a whole number, 0 or more'],
    ['tolerationSeconds as text', [{ operator: 'Exists', effect: 'NoExecute', tolerationSeconds: '30' }], "tolerations[0].tolerationSeconds: '30' must be a number"],
    ['a key that is not text', [{ key: 7, operator: 'Exists' }], 'tolerations[0].key: 7 must be a string'],
    ['the second item bad', [{ operator: 'Exists' }, { operator: 'Exists', effect: 'Never' }], "tolerations[1].effect: 'Never' must be one of"],
  ])('refuses %s', (_name, tolerations, message) => {
    expect(() => checkTolerations('tolerations', tolerations)).toThrow(message);
  });
});
