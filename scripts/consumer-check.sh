#!/usr/bin/env bash
# The package as a user consumes it (CI runs it after `npm test`; too slow for the unit suite):
# `npm pack`, then the tarball installed into a fresh project shaped like `cdk8s init
# typescript-app` makes it (its package.json, tsconfig.json, jest config, cdk8s.yaml and main.ts,
# from node_modules/cdk8s-cli/templates/typescript-app, with the versions `cdk8s init` fills in).
# There, a chart adding a MeshedService to the mesh is compiled with plain tsc under cdk8s's
# default tsconfig and synthesized, run with ts-node through `cdk8s synth`, snapshot-tested with
# jest and ts-jest; the package is required from plain JavaScript; and the installed CLI runs
# from a read-only node_modules as an unprivileged user, as does `npm run synth` of a clone whose
# node_modules another user installed. Dependencies come from npm's cache where it has them
# (--prefer-offline). Every step has a deadline; one PASS/FAIL line per check; exit 1 on a failure.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
start=$SECONDS
work="$(mktemp -d "${TMPDIR:-/tmp}/spire-mesh-consumer.XXXXXX")"
failures=0
log="$work/log"
cleanup() { chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# check NAME SECONDS COMMAND...: runs COMMAND (its output to $log, shown on failure) within SECONDS.
check() {
  local name="$1" seconds="$2"
  shift 2
  local t0=$SECONDS
  if timeout --kill-after=10 "$seconds" "$@" >"$log" 2>&1; then
    echo "PASS  $name ($((SECONDS - t0)) s)"
  else
    local status=$?
    echo "FAIL  $name (exit $status$([ "$status" = 124 ] && echo ", over its ${seconds} s deadline"); output below)"
    sed 's/^/      /' "$log" | tail -40
    failures=$((failures + 1))
  fi
}
# required NAME SECONDS COMMAND...: a check the later ones depend on; stops the run when it fails.
required() {
  check "$@"
  if [ "$failures" -gt 0 ]; then
    echo "consumer check: FAIL after $((SECONDS - start)) s (later checks need this step)"
    exit 1
  fi
}

# An unprivileged user for the read-only checks: root writes through any file mode.
as_user=()
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1 && command -v runuser >/dev/null 2>&1; then
  as_user=(runuser -u nobody --)
  chmod 755 "$work"
fi

pkg_version() { node -p "require('$root/node_modules/$1/package.json').version"; }
app="$work/app"
mkdir -p "$app"
required "npm pack (runs the build)" 300 bash -c "cd '$root' && npm pack --pack-destination '$work' --silent"
tarball="$(ls "$work"/spire-mesh-*.tgz)"

# The files `cdk8s init typescript-app` writes (templates/typescript-app), versions as it fills them in.
cdk8s_cli_deps() { node -p "require('$root/node_modules/cdk8s-cli/package.json').dependencies['$1'].replace('^', '')"; }
cat >"$app/package.json" <<EOF
{
  "name": "app",
  "version": "1.0.0",
  "main": "main.js",
  "types": "main.ts",
  "license": "Apache-2.0",
  "private": true,
  "scripts": {
    "import": "cdk8s import",
    "synth": "cdk8s synth",
    "compile": "tsc --build",
    "watch": "tsc --build -w",
    "test": "jest",
    "build": "npm run compile && npm run test && npm run synth",
    "upgrade": "npm i cdk8s@latest cdk8s-cli@latest",
    "upgrade:next": "npm i cdk8s@next cdk8s-cli@next"
  },
  "dependencies": {
    "cdk8s": "^$(pkg_version cdk8s)",
    "cdk8s-plus-33": "^$(pkg_version cdk8s-plus-33)",
    "constructs": "^$(cdk8s_cli_deps constructs)",
    "spire-mesh": "file:$tarball"
  },
  "devDependencies": {
    "cdk8s-cli": "^$(pkg_version cdk8s-cli)",
    "@types/node": "^14",
    "@types/jest": "^29",
    "jest": "^29",
    "ts-jest": "^29",
    "typescript": "5.9.x",
    "ts-node": "^10"
  }
}
EOF
cp "$root/node_modules/cdk8s-cli/templates/typescript-app/tsconfig.json" "$root/node_modules/cdk8s-cli/templates/typescript-app/jest.config.js" "$app/"
printf 'language: typescript\napp: npx ts-node main.ts\nimports:\n  - k8s\n' >"$app/cdk8s.yaml"
cat >"$app/main.ts" <<'EOF'
import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { buildMesh, Mesh, MeshContext, MeshedService, resolveMeshConfig, synthMesh } from 'spire-mesh';

/** Team A's echo server in a chart of its own: bookinfo's productpage and the ingress gateway may call it. */
export class EchoChart extends Chart {
  public readonly echo: MeshedService;
  constructor(scope: Construct, id: string, mesh: MeshContext) {
    // A Chart of the app's own cdk8s in the mesh's App: one copy of cdk8s (a peer dependency).
    super(scope, id, { disableResourceNameHashes: true });
    this.echo = new MeshedService(this, 'echo', {
      name: 'echo',
      namespace: 'team-a',
      port: 8080,
      versions: [{ name: 'v1', image: 'docker.io/ealen/echo-server:0.9.2' }],
      callers: [mesh.service('default/productpage').identity, mesh.ingressGateway!.identity],
      route: { gateway: mesh.ingressGateway!, hosts: ['echo.example.com'] },
      trustDomain: mesh.trustDomain,
      injection: mesh.injection,
      authorization: mesh.authorization,
    });
  }
}

export function build(outdir: string): { mesh: Mesh; chart: EchoChart } {
  const app = new App({ outdir });
  const mesh = buildMesh(resolveMeshConfig({}), { app });
  return { mesh, chart: new EchoChart(app, 'team-a-echo', mesh) };
}

if (require.main === module) {
  const index = synthMesh(build(process.env.CDK8S_OUTDIR || 'dist').mesh);
  console.log(index.steps.map((step) => step.file).join('\n'));
}
EOF
cat >"$app/main.test.ts" <<'EOF'
import { Testing } from 'cdk8s';
import { chartSnapshot } from 'spire-mesh/testing';
import { build } from './main';

test('the echo chart: its manifests as reviewed, a Deployment and an ALLOW policy for its callers', () => {
  const { mesh, chart } = build(Testing.app().outdir);
  const objects = chartSnapshot(mesh, chart) as any[];
  expect(objects).toMatchSnapshot();
  expect(objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'echo-v1')).toBeDefined();
  expect(objects.find((o) => o.kind === 'AuthorizationPolicy' && o.metadata.namespace === 'team-a')).toBeDefined();
});
EOF

required "npm install of the tarball into a cdk8s typescript-app project" 900 \
  npm install --prefix "$app" --prefer-offline --no-audit --no-fund --loglevel=error
check "one copy each of cdk8s and constructs (peer dependencies)" 60 bash -c "
  cd '$app' && for m in cdk8s constructs; do
    n=\$(find ./node_modules -path \"*/node_modules/\$m/package.json\" | wc -l)
    echo \"\$m: \$n cop(ies)\"; [ \"\$n\" = 1 ] || exit 1
  done"
check "the package ships compiled JavaScript and declarations, no sources or tests" 60 bash -c "
  cd '$app/node_modules/spire-mesh' && test -f build/lib/index.js && test -f build/lib/index.d.ts &&
  test -f build/lib/registration/register-entries.sh && test -f LICENSE && test -f build/lib/testing/index.d.ts &&
  test -f crds/istio-1.30.3/crds.yaml && test -f templates/mesh-repo/gitignore && test -f build/templates/mesh-repo/dist/meta/index.json &&
  ! find . -path ./templates -prune -o -name '*.ts' ! -name '*.d.ts' -print | grep . &&
  ! find . -path ./templates -prune -o -name '*.test.*' -print | grep ."
check "tsc --build (cdk8s's default tsconfig) compiles the app, and node main.js synthesizes the mesh with the echo chart" 300 bash -c "
  cd '$app' && npx tsc --build && CDK8S_OUTDIR='$work/tsc-dist' node main.js | grep -x '0005-team-a-echo.k8s.yaml' &&
  grep -q 'name: echo-v1' '$work/tsc-dist/0005-team-a-echo.k8s.yaml'"
check "cdk8s synth runs main.ts with ts-node" 300 bash -c "
  cd '$app' && rm -f main.js main.d.ts && npx cdk8s synth --check-upgrade=false && grep -q 'name: echo-v1' dist/0005-team-a-echo.k8s.yaml"
check "jest with ts-jest: the chartSnapshot snapshot is written, then matches under --ci" 300 bash -c "
  cd '$app' && npx jest --ci=false && test -s __snapshots__/main.test.ts.snap && npx jest --ci"
check "require('spire-mesh') from plain JavaScript builds and synthesizes the mesh; deep imports are closed by exports" 120 bash -c "
  cd '$app' && node -e \"
    const { buildMesh, resolveMeshConfig, synthMesh, ValidationError } = require('spire-mesh');
    const index = synthMesh(buildMesh(resolveMeshConfig({}), { outdir: '$work/js-dist' }));
    if (!index.steps.length || typeof ValidationError !== 'function') throw new Error('no steps');
    console.log(require('spire-mesh/package.json').version);
    try { require('spire-mesh/build/lib/validation'); throw new Error('deep import allowed'); }
    catch (e) { if (e.code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw e; }\""

# A user's mesh repository as `spire-mesh init` scaffolds it (the tarball's CLI, no network), with
# spire-mesh from the tarball: its own `npm test` (spire-mesh/testing's checks under ts-jest) passes
# as scaffolded, fails naming dist/ after a config change, and passes again after `npm run synth`;
# a team chart added to its mesh.ts gets its snapshot test.
repo="$work/mesh-repo"
required "spire-mesh init scaffolds a mesh repository, dist/ synthesized" 120 bash -c "
  cd '$work' && '$app/node_modules/.bin/spire-mesh' init mesh-repo | grep -q 'dist/ (a synth' && test -f mesh-repo/dist/meta/index.json &&
  test -f mesh-repo/.gitignore && ! '$app/node_modules/.bin/spire-mesh' init mesh-repo 2>/dev/null"
required "npm install of the scaffolded repository (spire-mesh from the tarball)" 900 bash -c "
  cd '$repo' && npm pkg set 'dependencies.spire-mesh=file:$tarball' &&
  npm install --prefer-offline --no-audit --no-fund --loglevel=error"
check "the scaffolded repository's npm test passes its 3 tests: dist/ fresh, schemas, wiring" 300 bash -c "
  cd '$repo' && npm test --silent >out 2>&1; status=\$?; cat out; [ \$status = 0 ] && grep -Eq '^Tests: +3 passed, 3 total' out"
check "a bad config: its npm run synth names the field and leaves dist/ as it was" 300 bash -c "
  cd '$repo' && before=\$(find dist -type f | sort | xargs sha256sum | sha256sum) && cp spire-mesh.config.yaml good.yaml &&
  sed -i 's/^trustDomain: example.org/trustDomain: Acme_Internal/' spire-mesh.config.yaml &&
  ! npm run --silent synth >out 2>&1 && cat out && grep -q \"trustDomain: 'Acme_Internal' must be lowercase\" out &&
  mv good.yaml spire-mesh.config.yaml && [ \"\$(find dist -type f | sort | xargs sha256sum | sha256sum)\" = \"\$before\" ]"
check "after a config change its npm test names the stale dist/ file, and passes after npm run synth" 600 bash -c "
  cd '$repo' && sed -i 's/^trustDomain: example.org/trustDomain: corp.example/' spire-mesh.config.yaml &&
  ! npm test --silent >out 2>&1 && grep -q 'dist/0001-spire.k8s.yaml differs from a fresh synth' out &&
  npm run --silent synth && grep -q 'trust_domain = \"corp.example\"' dist/0001-spire.k8s.yaml && npm test --silent"

check "the team chart of its README added to its mesh.ts as the README says: synth writes it, the checks cover it, its snapshot is written, then matches under --ci" 600 bash -c "
  cd '$repo' && mkdir teams && awk '/^\`\`\`ts\$/ { on = 1; next } /^\`\`\`\$/ { on = 0 } on' README.md >teams/echo.ts &&
  grep -q 'export class EchoChart' teams/echo.ts &&
  sed -i -e \"1i import { EchoChart } from './teams/echo';\" -e \"s|^  return mesh;|  new EchoChart(app, 'team-a-echo', mesh);\\n  return mesh;|\" mesh.ts &&
  grep -q 'new EchoChart' mesh.ts && npm run --silent synth && grep -q 'name: echo-v1' dist/0005-team-a-echo.k8s.yaml &&
  npx jest --ci=false && grep -q 'chart team-a-echo matches its snapshot' __tests__/__snapshots__/mesh.test.ts.snap &&
  npx jest --ci >out 2>&1; status=\$?; cat out; [ \$status = 0 ] && grep -Eq '^Tests: +4 passed, 4 total' out"

# Read-only from here: node_modules belongs to someone else (root), the CLI runs as nobody.
chmod -R a-w "$app/node_modules"
chmod -R a+rX "$work"
check "the installed spire-mesh --help and up --dry-run, node_modules read-only${as_user:+, as nobody}" 120 \
  "${as_user[@]}" bash -c "cd '$app' && node_modules/.bin/spire-mesh --help | grep -q Usage &&
    node_modules/.bin/spire-mesh up --dry-run --dist '$work/js-dist' | grep -q 0001-spire.k8s.yaml"

# A clone whose node_modules another user installed: npm run synth builds and synthesizes into the clone.
clone="$work/clone"
mkdir "$clone"
git -C "$root" ls-files -z | (cd "$root" && xargs -0 tar -c --no-recursion) | tar -x -C "$clone"
ln -s "$root/node_modules" "$clone/node_modules"
[ ${#as_user[@]} -gt 0 ] && chown -R -h nobody "$clone"
check "npm run synth of a clone with another user's node_modules${as_user:+, as nobody}" 300 \
  "${as_user[@]}" env HOME="$clone" npm_config_cache="$clone/.npm" bash -c "cd '$clone' && rm -rf dist && npm run --silent synth && test -f dist/meta/index.json"

echo "consumer check: $([ "$failures" = 0 ] && echo PASS || echo "FAIL ($failures failed)") in $((SECONDS - start)) s"
[ "$failures" = 0 ]
