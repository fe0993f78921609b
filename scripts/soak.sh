#!/usr/bin/env bash
# The card-reader and e2e projects, RUNS times in a row, each run with a CPU-bound process beside it
# (issue 31: "pass 5 runs in a row with a CPU-bound process running beside them").
#
#   bash scripts/soak.sh [RUNS]        (default 5; npm run soak -- RUNS)
#
# Each run takes the shared reader lock (READER_LOCK, default /tmp/omsorg-reader.lock, the one every
# use of the vpcd readers takes) and gives it back before the next, so others can use the readers
# in between. The busy loop starts once the lock is held and ends with the run; both are bounded by
# SOAK_RUN_TIMEOUT_S (default 2700 s): a run still going then is killed and counts as a failure
# ("hung"). It prints one line per run and stops at the first failure (a row is broken); the whole
# vitest output of each run is in SOAK_LOG_DIR (default a new folder under /tmp).
set -uo pipefail
cd "$(dirname "$0")/.."

runs=${1:-5}
limit=${SOAK_RUN_TIMEOUT_S:-2700}
lock=${READER_LOCK:-/tmp/omsorg-reader.lock}
logs=${SOAK_LOG_DIR:-$(mktemp -d /tmp/omsorg-soak-XXXXXX)}
mkdir -p "$logs"
case "$runs" in '' | *[!0-9]*) echo "Antalet körningar ska vara ett heltal: $runs" >&2; exit 2 ;; esac

# e2e uses the built UI.
npm run build >"$logs/build.log" 2>&1 || { echo "npm run build misslyckades (se $logs/build.log)" >&2; exit 1; }
echo "soak: $runs körningar av --project integration --project e2e med en CPU-slinga bredvid; loggar i $logs"

summary() { # the "Tests …" line of a vitest log, without colours
  sed 's/\x1b\[[0-9;]*m//g' "$1" | grep -E '^ +Tests ' | tail -1 | sed 's/^ *//'
}

passed=0
for i in $(seq 1 "$runs"); do
  log="$logs/run-$i.log"
  asked=$(date +%s)
  # Under the lock: the busy loop (bounded), then the run (bounded); the loop ends with the run.
  flock "$lock" bash -c '
    limit=$1; log=$2
    date +%s >"$log.start"
    timeout "$limit" sh -c "while :; do :; done" &
    hog=$!
    NO_COLOR=1 timeout --kill-after=30 "$limit" npx vitest run --project integration --project e2e >"$log" 2>&1
    rc=$?
    kill "$hog" 2>/dev/null
    wait "$hog" 2>/dev/null
    exit $rc
  ' soak-run "$limit" "$log"
  rc=$?
  started=$(cat "$log.start" 2>/dev/null || echo "$asked")
  took=$(($(date +%s) - started))
  waited=$((started - asked))
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1))
    echo "körning $i/$runs: godkänd — $(summary "$log") — ${took} s (väntade ${waited} s på läsarlåset; load $load)"
  else
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then why="hängde: inte klar inom $limit s"; else why="misslyckades (kod $rc)"; fi
    echo "körning $i/$runs: $why — $(summary "$log") — ${took} s (load $load); logg: $log"
    sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^ *(FAIL|×)' | head -20
    echo "soak: $passed godkända i rad före felet"
    exit 1
  fi
done
echo "soak: $passed av $runs godkända i rad"
