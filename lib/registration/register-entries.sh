#!/bin/bash
# Makes the SPIRE registration entries this mesh owns exactly those in $ENTRIES_FILE
# (SPIRE's `entry create -data` JSON, each entry with its `entry_id`), through the admin
# socket of any Ready SPIRE server pod, reached with `kubectl exec` (the server image has no
# shell and the admin API listens only on a local unix socket).
#
# Ownership is the entry ID: this mesh's IDs start with $ENTRY_ID_PREFIX and hash the whole
# entry, so a changed entry has a new ID. Every run logs one decision per entry:
#   unchanged  a declared ID that exists
#   create     a declared entry that does not exist
#   delete     an owned ID that is no longer declared (after the creates: a changed selector
#              set gets its new entry before the old one goes)
#   replace    a declared entry whose SPIFFE ID, parent and selectors exist under an older
#              owned ID (its TTLs, DNS names or flags changed): SPIRE refuses a second
#              "similar" entry, so the old one is deleted first, then this one created
#   foreign    a declared entry whose SPIFFE ID, parent and selectors exist under an ID
#              without the prefix: someone else's, left alone and not duplicated
# Entries without the prefix are never changed or deleted. A second run changes nothing.
# Any per-entry status other than OK (or NotFound on delete, AlreadyExists on create: a
# concurrent run did it) fails the run, naming the entry and SPIRE's reason; a failed create
# stops the run before anything is deleted.
#
# Environment (all set by the Job; see lib/registration/registration.ts):
#   SERVER_NAMESPACE, SERVER_SELECTOR, SERVER_CONTAINER  where the servers run (a label selector)
#   SERVER_BINARY, SERVER_SOCKET                         spire-server and its admin socket, in that container
#   ENTRIES_FILE, ENTRY_ID_PREFIX                        the declared entries, and the prefix of owned IDs
#   WAIT_INTERVAL_SECONDS, WAIT_ATTEMPTS                 how often and how long to wait for a server
#   KUBECTL_TIMEOUT_SECONDS                              the deadline of each kubectl call
set -euo pipefail

: "${SERVER_NAMESPACE:?}" "${SERVER_SELECTOR:?}" "${SERVER_CONTAINER:?}" "${SERVER_BINARY:?}" "${SERVER_SOCKET:?}"
: "${ENTRIES_FILE:?}" "${ENTRY_ID_PREFIX:?}"
WAIT_INTERVAL_SECONDS="${WAIT_INTERVAL_SECONDS:-5}"
WAIT_ATTEMPTS="${WAIT_ATTEMPTS:-60}"
KUBECTL_TIMEOUT_SECONDS="${KUBECTL_TIMEOUT_SECONDS:-30}"
SERVERS="SPIRE server ($SERVER_NAMESPACE, $SERVER_SELECTOR)"
pod=""

# kubectl with a deadline (coreutils' timeout): a hung API server or exec stream ends the call
# with a message naming it, instead of holding the Job until its activeDeadlineSeconds.
kubectl_bounded() {
  local status=0
  timeout "$KUBECTL_TIMEOUT_SECONDS" kubectl "$@" || status=$?
  if [ "$status" -eq 124 ]; then
    echo "kubectl $1 did not answer within ${KUBECTL_TIMEOUT_SECONDS}s: check the API server and the SPIRE server pods" >&2
  fi
  return "$status"
}

# The name of one Ready, not terminating server pod (the first by name), or nothing.
ready_pod() {
  kubectl_bounded get pods -n "$SERVER_NAMESPACE" -l "$SERVER_SELECTOR" -o json | jq -r '
    [.items[]
     | select(.metadata.deletionTimestamp == null)
     | select(any(.status.conditions[]?; .type == "Ready" and .status == "True"))
     | .metadata.name]
    | sort | .[0] // empty'
}

# Runs spire-server in the chosen pod's server container; stdin is passed through (-i).
spire_server() {
  kubectl_bounded exec -i -n "$SERVER_NAMESPACE" "$pod" -c "$SERVER_CONTAINER" -- "$SERVER_BINARY" "$@"
}

attempt=1
while :; do
  if answer=$(ready_pod 2>&1); then
    if [ -z "$answer" ]; then
      answer="no Ready pod matches $SERVER_SELECTOR"
    else
      pod=$answer
      if answer=$(spire_server healthcheck -socketPath "$SERVER_SOCKET" </dev/null 2>&1); then break; fi
    fi
  fi
  if [ "$attempt" -ge "$WAIT_ATTEMPTS" ]; then
    echo "$SERVERS not ready after $WAIT_ATTEMPTS attempts; last answer:" >&2
    echo "$answer" >&2
    exit 1
  fi
  echo "waiting for $SERVERS (attempt $attempt of $WAIT_ATTEMPTS)"
  attempt=$((attempt + 1))
  sleep "$WAIT_INTERVAL_SECONDS"
done
echo "using SPIRE server $SERVER_NAMESPACE/$pod"

# Fails the run showing `output` unless it is one JSON document for which `test` holds.
expect_json() { # what output test
  if ! printf '%s' "$2" | jq -s -e "length == 1 and (.[0] | $3)" >/dev/null 2>&1; then
    echo "spire-server $1 did not return the expected JSON:" >&2
    echo "$2" >&2
    exit 1
  fi
}

# Every entry on the server: `entry show` lists only non-downstream entries unless asked.
plain=$(spire_server entry show -socketPath "$SERVER_SOCKET" -output json </dev/null) || true
expect_json "entry show" "$plain" '.entries | type == "array"'
downstream=$(spire_server entry show -socketPath "$SERVER_SOCKET" -downstream -output json </dev/null) || true
expect_json "entry show -downstream" "$downstream" '.entries | type == "array"'
existing=$(printf '%s\n%s' "$plain" "$downstream" | jq -s '[.[].entries[]] | unique_by(.id)')

# The plan: one `decision <TAB> entry id <TAB> SPIFFE ID <TAB> detail` line per decision.
# "Similar" is SPIRE's uniqueness rule: same SPIFFE ID, parent ID and set of selectors.
plan=$(jq -r --argjson existing "$existing" --arg prefix "$ENTRY_ID_PREFIX" '
  def id_text: "spiffe://" + .trust_domain + .path;
  def key: [.spiffe_id, .parent_id, (.selectors | map(.type + ":" + .value) | sort)];
  ($existing | map({id, spiffe_id: (.spiffe_id | id_text), parent_id: (.parent_id | id_text), selectors})) as $have
  | [.entries[].entry_id] as $declared
  | [.entries[]
     | . as $e
     | ($have | map(select(key == ($e | key))) | .[0]) as $similar
     | if ($have | any(.id == $e.entry_id)) then ["unchanged", $e.entry_id, $e.spiffe_id, ""]
       elif $similar == null then ["create", $e.entry_id, $e.spiffe_id, ""]
       elif ($similar.id | startswith($prefix)) then ["replace", $e.entry_id, $e.spiffe_id, $similar.id]
       else ["foreign", $e.entry_id, $e.spiffe_id, $similar.id]
       end] as $decisions
  | [$decisions[] | select(.[0] == "replace") | .[3]] as $replaced
  | ($decisions[]),
    ($have[]
     | select(.id as $id | ($id | startswith($prefix)) and ($declared + $replaced | any(. == $id) | not))
     | ["delete", .id, .spiffe_id, ""])
  | @tsv' "$ENTRIES_FILE")

# Only bash builtins, jq and coreutils (sleep, timeout) throughout: what the kubectl image ships; no awk, sed or grep.
# Prints field $2 (1: decision, 2: entry ID, 3: SPIFFE ID, 4: detail) of each decision $1.
field_of() {
  local decision id spiffe_id detail
  while IFS=$'\t' read -r decision id spiffe_id detail; do
    if [ "$decision" = "$1" ]; then
      case "$2" in 2) printf '%s\n' "$id" ;; 4) printf '%s\n' "$detail" ;; esac
    fi
  done <<<"$plan"
}
ids_of() { field_of "$1" 2; }
count() { local n=0 id; while read -r id; do n=$((n + 1)); done < <(ids_of "$1"); echo "$n"; }

for wanted in unchanged create replace foreign delete; do
  while IFS=$'\t' read -r decision id spiffe_id detail; do
    [ "$decision" = "$wanted" ] || continue
    case "$decision" in
      replace) echo "replace: $spiffe_id ($detail -> $id): its settings changed" ;;
      foreign) echo "foreign: $spiffe_id is registered as $detail, not owned by spire-mesh: left alone" ;;
      delete) echo "delete: $spiffe_id ($id): no longer declared" ;;
      *) echo "$decision: $spiffe_id ($id)" ;;
    esac
  done <<<"$plan"
done

failed=0
# Creates the declared entries with the IDs on stdin (one a line), judging each result.
create() {
  local ids output
  ids=$(jq -R 'select(length > 0)' | jq -s .)
  [ "$ids" != "[]" ] || return 0
  output=$(jq --argjson ids "$ids" '{entries: [.entries[] | select(.entry_id as $id | $ids | any(. == $id))]}' "$ENTRIES_FILE" |
    spire_server entry create -socketPath "$SERVER_SOCKET" -data - -output json) || true
  expect_json "entry create" "$output" '.results | type == "array"'
  while IFS=$'\t' read -r status id spiffe_id message; do
    case "$status" in
      0) echo "created: $spiffe_id ($id)" ;;
      6) echo "created: $spiffe_id ($id) (already there: a concurrent run)" ;;
      *) echo "FAILED to create $spiffe_id ($id): status code $status: $message" >&2; failed=$((failed + 1)) ;;
    esac
  done < <(printf '%s' "$output" | jq -r '.results[]
    | [(.status.code // 0 | tostring), .entry.id, ("spiffe://" + .entry.spiffe_id.trust_domain + .entry.spiffe_id.path), (.status.message // "")]
    | @tsv')
}

# Deletes the entries with the IDs on stdin (one a line), judging each result.
delete() {
  local ids output
  ids=$(jq -R 'select(length > 0)' | jq -s .)
  [ "$ids" != "[]" ] || return 0
  output=$(jq -n --argjson ids "$ids" '{ids: $ids}' |
    spire_server entry delete -socketPath "$SERVER_SOCKET" -file - -output json) || true
  expect_json "entry delete" "$output" '.results | type == "array"'
  while IFS=$'\t' read -r status id message; do
    case "$status" in
      0) echo "deleted: $id" ;;
      5) echo "deleted: $id (already gone: a concurrent run)" ;;
      *) echo "FAILED to delete $id: status code $status: $message" >&2; failed=$((failed + 1)) ;;
    esac
  done < <(printf '%s' "$output" | jq -r '.results[] | [(.status.code // 0 | tostring), .id, (.status.message // "")] | @tsv')
}

# Redirections, not pipes: the functions run in this shell, so `failed` counts.
create < <(ids_of create)
if [ "$failed" -gt 0 ]; then
  # A declared entry is missing: deleting now could remove the entry it was meant to replace.
  echo "not deleting or replacing any entry: $failed of $(count create) creates failed" >&2
  exit 1
fi
# The owned entries to delete: those no longer declared, and the older versions of replaced ones.
delete < <(ids_of delete; field_of replace 4)
create < <(ids_of replace)

echo "$(count unchanged) unchanged, $(count create) created, $(count replace) replaced, $(count delete) deleted, $(count foreign) foreign left alone, $failed failed, of $(jq '.entries | length' "$ENTRIES_FILE") declared entries"
if [ "$failed" -gt 0 ]; then exit 1; fi
