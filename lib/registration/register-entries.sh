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

# jq is started as few times as the work allows (each start costs tens of milliseconds in the
# image's jq 1.6), and documents reach it through files and pipes, never as arguments: an
# argument is limited to 128 KiB (MAX_ARG_STRLEN), which a few hundred entries exceed.

# Fails the run showing `output`, which was not the JSON `what` returns.
not_json() { # what output
  echo "spire-server $1 did not return the expected JSON:" >&2
  echo "$2" >&2
  exit 1
}

# Every entry on the server: `entry show` lists only non-downstream entries unless asked.
plain=$(spire_server entry show -socketPath "$SERVER_SOCKET" -output json </dev/null) || true
downstream=$(spire_server entry show -socketPath "$SERVER_SOCKET" -downstream -output json </dev/null) || true

# The plan, one tab-separated line each: first `declared <count>`, then a
# `decision <entry id> <SPIFFE ID> <detail>` line per decision, then `payload <decision> <JSON>`
# with the `entry create -data` or `entry delete -file` document of each decision that
# changes the server. A listing that is not one JSON document with an `entries` array makes
# the plan the single line `invalid <which listing>`.
# "Similar" is SPIRE's uniqueness rule: same SPIFFE ID, parent ID and set of selectors.
plan=$(jq -r --rawfile plain <(printf '%s' "$plain") --rawfile downstream <(printf '%s' "$downstream") \
  --arg prefix "$ENTRY_ID_PREFIX" '
  def listing: (try fromjson catch null) | if type == "object" and (.entries | type) == "array" then .entries else null end;
  def id_text: "spiffe://" + .trust_domain + .path;
  def key: [.spiffe_id, .parent_id, (.selectors | map(.type + ":" + .value) | sort)];
  . as $declared_doc
  | ($plain | listing) as $shown
  | ($downstream | listing) as $shown_downstream
  | if $shown == null then ["invalid", "entry show"] | @tsv
    elif $shown_downstream == null then ["invalid", "entry show -downstream"] | @tsv
    else
      ($shown + $shown_downstream | unique_by(.id)
       | map({id, spiffe_id: (.spiffe_id | id_text), parent_id: (.parent_id | id_text), selectors})) as $have
      | [$declared_doc.entries[].entry_id] as $declared
      | [$declared_doc.entries[]
         | . as $e
         | ($have | map(select(key == ($e | key))) | .[0]) as $similar
         | if ($have | any(.id == $e.entry_id)) then ["unchanged", $e.entry_id, $e.spiffe_id, ""]
           elif $similar == null then ["create", $e.entry_id, $e.spiffe_id, ""]
           elif ($similar.id | startswith($prefix)) then ["replace", $e.entry_id, $e.spiffe_id, $similar.id]
           else ["foreign", $e.entry_id, $e.spiffe_id, $similar.id]
           end] as $decisions
      | [$decisions[] | select(.[0] == "replace") | .[3]] as $replaced
      | ($decisions
         + [$have[]
            | select(.id as $id | ($id | startswith($prefix)) and ($declared + $replaced | any(. == $id) | not))
            | ["delete", .id, .spiffe_id, ""]]) as $all
      | def ids($decision): [$all[] | select(.[0] == $decision) | .[1]];
        def creating($decision): {entries: [$declared_doc.entries[] | select(.entry_id as $id | ids($decision) | any(. == $id))]};
      (["declared", ($declared | length)] | @tsv),
      ($all[] | @tsv),
      "payload\tcreate\t\(creating("create") | tojson)",
      "payload\tdelete\t\({ids: (ids("delete") + $replaced)} | tojson)",
      "payload\treplace\t\(creating("replace") | tojson)"
    end' "$ENTRIES_FILE")

if [[ $plan == invalid$'\t'* ]]; then
  if [ "${plan#invalid$'\t'}" = "entry show" ]; then not_json "entry show" "$plain"; fi
  not_json "entry show -downstream" "$downstream"
fi

# Only bash builtins, jq and coreutils (sleep, timeout) throughout: what the kubectl image ships; no awk, sed or grep.
declared=0
declare -A counts=([unchanged]=0 [create]=0 [replace]=0 [foreign]=0 [delete]=0) decisions=() payloads=()
while IFS=$'\t' read -r kind id spiffe_id detail; do
  case "$kind" in
    declared) declared=$id; continue ;;
    payload) payloads[$id]=$spiffe_id; continue ;;
    replace) line="replace: $spiffe_id ($detail -> $id): its settings changed" ;;
    foreign) line="foreign: $spiffe_id is registered as $detail, not owned by spire-mesh: left alone" ;;
    delete) line="delete: $spiffe_id ($id): no longer declared" ;;
    *) line="$kind: $spiffe_id ($id)" ;;
  esac
  counts[$kind]=$((counts[$kind] + 1))
  decisions[$kind]+="$line"$'\n'
done <<<"$plan"
for kind in unchanged create replace foreign delete; do printf '%s' "${decisions[$kind]-}"; done

failed=0
# Sets `results` to one tab-separated line per result in the answer $2 of `spire-server $1`,
# made by the jq expression $3; fails the run showing $2 unless it is JSON with a results list.
results_of() { # what answer row
  results=$(printf '%s' "$2" | jq -rRs '(try fromjson catch null)
    | if type == "object" and (.results | type) == "array" then .results[] | '"$3"' | @tsv else "invalid" end')
  if [ "$results" = invalid ]; then not_json "$1" "$2"; fi
}

# Creates the entries of payload $1, judging each result.
create() {
  local output results
  [ "${payloads[$1]}" != '{"entries":[]}' ] || return 0
  output=$(printf '%s' "${payloads[$1]}" | spire_server entry create -socketPath "$SERVER_SOCKET" -data - -output json) || true
  results_of "entry create" "$output" \
    '[(.status.code // 0 | tostring), .entry.id, ("spiffe://" + .entry.spiffe_id.trust_domain + .entry.spiffe_id.path), (.status.message // "")]'
  if [ -z "$results" ]; then return 0; fi
  while IFS=$'\t' read -r status id spiffe_id message; do
    case "$status" in
      0) echo "created: $spiffe_id ($id)" ;;
      6) echo "created: $spiffe_id ($id) (already there: a concurrent run)" ;;
      *) echo "FAILED to create $spiffe_id ($id): status code $status: $message" >&2; failed=$((failed + 1)) ;;
    esac
  done <<<"$results"
}

# Deletes the owned entries no longer declared and the older versions of replaced ones, judging each result.
delete() {
  local output results
  [ "${payloads[delete]}" != '{"ids":[]}' ] || return 0
  output=$(printf '%s' "${payloads[delete]}" | spire_server entry delete -socketPath "$SERVER_SOCKET" -file - -output json) || true
  results_of "entry delete" "$output" '[(.status.code // 0 | tostring), .id, (.status.message // "")]'
  if [ -z "$results" ]; then return 0; fi
  while IFS=$'\t' read -r status id message; do
    case "$status" in
      0) echo "deleted: $id" ;;
      5) echo "deleted: $id (already gone: a concurrent run)" ;;
      *) echo "FAILED to delete $id: status code $status: $message" >&2; failed=$((failed + 1)) ;;
    esac
  done <<<"$results"
}

create create
if [ "$failed" -gt 0 ]; then
  # A declared entry is missing: deleting now could remove the entry it was meant to replace.
  echo "not deleting or replacing any entry: $failed of ${counts[create]} creates failed" >&2
  exit 1
fi
delete
create replace

echo "${counts[unchanged]} unchanged, ${counts[create]} created, ${counts[replace]} replaced, ${counts[delete]} deleted, ${counts[foreign]} foreign left alone, $failed failed, of $declared declared entries"
if [ "$failed" -gt 0 ]; then exit 1; fi
