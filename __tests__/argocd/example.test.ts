import * as path from 'path';
import { EXAMPLE_DIR, readTree, renderGitOpsExample } from '../../examples/gitops/example';

test('the committed GitOps example is what the code synthesizes from its config (else: npm run example:gitops)', () => {
  const committed = readTree(path.join(EXAMPLE_DIR, 'argocd'));
  const fresh = renderGitOpsExample();
  expect([...committed.keys()]).toEqual([...fresh.keys()]);
  for (const [file, text] of fresh) expect({ file, text: committed.get(file) }).toEqual({ file, text });
});
