#!/usr/bin/env bash
# The suite under configs other than ours (CI runs it after `npm test`): an adopter commits their
# own spire-mesh.config.yaml and dist/ and relies on `npm test`, so no test may assume our config.
# For each file of scripts/configs/ (or the files given), a throwaway copy of the repository (the
# files Git tracks or would track, build/ and the type check's build info, node_modules
# symlinked) gets it as spire-mesh.config.yaml (or, for a file whose first line is
# `# via SPIRE_MESH_CONFIG`, through that variable, naming a file outside the copy), runs
# `npm run synth` (so the one golden, dist/ equals a fresh synth, holds) and then `npm test`. One PASS/FAIL line each, with its time; every
# step has a deadline; exit 1 on a failure.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=("$root"/scripts/configs/*.yaml)
start=$SECONDS
failures=0
work="$(mktemp -d "${TMPDIR:-/tmp}/spire-mesh-configs.XXXXXX")"
trap 'rm -rf "$work"' EXIT

for config in "${configs[@]}"; do
  name="$(basename "$config" .yaml)"
  copy="$work/$name"
  log="$work/$name.log"
  mkdir "$copy"
  (cd "$root" && { git ls-files -co --exclude-standard -z; find build -print0; find . -maxdepth 1 -name '*.tsbuildinfo' -print0; } |
    xargs -0 tar -c --no-recursion 2>/dev/null) | tar -x -C "$copy"
  ln -s "$root/node_modules" "$copy/node_modules"
  config_env=()
  if head -1 "$config" | grep -qx '# via SPIRE_MESH_CONFIG'; then
    cp "$config" "$work/$name.yaml"
    config_env=("SPIRE_MESH_CONFIG=$work/$name.yaml")
  else
    cp "$config" "$copy/spire-mesh.config.yaml"
  fi
  t0=$SECONDS
  if (cd "$copy" && { [ ${#config_env[@]} = 0 ] || export "${config_env[@]}"; } && timeout --kill-after=10 300 npm run --silent synth && timeout --kill-after=10 900 npm test) >"$log" 2>&1; then
    echo "PASS  $name: npm run synth, npm test ($((SECONDS - t0)) s)"
  else
    echo "FAIL  $name: npm run synth, npm test (output below)"
    grep -E '^(FAIL|Tests:|Test Suites:)|●' "$log" | awk '!seen[$0]++' | sed 's/^/      /' | head -60
    tail -5 "$log" | sed 's/^/      /'
    failures=$((failures + 1))
  fi
done
echo "config matrix: $([ "$failures" = 0 ] && echo PASS || echo "FAIL ($failures failed)") in $((SECONDS - start)) s"
[ "$failures" = 0 ]
