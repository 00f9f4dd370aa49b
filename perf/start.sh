#!/usr/bin/env bash
# Start to health: starts the server N times (bin/z8run, no build: build once first), measures from
# the spawn of the process to the first 200 answer of GET /api/v1/health (the web server is up with
# every route, the store open, stored flows restored; the --deploy flow is deployed just after), and
# prints each time, the CPU time the process used until then (user + system, all its threads: less
# sensitive to a loaded machine than the wall time), the median, and the resident memory at health
# and after IDLE_S seconds idle. First, for each variant, the AOT cache is recorded when the jar is
# newer than it (`bin/z8run aot-training`) and one untimed start warms the page cache.
#
#   perf/start.sh [N=10]            # IDLE_S=5 by default; FLOW=perf/flows/c-http.json deployed
#   VARIANTS="Z8_AOT=1 Z8_AOT=0" perf/start.sh 10
#                                   # side by side: each round starts every variant once (each
#                                   # word an environment assignment for bin/z8run), medians apart
#   VARIANTS="Z8_TREE=/tmp/base Z8_TREE=." perf/start.sh 10
#                                   # Z8_TREE: start that tree's bin/z8run (built there), e.g. a
#                                   # checkout of the commit before a change, against this one
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$ROOT"
. perf/lib.sh
N="${1:-10}"
IDLE_S="${IDLE_S:-5}"
FLOW="$(readlink -f "${FLOW:-perf/flows/c-http.json}")"
PORT="${PORT:-18821}"
read -r -a VARIANTS <<< "${VARIANTS:-Z8_AOT=1}"
declare -A times cpus

tree() { # variant -> the tree whose bin/z8run it starts
  case "$1" in
    Z8_TREE=*) readlink -f "${1#Z8_TREE=}" ;;
    *) echo "$ROOT" ;;
  esac
}

free_port() { # a server left on the port would answer a start's health check (a 0 ms start)
  require_free_port "$PORT" "" ": stop what listens there or set PORT"
}

start_once() { # variant round -> "ms cpu_ms rss_health rss_idle"
  local variant=$1 idle=$2 data pid t0 t1
  data=$(mktemp -d)
  t0=$(date +%s%N)
  env "$variant" Z8_NO_BUILD=1 Z8_PORT=$PORT Z8_DATA_DIR="$data" Z8_LOG_LEVEL=warn "$(tree "$variant")/bin/z8run" serve --deploy "$FLOW" > "$data/log" 2>&1 &
  pid=$!
  until [ "$(curl -s -o /dev/null -w '%{http_code}' -m 1 "http://127.0.0.1:$PORT/api/v1/health")" = 200 ]; do
    kill -0 "$pid" 2>/dev/null || { echo "server died: $(tail -3 "$data/log")" >&2; exit 1; }
    sleep 0.005
  done
  t1=$(date +%s%N)
  local ms=$(( (t1 - t0) / 1000000 ))
  local cpu_ms rss_health rss_idle
  cpu_ms=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%d", ($14 + $15) * 1000 / hz }' "/proc/$pid/stat")
  rss_health=$(( $(ps -o rss= -p "$pid") / 1024 ))
  sleep "$idle"
  rss_idle=$(( $(ps -o rss= -p "$pid") / 1024 ))
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$data"
  echo "$ms $cpu_ms $rss_health $rss_idle"
}

for v in "${VARIANTS[@]}"; do
  env "$v" Z8_NO_BUILD=1 "$(tree "$v")/bin/z8run" aot-training # records the AOT cache if stale
  free_port
  start_once "$v" 0 > /dev/null # untimed: warms the page cache
done
for i in $(seq "$N"); do
  for v in "${VARIANTS[@]}"; do
    free_port
    read -r ms cpu_ms rss_health rss_idle < <(start_once "$v" "$IDLE_S")
    echo "start $i [$v]: ${ms} ms to health (CPU ${cpu_ms} ms), RSS ${rss_health} MB at health, ${rss_idle} MB after ${IDLE_S} s idle (load $(cut -d' ' -f1 /proc/loadavg))"
    times[$v]+="$ms "
    cpus[$v]+="$cpu_ms "
  done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%d ms over %d starts (min %d, max %d)", m, NR, v[1], v[NR] }'; }
for v in "${VARIANTS[@]}"; do
  echo "[$v] median start to health: $(median <<< "${times[$v]}"); median CPU to health: $(median <<< "${cpus[$v]}")"
done
