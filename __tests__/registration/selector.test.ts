import { parseSelector, selectorText } from '../../lib/registration/selector';

test.each([
  ['k8s:ns:default', 'k8s', 'ns:default'],
  ['k8s:pod-label:app:details', 'k8s', 'pod-label:app:details'],
  ['k8s_psat:cluster:demo-cluster', 'k8s_psat', 'cluster:demo-cluster'],
  ['unix:uid:1337', 'unix', 'uid:1337'],
  ['spiffe_id:spiffe://example.org/spire/agent/x', 'spiffe_id', 'spiffe://example.org/spire/agent/x'],
])('%s splits at the first colon', (text, type, value) => {
  const selector = parseSelector('s', text);
  expect(selector).toEqual({ type, value });
  expect(selectorText(selector)).toBe(text);
});

test.each<[string, string, string]>([
  ['no colon', 'k8s', "'k8s' must be a selector of the form type:value"],
  ['unknown type', 'kubernetes:ns:default', "'kubernetes:ns:default' has unknown selector type 'kubernetes' (known: k8s, unix,"],
  ['type typo', 'k8s-psat:cluster:demo', "'k8s-psat:cluster:demo' has unknown selector type 'k8s-psat'"],
  ['empty type', ':ns:default', "':ns:default' has unknown selector type ''"],
  ['empty value', 'k8s:', "'k8s:' must have a non-empty value after \"type:\""],
  ['control character', 'k8s:ns:de\nfault', "'k8s:ns:de\nfault' must not contain control characters"],
])('an invalid selector (%s) names the field and the rule', (_, text, message) => {
  expect(() => parseSelector("entry 'x' selectors[0]", text)).toThrow(`entry 'x' selectors[0]: ${message}`);
});
