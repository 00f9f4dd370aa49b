#!/usr/bin/env bash
# Scenario c's CPU per request, ours against the bare Helidon route, in one run:
#
#   perf/http-cpu.sh                  # ROUNDS=3 DUR=8 CONNS=50: alternating wrk runs on both servers
#
# Starts the z8run jar as perf/compare.sh does (bin/z8run serve --deploy perf/flows/c-http.json) and
# BareHttpServer beside it, warms each for WARM seconds (default DUR), then alternates
# `wrk -t1 -c$CONNS -d${DUR}s` between them ROUNDS times, and prints the means and the medians.
# Each line: req/s, p99, and the server process's CPU (utime + stime from /proc/<pid>/stat over
# the wrk run) divided by the requests wrk completed. On a shared machine the
# req/s swing; the CPU per request and the ratio between the two servers are the figures to quote.
# Expects the jars built (perf/compare.sh builds them; or mvn -q -o package -pl api,perf -am -DskipTests).
#
#   JAR_A=/tmp/before.jar JAR_B=api/target/z8run.jar perf/http-cpu.sh   # two builds of ours side by side
#
# With JAR_A and JAR_B, both run (java @bin/jvm.options -jar, no AOT cache, ports OURS_PORT and B_PORT, 18811 and 18813 by default)
# and each round measures a, b and bare in turn: a change's effect within one run.
#
#   JAR_A=api/target/z8run.jar JAR_B=api/target/z8run.jar B_JAVA_OPTIONS="-XX:Flag=..." perf/http-cpu.sh
#                                   # the same jar, b with extra JVM options: a flag's effect
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$ROOT"
. bin/jdk.sh
. perf/lib.sh
ROUNDS="${ROUNDS:-3}"
DUR="${DUR:-8}"
WARM="${WARM:-$DUR}"
CONNS="${CONNS:-50}"
OURS_PORT="${OURS_PORT:-18811}"
BARE_PORT="${BARE_PORT:-18812}"
B_PORT="${B_PORT:-18813}"
OURS_URL="http://127.0.0.1:$OURS_PORT/hook/c-http/hello"
BARE_URL="http://127.0.0.1:$BARE_PORT/hello"
TMP="$(mktemp -d)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT
for port in "$OURS_PORT" "$BARE_PORT"; do
  require_free_port "$port" "[http-cpu] "
done
start_jar() { # jar port name [extra java options]
  local extra=()
  read -r -a extra <<< "${4:-}"
  Z8_PORT="$2" Z8_DATA_DIR="$TMP/data-$3" Z8_LOG_LEVEL=warn MALLOC_ARENA_MAX=2 java @bin/jvm.options \
    "${extra[@]}" --add-modules jdk.incubator.vector -jar "$1" serve --deploy perf/flows/c-http.json > "$TMP/$3.log" 2>&1 &
}
NAMES=(ours)
if [ -n "${JAR_A:-}" ]; then
  start_jar "$JAR_A" "$OURS_PORT" a
  OURS=$!
  PIDS+=("$OURS")
  start_jar "$JAR_B" "$B_PORT" b "${B_JAVA_OPTIONS:-}"
  B=$!
  PIDS+=("$B")
  B_URL="http://127.0.0.1:$B_PORT/hook/c-http/hello"
  for _ in $(seq 600); do curl -s -o /dev/null -m 1 "$B_URL" && break; sleep 0.1; done
  NAMES=(a b)
elif [ ! -f api/target/z8run.aot ] || [ api/target/z8run.jar -nt api/target/z8run.aot ]; then
  # bin/z8run's first start after a build records the AOT cache (a training run): not the one to measure
  echo "[http-cpu] recording the AOT cache first" >&2
  Z8_NO_BUILD=1 Z8_PORT="$OURS_PORT" Z8_DATA_DIR="$TMP/aot" Z8_LOG_LEVEL=warn \
    bin/z8run serve --deploy perf/flows/c-http.json > "$TMP/aot.log" 2>&1 &
  AOT_PID=$!
  for _ in $(seq 600); do curl -s -o /dev/null -m 1 "$OURS_URL" && break; sleep 0.1; done
  wrk -t1 -c"$CONNS" -d2s "$OURS_URL" > /dev/null
  kill "$AOT_PID"
  wait "$AOT_PID" || true
fi
if [ -z "${JAR_A:-}" ]; then
  Z8_NO_BUILD=1 Z8_PORT="$OURS_PORT" Z8_DATA_DIR="$TMP/data" Z8_LOG_LEVEL=warn \
    bin/z8run serve --deploy perf/flows/c-http.json > "$TMP/ours.log" 2>&1 &
  OURS=$!
  PIDS+=("$OURS")
fi
java @bin/jvm.options -cp perf/target/z8run-perf.jar dev.z8run.perf.harness.BareHttpServer "$BARE_PORT" \
  > "$TMP/bare.log" 2>&1 &
BARE=$!
PIDS+=("$BARE")
for url in "$OURS_URL" "$BARE_URL"; do
  for _ in $(seq 600); do curl -s -o /dev/null -m 1 "$url" && break; sleep 0.1; done
done
ticks=$(getconf CLK_TCK)
cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
run() { # name pid url
  local name=$1 pid=$2 url=$3 before after reqs rps p99
  before=$(cpu "$pid")
  wrk -t1 -c"$CONNS" -d"${DUR}s" --latency "$url" > "$TMP/wrk.txt"
  after=$(cpu "$pid")
  reqs=$(awk '/requests in/ { print $1 }' "$TMP/wrk.txt")
  rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$TMP/wrk.txt")
  p99=$(awk '$1 == "99%" { print $2 }' "$TMP/wrk.txt")
  awk -v n="$name" -v r="$rps" -v p="$p99" -v c=$((after - before)) -v q="$reqs" -v t="$ticks" \
    'BEGIN { printf "%-6s %8s req/s  p99 %-8s cpu %6.2f s  %6.1f us/req\n", n, r, p, c / t, 1e6 * c / t / q }' \
    | tee -a "$TMP/lines.txt"
}
echo "[http-cpu] warming each server ($WARM s each)" >&2
wrk -t1 -c"$CONNS" -d"${WARM}s" "$OURS_URL" > /dev/null
[ -z "${JAR_A:-}" ] || wrk -t1 -c"$CONNS" -d"${WARM}s" "$B_URL" > /dev/null
wrk -t1 -c"$CONNS" -d"${WARM}s" "$BARE_URL" > /dev/null
for _ in $(seq "$ROUNDS"); do
  run "${NAMES[0]}" "$OURS" "$OURS_URL"
  [ -z "${JAR_A:-}" ] || run b "$B" "$B_URL"
  run bare "$BARE" "$BARE_URL"
done
for name in "${NAMES[@]}"; do
  awk -v o="$name" '{ us[$1] += $(NF - 1); rps[$1] += $2; n[$1]++ }
    END { printf "# mean: %s %.1f us/req, bare %.1f us/req (%s/bare %.2f); req/s %s/bare %.0f%%\n",
      o, us[o] / n[o], us["bare"] / n["bare"], o, (us[o] / n[o]) / (us["bare"] / n["bare"]),
      o, 100 * rps[o] / rps["bare"] }' "$TMP/lines.txt"
done
# medians: a round that a neighbour's build or a late JIT compilation hit moves the mean, not these
median() { # name field: the field's median over the name's rounds (a latency in ms, whatever wrk's unit)
  awk -v n="$1" -v f="$2" '$1 == n { v = $f
      if (v ~ /us$/) v = v / 1000; else if (v ~ /ms$/) v = v + 0; else if (v ~ /s$/) v = v * 1000
      print v }' "$TMP/lines.txt" | sort -g |
  awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
for name in "${NAMES[@]}" bare; do
  echo "# median: $name $(median "$name" 9) us/req, $(median "$name" 2) req/s, p99 $(median "$name" 5) ms"
done
