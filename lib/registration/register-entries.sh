#!/bin/sh
# Makes the SPIRE registration entries this mesh owns exactly those in $ENTRIES_DIR
# (files entries-*.json, each SPIRE's `entry create -data` JSON, every entry with its
# `entry_id`), through the admin socket of a healthy Ready SPIRE server pod, reached with
# `kubectl exec` (the server image has no shell and the admin API listens only on a local unix
# socket).
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
# Any per-entry status other than OK (or NotFound on delete, AlreadyExists on create: another
# run got there first) fails the run, naming the entry and SPIRE's reason; a failed create
# stops the run before anything is deleted.
#
# POSIX sh, run by BusyBox's ash in the Job (dash in some tests), with only the tools the Job's
# init containers put on PATH: the BusyBox applets of REGISTRATION_TOOLS
# (lib/registration/job-images.ts), jq, and kubectl. Documents go to jq as files, never as
# arguments (one argument is capped at 128 KiB), and no pipeline's left side may fail
# unnoticed (dash has no pipefail).
#
# Environment (all set by the Job; see lib/registration/registration.ts):
#   SERVER_NAMESPACE, SERVER_SELECTOR, SERVER_CONTAINER  where the servers run (a label selector)
#   SERVER_BINARY, SERVER_SOCKET                         spire-server and its admin socket, in that container
#   ENTRIES_DIR, ENTRY_ID_PREFIX                         the declared entries, and the prefix of owned IDs
#   WAIT_INTERVAL_SECONDS, WAIT_ATTEMPTS                 how often and how long to wait for a server
#   KUBECTL_TIMEOUT_SECONDS                              the deadline of each kubectl call but the listings
#   LIST_TIMEOUT_SECONDS                                 the deadline of each `entry show` (scaled to the entries)
#   BATCH_SIZE                                           entries per `entry create` or `entry delete` call
set -eu

: "${SERVER_NAMESPACE:?}" "${SERVER_SELECTOR:?}" "${SERVER_CONTAINER:?}" "${SERVER_BINARY:?}" "${SERVER_SOCKET:?}"
: "${ENTRIES_DIR:?}" "${ENTRY_ID_PREFIX:?}"
WAIT_INTERVAL_SECONDS="${WAIT_INTERVAL_SECONDS:-5}"
WAIT_ATTEMPTS="${WAIT_ATTEMPTS:-60}"
KUBECTL_TIMEOUT_SECONDS="${KUBECTL_TIMEOUT_SECONDS:-30}"
LIST_TIMEOUT_SECONDS="${LIST_TIMEOUT_SECONDS:-$KUBECTL_TIMEOUT_SECONDS}"
BATCH_SIZE="${BATCH_SIZE:-100}"
SERVERS="SPIRE server ($SERVER_NAMESPACE, $SERVER_SELECTOR)"
tab=$(printf '\t')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pod=""

# kubectl with a deadline of $1 seconds: a hung API server or exec stream ends the call with a
# message naming it, instead of holding the Job until its activeDeadlineSeconds.
kubectl_bounded() { # seconds kubectl-arguments...
  local seconds=$1 status=0
  shift
  timeout "$seconds" kubectl "$@" || status=$?
  # coreutils' timeout exits 124; BusyBox's execs the command and kills it with SIGTERM
  # (128 + 15), or SIGKILL (128 + 9) if told to.
  case $status in
    124 | 137 | 143) echo "kubectl $1 did not answer within ${seconds}s: check the API server and the SPIRE server pods" >&2 ;;
  esac
  return "$status"
}

# Runs spire-server in the chosen pod's server container, within $1 seconds; stdin is passed through (-i).
spire_server() { # seconds spire-server-arguments...
  local seconds=$1
  shift
  kubectl_bounded "$seconds" exec -i -n "$SERVER_NAMESPACE" "$pod" -c "$SERVER_CONTAINER" -- "$SERVER_BINARY" "$@"
}

# Fails the run showing file $2, which was not the JSON `spire-server $1` returns.
not_json() { # what file
  echo "spire-server $1 did not return the expected JSON:" >&2
  cat "$2" >&2
  exit 1
}

# Sets `pod` to the first Ready, not terminating server pod (by name) whose server passes its
# healthcheck, trying each in turn; or sets `answer` to why there is none. kubectl's stderr is
# kept apart from its output (it warns there whenever an aggregated API is down) and shown
# only when the call fails.
find_server() {
  local candidate
  pod=""
  if ! kubectl_bounded "$KUBECTL_TIMEOUT_SECONDS" get pods -n "$SERVER_NAMESPACE" -l "$SERVER_SELECTOR" -o json \
    >"$work/pods.json" 2>"$work/pods.err"; then
    answer=$(cat "$work/pods.err")
    return 1
  fi
  if ! jq -r '
    [.items[]
     | select(.metadata.deletionTimestamp == null)
     | select(any(.status.conditions[]?; .type == "Ready" and .status == "True"))
     | .metadata.name]
    | sort | .[]' "$work/pods.json" >"$work/ready" 2>"$work/pods.err"; then
    answer="kubectl get pods did not return a pod list: $(cat "$work/pods.json")"
    return 1
  fi
  if [ ! -s "$work/ready" ]; then
    answer="no Ready pod matches $SERVER_SELECTOR"
    return 1
  fi
  answer=""
  while IFS= read -r candidate; do
    pod=$candidate
    if spire_server "$KUBECTL_TIMEOUT_SECONDS" healthcheck -socketPath "$SERVER_SOCKET" </dev/null >"$work/health" 2>&1; then
      return 0
    fi
    answer="$answer$candidate: $(cat "$work/health")
"
  done <"$work/ready"
  pod=""
  return 1
}

attempt=1
until find_server; do
  if [ "$attempt" -ge "$WAIT_ATTEMPTS" ]; then
    echo "$SERVERS not ready after $WAIT_ATTEMPTS attempts; last answer:" >&2
    printf '%s\n' "$answer" >&2
    exit 1
  fi
  echo "waiting for $SERVERS (attempt $attempt of $WAIT_ATTEMPTS)"
  attempt=$((attempt + 1))
  sleep "$WAIT_INTERVAL_SECONDS"
done
echo "using SPIRE server $SERVER_NAMESPACE/$pod"

# Every entry on the server, into file $1. Without -downstream, `entry show` lists every entry,
# downstream ones included (SPIRE v1.15.3 sends ByDownstream=false, which the datastore does not
# filter on); with it, only downstream ones.
list_entries() { # file
  spire_server "$LIST_TIMEOUT_SECONDS" entry show -socketPath "$SERVER_SOCKET" -output json </dev/null >"$1" || true
}
list_entries "$work/listing"

# The jq definitions every program below shares. "Similar" is SPIRE's uniqueness rule: same
# SPIFFE ID, parent ID and set of selectors.
readonly DEFS='
  def listing: (try fromjson catch null) | if type == "object" and (.entries | type) == "array" then .entries else null end;
  def id_text: "spiffe://" + .trust_domain + .path;
  def key: [.spiffe_id, .parent_id, (.selectors | map(.type + ":" + .value) | sort)];
  def have: map({id, spiffe_id: (.spiffe_id | id_text), parent_id: (.parent_id | id_text), selectors});
  def by_key: reduce .[] as $h ({}; .[$h | key | tojson] //= $h);
  def set: reduce .[] as $item ({}; .[$item] = true);
'

# The plan, as one JSON document: `invalid` when the listing is not one JSON document with an
# `entries` array; otherwise `log` holds one line per decision, `counts` the decisions of
# each kind, and `create`, `replace` (entries) and `delete` (IDs) the server's work. Lookups go
# through objects keyed by ID and by "similar" key, so thousands of entries plan in linear time.
jq -n --rawfile listing "$work/listing" --arg prefix "$ENTRY_ID_PREFIX" "$DEFS"'
  [inputs.entries[]] as $declared_entries
  | ($listing | listing) as $shown
  | if $shown == null then {invalid: true}
    else
      ($shown | have) as $have
      | ($have | by_key) as $similar_to
      | ([$have[].id] | set) as $have_ids
      | [$declared_entries[]
         | . as $e
         | $similar_to[$e | key | tojson] as $similar
         | if $have_ids[$e.entry_id] then {kind: "unchanged", entry: $e, line: "unchanged: \($e.spiffe_id) (\($e.entry_id))"}
           elif $similar == null then {kind: "create", entry: $e, line: "create: \($e.spiffe_id) (\($e.entry_id))"}
           elif ($similar.id | startswith($prefix)) then
             {kind: "replace", entry: $e, old: $similar.id, line: "replace: \($e.spiffe_id) (\($similar.id) -> \($e.entry_id)): its settings changed"}
           else {kind: "foreign", entry: $e, line: "foreign: \($e.spiffe_id) is registered as \($similar.id), not owned by spire-mesh: left alone"}
           end] as $decisions
      | [$decisions[] | select(.kind == "replace") | .old] as $replaced
      | ([$declared_entries[].entry_id] + $replaced | set) as $kept
      | ($decisions
         + [$have[]
            | select((.id | startswith($prefix)) and ($kept[.id] | not))
            | {kind: "delete", id, line: "delete: \(.spiffe_id) (\(.id)): no longer declared"}]) as $all
      | def of($kind): [$all[] | select(.kind == $kind)];
      {
        declared: ($declared_entries | length),
        log: [("unchanged", "create", "replace", "foreign", "delete") as $kind | of($kind)[] | .line],
        counts: (reduce ("unchanged", "create", "replace", "foreign", "delete") as $kind ({}; .[$kind] = (of($kind) | length))),
        create: [of("create")[] | .entry],
        replace: [of("replace")[] | .entry],
        delete: ([of("delete")[] | .id] + $replaced)
      }
    end' "$ENTRIES_DIR"/entries-*.json >"$work/plan.json"

jq -r '"\(.invalid // false) \(.declared) \(.counts.unchanged) \(.counts.create) \(.counts.replace) \(.counts.foreign) \(.counts.delete)", .log[]?' \
  "$work/plan.json" >"$work/log"
read -r invalid declared n_unchanged n_create n_replace n_foreign n_delete <"$work/log"
if [ "$invalid" = true ]; then not_json "entry show" "$work/listing"; fi
# The decisions, without the summary line read above.
{
  read -r _
  while IFS= read -r line; do printf '%s\n' "$line"; done
} <"$work/log"

failed=0
: >"$work/already"

# Judges the results in file $3 of `spire-server $1` for the batch in file $2: each result is
# matched to the request at its position (SPIRE answers in request order, and on AlreadyExists
# echoes the request's entry, not the one that exists), so the log names the entry we sent.
judge() { # what batch-file output-file
  # Fields are never empty: tab is IFS white space, so `read` would merge an empty one away.
  jq -R -s -r --slurpfile batch "$2" --arg what "$1" '(try fromjson catch null)
    | if type == "object" and (.results | type) == "array" and (.results | length) == ($batch[0] | (.entries // .ids) | length)
      then [($batch[0] | (.entries // .ids)), .results] | transpose[]
        | [(.[1].status.code // 0 | tostring),
           (if $what == "entry delete" then .[0] else .[0].entry_id end),
           (if $what == "entry delete" then .[0] else .[0].spiffe_id end),
           (.[1].status.message // "")]
        | join("\t")
      else "invalid"
      end' "$3" >"$work/results"
  read -r first <"$work/results" || first=""
  if [ "$first" = invalid ]; then not_json "$1" "$3"; fi
  while IFS="$tab" read -r status id spiffe_id message; do
    case "$1 $status" in
      "entry create 0") echo "created: $spiffe_id ($id)" ;;
      # Another run (or a hand) registered it meanwhile: which ID holds it is read back below.
      "entry create 6") printf '%s\n' "$id" >>"$work/already" ;;
      "entry create "*)
        echo "FAILED to create $spiffe_id ($id): status code $status: $message" >&2
        failed=$((failed + 1))
        ;;
      "entry delete 0") echo "deleted: $id" ;;
      "entry delete 5") echo "deleted: $id (already gone: another run deleted it)" ;;
      *)
        echo "FAILED to delete $id: status code $status: $message" >&2
        failed=$((failed + 1))
        ;;
    esac
  done <"$work/results"
}

# Sends the plan's $1 (create, replace or delete) to the server in batches of BATCH_SIZE, each
# call with its own deadline, so thousands of entries never race one kubectl timeout.
send() { # create|replace|delete
  local total from=0 what=create flag=-data
  if [ "$1" = delete ]; then what=delete flag=-file; fi
  total=$(jq --arg part "$1" '.[$part] | length' "$work/plan.json")
  while [ "$from" -lt "$total" ]; do
    jq -c --arg part "$1" --argjson from "$from" --argjson size "$BATCH_SIZE" \
      '.[$part][$from:$from + $size] | if $part == "delete" then {ids: .} else {entries: .} end' "$work/plan.json" >"$work/batch.json"
    spire_server "$KUBECTL_TIMEOUT_SECONDS" entry "$what" -socketPath "$SERVER_SOCKET" "$flag" - -output json \
      <"$work/batch.json" >"$work/output" || true
    judge "entry $what" "$work/batch.json" "$work/output"
    from=$((from + BATCH_SIZE))
  done
}

# Reports what holds each entry that was refused as AlreadyExists, from a fresh listing: our own
# ID (a concurrent run of this configuration), another owned ID (a run of another
# configuration), or a foreign one (left alone, as in the plan).
report_already() {
  [ -s "$work/already" ] || return 0
  list_entries "$work/listing-again"
  jq -n -r --rawfile listing "$work/listing-again" --rawfile already "$work/already" --slurpfile plan "$work/plan.json" --arg prefix "$ENTRY_ID_PREFIX" "$DEFS"'
    ($listing | listing) as $shown
    | if $shown == null then "invalid"
      else
        ($shown | have) as $have
        | ($have | by_key) as $similar_to
        | ([$have[].id] | set) as $have_ids
        | ($already | split("\n") | map(select(. != "")) | set) as $refused
        | $plan[0].create + $plan[0].replace | .[] | select($refused[.entry_id])
        | . as $e
        | $similar_to[$e | key | tojson] as $holder
        | if $have_ids[$e.entry_id] then "ok\tcreated: \($e.spiffe_id) (\($e.entry_id)) (already there: a concurrent run made it)"
          elif $holder == null then "fail\tFAILED to create \($e.spiffe_id) (\($e.entry_id)): the server answered AlreadyExists, but lists no similar entry"
          elif ($holder.id | startswith($prefix)) then "ok\tcreated: \($e.spiffe_id) is registered as \($holder.id), another spire-mesh configuration'"'"'s entry: the next run of this one replaces it"
          else "ok\tforeign: \($e.spiffe_id) is registered as \($holder.id), not owned by spire-mesh: left alone"
          end
      end' >"$work/resolved"
  read -r first <"$work/resolved" || first=""
  if [ "$first" = invalid ]; then not_json "entry show" "$work/listing-again"; fi
  while IFS="$tab" read -r verdict line; do
    if [ "$verdict" = ok ]; then
      printf '%s\n' "$line"
    else
      printf '%s\n' "$line" >&2
      failed=$((failed + 1))
    fi
  done <"$work/resolved"
}

send create
report_already
if [ "$failed" -gt 0 ]; then
  # A declared entry is missing: deleting now could remove the entry it was meant to replace.
  echo "not deleting or replacing any entry: $failed of $n_create creates failed" >&2
  exit 1
fi
send delete
: >"$work/already"
send replace
report_already

echo "$n_unchanged unchanged, $n_create created, $n_replace replaced, $n_delete deleted, $n_foreign foreign left alone, $failed failed, of $declared declared entries"
if [ "$failed" -gt 0 ]; then exit 1; fi
