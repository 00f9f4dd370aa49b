#!/usr/bin/env bash
# Side-by-side throughput: runs the engine scenarios on z8run and on Node-RED, in one invocation,
# with the same windows and durations, and prints one table (medians over REPS runs).
#
#   perf/compare.sh                      # scenarios a2, b, c, d
#   perf/compare.sh e f                  # e: mqtt-in -> change -> mqtt-out (QoS 0, 1) through the
#                                        #    local Mosquitto; f: messages into PostgreSQL inserts
#   REPS=3 DUR_MS=10000 WARM_MS=2000 perf/compare.sh a2_pipeline_change10
#
# Node-RED comes from ../shared/peers/node-red/bench.sh (override with PEER=...), which installs
# node-red from npm on first use. z8run runs each scenario in a fresh JVM (dev.z8run.perf.harness.Harness),
# so scenarios do not warm each other up. Per-run lines go to stderr.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$ROOT"
. bin/jdk.sh
. perf/lib.sh
PEER="${PEER:-$ROOT/../shared/peers/node-red/bench.sh}"
CEILING="${CEILING:-$ROOT/../shared/peers/ceiling/RingChain.java}" # a2's bare-ring ceiling
REPS="${REPS:-3}"
DUR_MS="${DUR_MS:-10000}"
WARM_MS="${WARM_MS:-2000}"
export REPS DUR_MS WARM_MS
SCENARIOS=()
for s in "$@"; do # short names as in the issue: a, a2, b, c, d
  case "$s" in
    a) SCENARIOS+=(a_pipeline_fn10) ;;
    a2) SCENARIOS+=(a2_pipeline_change10) ;;
    b) SCENARIOS+=(b_fanout8) ;;
    c) SCENARIOS+=(c_http) ;;
    d) SCENARIOS+=(d_payload64k_fn5) ;;
    d4m) SCENARIOS+=(d4m_payload4m_fn5) ;; # ours only: the peer has no 4 MiB flow
    e) SCENARIOS+=(e_mqtt_qos0 e_mqtt_qos1) ;;
    f) SCENARIOS+=(f_db_inserts) ;;
    *) SCENARIOS+=("$s") ;;
  esac
done
[ ${#SCENARIOS[@]} -gt 0 ] || SCENARIOS=(a_pipeline_fn10 a2_pipeline_change10 b_fanout8 c_http d_payload64k_fn5)
CONNS="${CONNS:-50}"
command -v wrk >/dev/null || { echo "[compare] wrk is needed for c_http (apt-get install wrk)" >&2; }
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

echo "[compare] building the harness ..." >&2
mvn -B -q -DskipTests -Dspotless.check.skip=true package -pl api,perf -am >&2

# the JVM flags the code needs, as the parent pom declares them (perf/target/classes/z8run-jvm.flags)
# and the launcher's JVM options (bin/jvm.options: Serial GC, small shrinking heap), as bin/z8run runs
JVM=(java @perf/target/classes/z8run-jvm.flags @bin/jvm.options -Dagrona.disable.bounds.checks=true
  -cp perf/target/z8run-perf.jar dev.z8run.perf.harness.Harness)

# c_http: both servers side by side in one run (ours as bin/z8run starts it, and the bare Helidon
# route), each under `wrk -t1 -c$CONNS`, in alternating windows: ours, bare, ours, bare, ...
# C_ROUNDS times (default: REPS, at least 5) of C_DUR_MS each (default: DUR_MS) after C_WARM_MS of
# warm-up each (default: WARM_MS, at least 8 s: the JIT). On a shared machine a window's req/s
# swings with the neighbours' load; the median of the per-round ratios compares windows a few
# seconds apart, which a fresh JVM per side and repetition (with its warm-up inside) could not.
C_ROUNDS="${C_ROUNDS:-$(( REPS > 5 ? REPS : 5 ))}"
C_DUR_MS="${C_DUR_MS:-$DUR_MS}"
C_WARM_MS="${C_WARM_MS:-$(( WARM_MS > 8000 ? WARM_MS : 8000 ))}"
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; printf "%.2f", v}' <<<"$1"; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "" } else if (NR % 2) { print v[(NR + 1) / 2] } else { print (v[NR / 2] + v[NR / 2 + 1]) / 2 } }'; }
HTTP_PIDS=()
http_start() { # name port url cmd... -> starts the server, waits until url answers
  local name=$1 port=$2 url=$3; shift 3
  require_free_port "$port" "[compare] " ": stop what listens there"
  "$@" > "$OUT/$name.log" 2>&1 &
  HTTP_PIDS+=($!)
  for _ in $(seq 600); do curl -s -o /dev/null -m 1 "$url" && return; sleep 0.1; done
  echo "[compare] $name did not answer: $(tail -3 "$OUT/$name.log")" >&2; exit 1
}
http_window() { # round name pid url -> appends "name req_s rss_mb p50 p99 round" to $OUT/http.txt
  local round=$1 name=$2 pid=$3 url=$4 rss rps p50 p99
  wrk -t1 -c"$CONNS" -d"$(( C_DUR_MS / 1000 ))s" --latency "$url" > "$OUT/wrk.txt"
  kill -0 "$pid" 2>/dev/null || { echo "[compare] $name died: $(tail -3 "$OUT/$name.log")" >&2; exit 1; }
  rss=$(awk '{printf "%.1f", $1/1024}' <<<"$(ps -o rss= -p "$pid")")
  rps=$(awk '/^Requests\/sec:/{printf "%.0f", $2}' "$OUT/wrk.txt")
  p50=$(to_ms "$(awk '$1=="50%"{print $2}' "$OUT/wrk.txt")")
  p99=$(to_ms "$(awk '$1=="99%"{print $2}' "$OUT/wrk.txt")")
  echo "[compare] round $round $name: $rps req/s p50=${p50}ms p99=${p99}ms rss=${rss}MB" >&2
  echo "$name $rps $rss $p50 $p99 $round" >> "$OUT/http.txt"
}
# After the wrk rounds, fixed-rate rounds (dev.z8run.perf.harness.OpenLoopHttp: requests at
# t0 + i/rate over $CONNS pipelined connections, each timed from its scheduled time, so the tail is
# compared at the same offered load, without coordinated omission): at each rate of C_RATES (default
# 50% and 75% of the bare route's median req/s in the wrk rounds just before), C_ROUNDS alternating
# rounds of C_DUR_MS, each after C_OL_WARM_MS (default 1000) of the same rate on fresh connections.
C_OL_WARM_MS="${C_OL_WARM_MS:-1000}"
OPEN_LOOP=(java -XX:+UseSerialGC -cp perf/target/z8run-perf.jar dev.z8run.perf.harness.OpenLoopHttp)
open_loop_window() { # round name pid url rate -> appends "name rate achieved p50 p90 p99 p999 max errors round" to $OUT/openloop.txt
  local round=$1 name=$2 pid=$3 url=$4 rate=$5 line
  line=$("${OPEN_LOOP[@]}" "$url" "$rate" "$C_DUR_MS" "$C_OL_WARM_MS" "$CONNS" 2> "$OUT/openloop.err")
  kill -0 "$pid" 2>/dev/null || { echo "[compare] $name died: $(tail -3 "$OUT/$name.log")" >&2; exit 1; }
  [ -n "$line" ] || { echo "[compare] OpenLoopHttp failed: $(tail -3 "$OUT/openloop.err")" >&2; exit 1; }
  echo "[compare] open loop $rate/s round $round $name: $line $(sed -n 's/^# client: //p' "$OUT/openloop.err")" >&2
  awk -v n="$name" -v r="$round" '{ print n, $2, $3, $4, $5, $6, $7, $8, $9, r }' <<<"$line" >> "$OUT/openloop.txt"
}
open_loop_rates() { # the rates of the fixed-rate rounds: C_RATES, or 50% and 75% of the bare route's median
  if [ -n "${C_RATES:-}" ]; then
    tr ',' ' ' <<<"$C_RATES"
  else
    awk '$1 == "bare" { print $2 }' "$OUT/http.txt" | median | awk '{ printf "%.0f %.0f\n", $1 * 0.5, $1 * 0.75 }'
  fi
}
http_compare() {
  # the AOT cache is recorded (once per build) before the timed start
  Z8_NO_BUILD=1 bin/z8run aot-training
  local ours_url=http://127.0.0.1:18811/hook/c-http/hello bare_url=http://127.0.0.1:18812/hello
  # the server as bin/z8run starts it (its JVM options and AOT cache), without building again
  http_start z8run 18811 "$ours_url" \
    env Z8_NO_BUILD=1 Z8_PORT=18811 Z8_DATA_DIR="$OUT/data-c" Z8_LOG_LEVEL=warn \
    bin/z8run serve --deploy perf/flows/c-http.json
  local ours_pid=${HTTP_PIDS[-1]}
  http_start bare 18812 "$bare_url" \
    java @bin/jvm.options -cp perf/target/z8run-perf.jar dev.z8run.perf.harness.BareHttpServer 18812
  local bare_pid=${HTTP_PIDS[-1]}
  echo "[compare] c_http: warming both for $C_WARM_MS ms, then $C_ROUNDS rounds of ${C_DUR_MS} ms each, alternating" >&2
  wrk -t1 -c"$CONNS" -d"$(( (C_WARM_MS + 999) / 1000 ))s" "$ours_url" > /dev/null
  wrk -t1 -c"$CONNS" -d"$(( (C_WARM_MS + 999) / 1000 ))s" "$bare_url" > /dev/null
  for round in $(seq "$C_ROUNDS"); do
    http_window "$round" z8run "$ours_pid" "$ours_url"
    http_window "$round" bare "$bare_pid" "$bare_url"
  done
  for rate in $(open_loop_rates); do
    for round in $(seq "$C_ROUNDS"); do
      open_loop_window "$round" z8run "$ours_pid" "$ours_url" "$rate"
      open_loop_window "$round" bare "$bare_pid" "$bare_url" "$rate"
    done
  done
  kill "$ours_pid" "$bare_pid" 2>/dev/null || true
  wait "$ours_pid" "$bare_pid" 2>/dev/null || true
  HTTP_PIDS=()
}
trap '[ ${#HTTP_PIDS[@]} -eq 0 ] || kill "${HTTP_PIDS[@]}" 2>/dev/null; rm -rf "$OUT"' EXIT

# e and f: perf/data-scenarios.sh (MQTT through the local Mosquitto, inserts into PostgreSQL)
. perf/data-scenarios.sh

for rep in $(seq "$REPS"); do
  for s in "${SCENARIOS[@]}"; do
    case "$s" in
      e_mqtt_qos0) mqtt_run 0; continue ;;
      e_mqtt_qos1) mqtt_run 1; continue ;;
      f_db_inserts) db_run; continue ;;
    esac
    if [ "$s" = c_http ]; then
      [ "$rep" -eq 1 ] && http_compare # its rounds alternate inside one run (above)
      continue
    fi
    line=$("${JVM[@]}" "$s" "$DUR_MS" "$WARM_MS")
    echo "[compare] z8run rep $rep: $line" >&2
    echo "$line" >> "$OUT/z8run.txt"
    if [ "$s" = a2_pipeline_change10 ] && [ -f "$CEILING" ]; then
      # the bare-ring ceiling right after each a2 run: ten hops through Agrona rings, no engine
      ring=$(java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp perf/target/z8run-perf.jar \
        "$CEILING" "$DUR_MS" | awk '/msgs\/s/ { print $(NF - 1) }')
      echo "[compare] ring ceiling rep $rep: $ring msgs/s" >&2
      echo "$ring" >> "$OUT/ring.txt"
    fi
  done
done

PEER_SCENARIOS=()
for s in "${SCENARIOS[@]}"; do
  case "$s" in e_*|f_*|d4m_*) ;; *) PEER_SCENARIOS+=("$s") ;; esac
done
if [ ${#PEER_SCENARIOS[@]} -eq 0 ]; then
  : > "$OUT/node-red.txt"
elif [ -f "$PEER" ]; then
  echo "[compare] running Node-RED: $PEER ${PEER_SCENARIOS[*]}" >&2
  bash "$PEER" "${PEER_SCENARIOS[@]}" > "$OUT/node-red.txt" 2> >(tee "$OUT/node-red.err" >&2)
else
  echo "[compare] no Node-RED peer at $PEER: its columns stay empty" >&2
  : > "$OUT/node-red.txt"
fi

[ ${#PEER_SCENARIOS[@]} -gt 0 ] && printf '%-22s %16s %16s %8s %12s %12s\n' scenario node-red_msgs/s z8run_msgs/s ratio node-red_MB z8run_MB
for s in "${PEER_SCENARIOS[@]}"; do
  [ "$s" = c_http ] && continue
  ours=$(awk -v s="$s" '$1 == s { print $2 }' "$OUT/z8run.txt" | median)
  ours_mb=$(awk -v s="$s" '$1 == s { print $3 }' "$OUT/z8run.txt" | median)
  peer=$(awk -v s="$s" '$1 == s { print $2 }' "$OUT/node-red.txt")
  peer_mb=$(awk -v s="$s" '$1 == s { print $3 }' "$OUT/node-red.txt")
  ratio=$(awk -v a="$ours" -v b="$peer" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }')
  printf '%-22s %16s %16.0f %8s %12s %12s\n' "$s" "${peer:--}" "$ours" "$ratio" "${peer_mb:--}" "$ours_mb"
done
for s in "${SCENARIOS[@]}"; do
  case "$s" in
    d4m_*|d_*) # large bodies: the median run's line, with the copies of the body per message and hop
      awk -v s="$s" '$1 == s' "$OUT/z8run.txt" | sort -k2 -g | awk '{ l[NR] = $0 } END { if (NR) print "# " l[int((NR + 1) / 2)] }'
      ;;
  esac
done
if [ -s "$OUT/ring.txt" ]; then
  ours=$(awk '$1 == "a2_pipeline_change10" { print $2 }' "$OUT/z8run.txt" | median)
  ring=$(median < "$OUT/ring.txt")
  printf '%-22s %16s %16.0f %8s\n' ring-ceiling - "$ring" -
  awk -v a="$ours" -v b="$ring" 'BEGIN { if (b > 0) printf "# a2 reaches %.0f%% of the bare-ring ceiling (RingChain, run after each a2 repetition)\n", 100 * a / b }'
fi
if [[ " ${SCENARIOS[*]} " == *" c_http "* ]]; then
  col() { awk -v n="$1" -v c="$2" '$1 == n { print $c }' "$OUT/http.txt" | median; }
  ours=$(col z8run 2); bare=$(col bare 2)
  peer=$(awk '$1 == "c_http" { print $2 }' "$OUT/node-red.txt")
  peer_p99=$(sed -n 's/^# c_http:.* p99_ms=\([0-9.]*\).*/\1/p' "$OUT/node-red.err" 2>/dev/null | head -1)
  peer_mb=$(awk '$1 == "c_http" { print $3 }' "$OUT/node-red.txt")
  ratio=$(awk -v a="$ours" -v b="$peer" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }')
  printf '%-22s %16s %16s %8s %12s %12s\n' c_http "${peer:--}" "$ours" "$ratio" "${peer_mb:--}" "$(col z8run 3)"
  echo
  printf '%-22s %12s %12s %12s %12s\n' c_http req/s p50_ms p99_ms RSS_MB
  printf '%-22s %12s %12s %12s %12s\n' node-red "${peer:--}" - "${peer_p99:--}" "${peer_mb:--}"
  printf '%-22s %12s %12s %12s %12s\n' z8run "$ours" "$(col z8run 4)" "$(col z8run 5)" "$(col z8run 3)"
  printf '%-22s %12s %12s %12s %12s\n' bare-helidon "$bare" "$(col bare 4)" "$(col bare 5)" "$(col bare 3)"
  awk -v a="$ours" -v b="$bare" 'BEGIN { if (b > 0) printf "# z8run reaches %.0f%% of the bare Helidon route (medians)\n", 100 * a / b }'
  # per round: ours against the bare route's window right after it
  awk '$1 == "z8run" { o[$6] = $2; op[$6] = $5 } $1 == "bare" { b[$6] = $2; bp[$6] = $5 }
    END { for (r in o) if (r in b && b[r] > 0) {
            printf "%s %.1f %d\n", r, 100 * o[r] / b[r], (op[r] <= bp[r]) }
    }' "$OUT/http.txt" | sort -n > "$OUT/rounds.txt"
  ratios=$(awk '{ printf "%s%%%s", $2, (NR < n ? " " : "") }' n="$(wc -l < "$OUT/rounds.txt")" "$OUT/rounds.txt")
  echo "# per round (ours / the bare window after it): $ratios; median $(awk '{ print $2 }' "$OUT/rounds.txt" | median)%; p99 no worse than the bare route's in $(awk '{ s += $3 } END { print s }' "$OUT/rounds.txt") of $(wc -l < "$OUT/rounds.txt") rounds"
  if [ -s "$OUT/openloop.txt" ]; then # the fixed-rate rounds: medians per rate and server
    echo
    echo "# open loop (OpenLoopHttp -c$CONNS, fixed rate, latency from each request's scheduled time), medians of $C_ROUNDS rounds:"
    printf '%10s %-14s %10s %8s %8s %8s %9s %8s %7s\n' rate_req/s server achieved p50_ms p90_ms p99_ms p99.9_ms max_ms errors
    for rate in $(awk '{ print $2 }' "$OUT/openloop.txt" | sort -gu); do
      for name in z8run bare; do
        ol() { awk -v n="$name" -v r="$rate" -v c="$1" '$1 == n && $2 == r { print $c }' "$OUT/openloop.txt" | median; }
        printf '%10s %-14s %10s %8s %8s %8s %9s %8s %7s\n' "$rate" "$([ "$name" = bare ] && echo bare-helidon || echo z8run)" \
          "$(ol 3)" "$(ol 4)" "$(ol 5)" "$(ol 6)" "$(ol 7)" "$(ol 8)" \
          "$(awk -v n="$name" -v r="$rate" '$1 == n && $2 == r { s += $9 } END { print s + 0 }' "$OUT/openloop.txt")"
      done
      awk -v r="$rate" '$2 == r && $1 == "z8run" { o[$10] = $6 } $2 == r && $1 == "bare" { b[$10] = $6 }
        END { n = 0; w = 0; for (k in o) if (k in b) { n++; if (o[k] <= b[k]) w++ }
              printf "# open loop at %s req/s: z8run'"'"'s p99 no worse than the bare route'"'"'s in %d of %d rounds (errors summed over rounds)\n", r, w, n }' "$OUT/openloop.txt"
    done
  fi
fi
data_tables
echo "# $(nproc) cores, medians of $REPS x ${DUR_MS} ms after ${WARM_MS} ms warm-up; msgs/s counted at the sink (c_http: requests/s, wrk -t1 -c$CONNS, $C_ROUNDS alternating rounds of ${C_DUR_MS} ms after ${C_WARM_MS} ms); MB = resident set size at the end of the run"
