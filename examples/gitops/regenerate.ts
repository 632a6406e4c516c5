import * as path from 'path';
import { writeGitOpsExample } from './example';

// `npm run example:gitops`: rewrites examples/gitops/argocd/ from the current code and config.
for (const file of writeGitOpsExample()) console.log(`  ${path.relative(process.cwd(), file)}`);
