#!/bin/sh
# Creates the SPIRE registration entries in $ENTRIES_FILE (SPIRE's `entry create -data`
# JSON) through the SPIRE server's admin socket, reached with `kubectl exec` because the
# server image has no shell and the admin API listens only on a local unix socket.
#
# Safe to re-run: an entry that already exists (status code 6, AlreadyExists) counts as
# done. Any other per-entry status fails the run, printing the entry and SPIRE's reason.
#
# Environment (all set by the Job; see lib/registration/registration.ts):
#   SERVER_NAMESPACE, SERVER_POD, SERVER_CONTAINER  where the server runs
#   SERVER_BINARY, SERVER_SOCKET                    spire-server and its admin socket, in that container
#   ENTRIES_FILE                                    the entries, in this container
#   WAIT_INTERVAL_SECONDS, WAIT_ATTEMPTS            how often and how long to wait for the server
set -eu

: "${SERVER_NAMESPACE:?}" "${SERVER_POD:?}" "${SERVER_CONTAINER:?}" "${SERVER_BINARY:?}" "${SERVER_SOCKET:?}" "${ENTRIES_FILE:?}"
WAIT_INTERVAL_SECONDS="${WAIT_INTERVAL_SECONDS:-5}"
WAIT_ATTEMPTS="${WAIT_ATTEMPTS:-60}"

# Runs spire-server in the server container; stdin is passed through (-i).
spire_server() {
  kubectl exec -i -n "$SERVER_NAMESPACE" "$SERVER_POD" -c "$SERVER_CONTAINER" -- "$SERVER_BINARY" "$@"
}

attempt=1
until health=$(spire_server healthcheck -socketPath "$SERVER_SOCKET" </dev/null 2>&1); do
  if [ "$attempt" -ge "$WAIT_ATTEMPTS" ]; then
    echo "SPIRE server $SERVER_NAMESPACE/$SERVER_POD not ready after $WAIT_ATTEMPTS attempts; last answer:" >&2
    echo "$health" >&2
    exit 1
  fi
  echo "waiting for SPIRE server $SERVER_NAMESPACE/$SERVER_POD (attempt $attempt of $WAIT_ATTEMPTS)"
  attempt=$((attempt + 1))
  sleep "$WAIT_INTERVAL_SECONDS"
done
echo "SPIRE server $SERVER_NAMESPACE/$SERVER_POD is ready"

expected=$(jq '.entries | length' "$ENTRIES_FILE")
code=0
output=$(spire_server entry create -socketPath "$SERVER_SOCKET" -data - -output json <"$ENTRIES_FILE") || code=$?

# Only stdout is parsed (one JSON document with a results list); stderr goes straight to the log.
if ! printf '%s' "$output" | jq -s -e 'length == 1 and (.[0].results | type == "array")' >/dev/null 2>&1; then
  echo "spire-server entry create (exit code $code) did not return JSON results:" >&2
  echo "$output" >&2
  exit 1
fi
# One line per result: status code, SPIFFE ID, message. The CLI fills in the requested
# entry for results that failed, so every line names its entry.
results=$(printf '%s' "$output" | jq -r '
  .results[]
  | [(.status.code // 0 | tostring),
     ("spiffe://" + .entry.spiffe_id.trust_domain + .entry.spiffe_id.path),
     (.status.message // "")]
  | @tsv')

created=0
present=0
failed=0
tab=$(printf '\t')
while IFS="$tab" read -r status id message; do
  [ -n "$status" ] || continue
  case "$status" in
    0) echo "created: $id"; created=$((created + 1)) ;;
    6) echo "already present: $id"; present=$((present + 1)) ;;
    *) echo "FAILED: $id: status code $status: $message" >&2; failed=$((failed + 1)) ;;
  esac
done <<RESULTS
$results
RESULTS

echo "$created created, $present already present, $failed failed, of $expected entries"
if [ "$failed" -gt 0 ]; then exit 1; fi
if [ $((created + present)) -ne "$expected" ]; then
  echo "SPIRE returned $((created + present)) results for $expected entries" >&2
  exit 1
fi
