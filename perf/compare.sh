#!/usr/bin/env bash
# Side-by-side throughput: runs the engine scenarios on z8run and on Node-RED, in one invocation,
# with the same windows and durations, and prints one table (medians over REPS runs).
#
#   perf/compare.sh                      # scenarios a2, b, d
#   REPS=3 DUR_MS=10000 WARM_MS=2000 perf/compare.sh a2_pipeline_change10
#
# Node-RED comes from ../shared/peers/node-red/bench.sh (override with PEER=...), which installs
# node-red from npm on first use. z8run runs each scenario in a fresh JVM (dev.z8run.perf.harness.Harness),
# so scenarios do not warm each other up. Per-run lines go to stderr.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$ROOT"
. bin/jdk.sh
PEER="${PEER:-$ROOT/../shared/peers/node-red/bench.sh}"
REPS="${REPS:-3}"
DUR_MS="${DUR_MS:-10000}"
WARM_MS="${WARM_MS:-2000}"
export REPS DUR_MS WARM_MS
SCENARIOS=("$@")
[ ${#SCENARIOS[@]} -gt 0 ] || SCENARIOS=(a2_pipeline_change10 b_fanout8 d_payload64k_fn5)
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

echo "[compare] building the harness ..." >&2
mvn -B -q -DskipTests -Dspotless.check.skip=true package -pl perf -am >&2

JVM=(java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED
  --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED
  --enable-native-access=ALL-UNNAMED -Dagrona.disable.bounds.checks=true -Xmx512m
  -cp perf/target/z8run-perf.jar dev.z8run.perf.harness.Harness)

for rep in $(seq "$REPS"); do
  for s in "${SCENARIOS[@]}"; do
    line=$("${JVM[@]}" "$s" "$DUR_MS" "$WARM_MS")
    echo "[compare] z8run rep $rep: $line" >&2
    echo "$line" >> "$OUT/z8run.txt"
  done
done

if [ -f "$PEER" ]; then
  echo "[compare] running Node-RED: $PEER ${SCENARIOS[*]}" >&2
  bash "$PEER" "${SCENARIOS[@]}" > "$OUT/node-red.txt"
else
  echo "[compare] no Node-RED peer at $PEER: its columns stay empty" >&2
  : > "$OUT/node-red.txt"
fi

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "" } else if (NR % 2) { print v[(NR + 1) / 2] } else { print (v[NR / 2] + v[NR / 2 + 1]) / 2 } }'; }

printf '%-22s %16s %16s %8s %12s %12s\n' scenario node-red_msgs/s z8run_msgs/s ratio node-red_MB z8run_MB
for s in "${SCENARIOS[@]}"; do
  ours=$(awk -v s="$s" '$1 == s { print $2 }' "$OUT/z8run.txt" | median)
  ours_mb=$(awk -v s="$s" '$1 == s { print $3 }' "$OUT/z8run.txt" | median)
  peer=$(awk -v s="$s" '$1 == s { print $2 }' "$OUT/node-red.txt")
  peer_mb=$(awk -v s="$s" '$1 == s { print $3 }' "$OUT/node-red.txt")
  ratio=$(awk -v a="$ours" -v b="$peer" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }')
  printf '%-22s %16s %16.0f %8s %12s %12s\n' "$s" "${peer:--}" "$ours" "$ratio" "${peer_mb:--}" "$ours_mb"
done
echo "# $(nproc) cores, medians of $REPS x ${DUR_MS} ms after ${WARM_MS} ms warm-up; msgs/s counted at the sink; MB = resident set size at the end of the run"
