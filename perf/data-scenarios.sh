# Scenarios e and f of perf/compare.sh (sourced by it: uses $OUT, $REPS, $DUR_MS, $WARM_MS, $JVM).
#
# e_mqtt_qos0 / e_mqtt_qos1: mqtt-in -> change (payload.hop) -> mqtt-out through the local Mosquitto
#   ($MQTT_HOST:$MQTT_PORT, default 127.0.0.1:1883), in z8run (the runnable jar serving
#   perf/flows/e-mqtt-qos<q>.json) and in Node-RED (its core MQTT nodes, perf/peers/node-red/
#   e-mqtt-qos<q>.json, node-red installed from npm into $NR_WORK), each in its own process and
#   driven by the same generator (dev.z8run.perf.harness.MqttLoad: at most $MQTT_WINDOW messages
#   between sent and received; latency from publish to receipt). The row "bare" is the ceiling: a
#   bare HiveMQ client echoing in -> out, no engine (dev.z8run.perf.harness.MqttEcho); the row "raw"
#   the same echo with MQTT 3.1.1 framed by hand on a socket, no client library (RawMqttEcho).
#   cpu_us/msg: the CPU time the engine (or echo) process used per message in the measured window,
#   from /proc: the figure a loaded machine disturbs least; broker_us the broker's (the process
#   listening on $MQTT_PORT, or $MQTT_BROKER_PID; it counts other clients' traffic too), load_us the
#   generator's own. The generator frames MQTT by hand on two sockets (RawMqtt); MQTT_GEN=hivemq
#   runs it on the HiveMQ client as before (which cost more CPU per message than the engines).
# f_db_inserts: rows/s into PostgreSQL ($PG_URL): the database node in batch mode, one INSERT per
#   message, the JDBC ceiling (a plain addBatch/executeBatch loop) and, for the insert-per-message row,
#   plain JDBC with one auto-committed INSERT per row on 10 connections; dev.z8run.perf.harness.DbLoad,
#   run with the launcher's JVM options and MALLOC_ARENA_MAX=2 (bin/z8run, bin/jvm.options: Serial GC,
#   16 MiB heap growing to 512 MiB),
#   so its RSS is the figure `bin/z8run` would show. cpu_ns/row: the CPU the process used per row.

MQTT_HOST="${MQTT_HOST:-127.0.0.1}"
MQTT_PORT="${MQTT_PORT:-1883}"
MQTT_WINDOW="${MQTT_WINDOW:-1000}"
# topic prefix: the broker is shared, so two runs at once need different prefixes (MQTT_PREFIX=h16a)
MQTT_PREFIX="${MQTT_PREFIX:-h15bench}"
PG_URL="${PG_URL:-${Z8_TEST_PG_URL:-jdbc:postgresql://127.0.0.1:5432/test?user=postgres}}"
NR_WORK="${NR_WORK:-${TMPDIR:-/tmp}/z8-data-node-red}"
NR_VERSION="${NR_VERSION:-4.1.15}"
LOAD=(java @perf/target/classes/z8run-jvm.flags -Xmx512m -cp perf/target/z8run-perf.jar)
DB_LOAD=(env MALLOC_ARENA_MAX=2 java @perf/target/classes/z8run-jvm.flags @bin/jvm.options -Dagrona.disable.bounds.checks=true -cp perf/target/z8run-perf.jar)
# the broker's process (the one listening on $MQTT_PORT), when this machine runs it: MqttLoad prints
# its CPU per message too (broker_us), beside the generator's own (load_us)
if [ -z "${MQTT_BROKER_PID:-}" ] && command -v ss >/dev/null; then
  MQTT_BROKER_PID=$(ss -ltnpH "sport = :$MQTT_PORT" 2>/dev/null | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1 || true)
fi
export MQTT_BROKER_PID

wait_http() { for _ in $(seq 300); do curl -s -o /dev/null -m 1 "$1" && return 0; sleep 0.1; done; return 1; }

mqtt_z8run() { # qos -> appends "e_mqtt_qos<q> z8run msgs/s p50 p99 rss" to $OUT/data.txt
  local q=$1 port=18813 data="$OUT/e-data-$RANDOM"
  sed "s#h15bench/#$MQTT_PREFIX/#g" "perf/flows/e-mqtt-qos$q.json" > "$OUT/e-mqtt-qos$q.json"
  # the launcher's JVM options (bin/jvm.options), as bin/z8run and compare.sh's other scenarios run
  env Z8_PORT=$port Z8_DATA_DIR="$data" Z8_LOG_LEVEL=warn Z8_HTTP_ALLOW=127.0.0.0/8,::1 \
    java @bin/jvm.options -jar api/target/z8run.jar serve --deploy "$OUT/e-mqtt-qos$q.json" \
    > "$OUT/e-z8run.log" 2>&1 &
  local pid=$!
  wait_http "http://127.0.0.1:$port/api/v1/health" || { echo "[compare] z8run did not start: $(tail -3 "$OUT/e-z8run.log")" >&2; kill "$pid"; return 1; }
  local line
  line=$("${LOAD[@]}" dev.z8run.perf.harness.MqttLoad z8run "$MQTT_HOST" "$MQTT_PORT" "$q" "$DUR_MS" "$WARM_MS" "$MQTT_WINDOW" "$MQTT_PREFIX/e$q" "$pid" 2>>"$OUT/e-load.err")
  local rss; rss=$(awk '{printf "%.1f", $1/1024}' <<<"$(ps -o rss= -p "$pid")")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "[compare] e_mqtt_qos$q $line rss=${rss}MB" >&2
  echo "e_mqtt_qos$q $line rss=$rss" >> "$OUT/data.txt"
}

mqtt_node_red() { # qos
  local q=$1 port=18814
  if [ ! -f "$NR_WORK/node_modules/node-red/red.js" ]; then
    echo "[compare] installing node-red@$NR_VERSION into $NR_WORK ..." >&2
    mkdir -p "$NR_WORK"
    npm install --prefix "$NR_WORK" --no-audit --no-fund --loglevel=error "node-red@$NR_VERSION" >&2
  fi
  local ud="$OUT/nr-userdir-$RANDOM"; mkdir -p "$ud"
  cat > "$ud/settings.js" <<NRS
module.exports = { uiHost: "127.0.0.1", uiPort: $port, userDir: "$ud", flowFile: "flows.json",
  credentialSecret: false, disableEditor: true, httpAdminRoot: "/", httpNodeRoot: "/",
  diagnostics: { enabled: false, ui: false }, runtimeState: { enabled: false, ui: false },
  telemetry: { enabled: false, updateNotification: false },
  logging: { console: { level: "warn", metrics: false, audit: false } } };
NRS
  node "$NR_WORK/node_modules/node-red/red.js" -s "$ud/settings.js" > "$OUT/e-node-red.log" 2>&1 &
  local pid=$!
  wait_http "http://127.0.0.1:$port/flows" || { echo "[compare] node-red did not start" >&2; kill "$pid"; return 1; }
  curl -s -o /dev/null -X POST "http://127.0.0.1:$port/flows" -H 'Content-Type: application/json' \
    -H 'Node-RED-Deployment-Type: full' --data-binary "$(sed "s#h15bench/#$MQTT_PREFIX/#g" "perf/peers/node-red/e-mqtt-qos$q.json")"
  local line
  line=$("${LOAD[@]}" dev.z8run.perf.harness.MqttLoad node-red "$MQTT_HOST" "$MQTT_PORT" "$q" "$DUR_MS" "$WARM_MS" "$MQTT_WINDOW" "$MQTT_PREFIX/e$q" "$pid" 2>>"$OUT/e-load.err")
  local rss; rss=$(awk '{printf "%.1f", $1/1024}' <<<"$(ps -o rss= -p "$pid")")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "[compare] e_mqtt_qos$q $line rss=${rss}MB" >&2
  echo "e_mqtt_qos$q $line rss=$rss" >> "$OUT/data.txt"
}

mqtt_bare() { # qos: the ceiling, a bare HiveMQ client echoing in -> out (dev.z8run.perf.harness.MqttEcho)
  local q=$1
  java -Xmx256m -cp perf/target/z8run-perf.jar dev.z8run.perf.harness.MqttEcho "$MQTT_HOST" "$MQTT_PORT" "$q" "$MQTT_PREFIX/e$q" rx \
    > "$OUT/e-bare.log" 2>&1 &
  local pid=$!
  local line
  line=$("${LOAD[@]}" dev.z8run.perf.harness.MqttLoad bare "$MQTT_HOST" "$MQTT_PORT" "$q" "$DUR_MS" "$WARM_MS" "$MQTT_WINDOW" "$MQTT_PREFIX/e$q" "$pid" 2>>"$OUT/e-load.err")
  local rss; rss=$(awk '{printf "%.1f", $1/1024}' <<<"$(ps -o rss= -p "$pid")")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "[compare] e_mqtt_qos$q $line rss=${rss}MB" >&2
  echo "e_mqtt_qos$q $line rss=$rss" >> "$OUT/data.txt"
}

mqtt_raw() { # qos: the client's share of the ceiling, an echo with MQTT framed by hand (dev.z8run.perf.harness.RawMqttEcho)
  local q=$1
  java -Xmx256m -cp perf/target/z8run-perf.jar dev.z8run.perf.harness.RawMqttEcho "$MQTT_HOST" "$MQTT_PORT" "$q" "$MQTT_PREFIX/e$q" \
    > "$OUT/e-raw.log" 2>&1 &
  local pid=$!
  local line
  line=$("${LOAD[@]}" dev.z8run.perf.harness.MqttLoad raw "$MQTT_HOST" "$MQTT_PORT" "$q" "$DUR_MS" "$WARM_MS" "$MQTT_WINDOW" "$MQTT_PREFIX/e$q" "$pid" 2>>"$OUT/e-load.err")
  local rss; rss=$(awk '{printf "%.1f", $1/1024}' <<<"$(ps -o rss= -p "$pid")")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "[compare] e_mqtt_qos$q $line rss=${rss}MB" >&2
  echo "e_mqtt_qos$q $line rss=$rss" >> "$OUT/data.txt"
}

mqtt_run() { mqtt_z8run "$1"; mqtt_node_red "$1"; mqtt_bare "$1"; mqtt_raw "$1"; }

db_run() {
  local m line
  for m in batch single jdbc jdbc1; do
    line=$("${DB_LOAD[@]}" dev.z8run.perf.harness.DbLoad "$m" "$DUR_MS" "$WARM_MS" "$PG_URL" 2>>"$OUT/f-load.err")
    echo "[compare] $line" >&2
    echo "$line" >> "$OUT/data.txt"
  done
}

data_tables() {
  [ -f "$OUT/data.txt" ] || return 0
  dmed() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "" } else if (NR % 2) { print v[(NR + 1) / 2] } else { print (v[NR / 2] + v[NR / 2 + 1]) / 2 } }'; }
  local q
  if grep -q '^e_mqtt' "$OUT/data.txt"; then
    echo
    printf '%-14s %-9s %12s %10s %10s %8s %10s %10s %10s %14s\n' scenario engine msgs/s p50_ms p99_ms RSS_MB cpu_us/msg broker_us load_us "ratio(z8/NR)"
    for q in 0 1; do
      grep -q "^e_mqtt_qos$q " "$OUT/data.txt" || continue
      local z nr
      z=$(awk -v s="e_mqtt_qos$q" '$1 == s && $2 == "z8run" { print $3 }' "$OUT/data.txt" | dmed)
      nr=$(awk -v s="e_mqtt_qos$q" '$1 == s && $2 == "node-red" { print $3 }' "$OUT/data.txt" | dmed)
      for engine in node-red z8run bare raw; do
        grep -q "^e_mqtt_qos$q $engine " "$OUT/data.txt" || continue
        col() { awk -v s="e_mqtt_qos$q" -v e="$engine" -v c="$1" '$1 == s && $2 == e { v = $c; sub(/^[a-z_]+=/, "", v); print v }' "$OUT/data.txt" | dmed; }
        printf '%-14s %-9s %12.0f %10s %10s %8s %10s %10s %10s %14s\n' "e_mqtt_qos$q" "$engine" "$(col 3)" "$(col 4)" "$(col 5)" "$(col 11)" "$(col 8)" "$(col 9)" "$(col 10)" \
          "$( [ $engine = z8run ] && awk -v a="$z" -v b="$nr" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }' || echo)"
      done
    done
  fi
  if grep -q '^f_' "$OUT/data.txt"; then
    echo
    # batch mode against the batched loop, insert/message against one auto-committed row per statement
    local ceiling; ceiling=$(awk '$1 == "f_jdbc" { print $2 }' "$OUT/data.txt" | dmed)
    local ceiling1; ceiling1=$(awk '$1 == "f_jdbc1" { print $2 }' "$OUT/data.txt" | dmed)
    printf '%-24s %12s %12s %8s %12s\n' "f (PostgreSQL inserts)" rows/s of_ceiling RSS_MB cpu_ns/row
    for m in batch jdbc single jdbc1; do
      grep -q "^f_$m " "$OUT/data.txt" || continue
      local r mb c cpu
      r=$(awk -v s="f_$m" '$1 == s { print $2 }' "$OUT/data.txt" | dmed)
      mb=$(awk -v s="f_$m" '$1 == s { print $3 }' "$OUT/data.txt" | dmed)
      cpu=$(awk -v s="f_$m" '$1 == s && $4 ~ /^cpu_ns_per_row=/ { v = $4; sub(/^cpu_ns_per_row=/, "", v); print v }' "$OUT/data.txt" | dmed)
      case $m in batch | jdbc) c=$ceiling ;; *) c=$ceiling1 ;; esac
      printf '%-24s %12.0f %11s%% %8s %12s\n' "$( case $m in batch) echo 'z8run batch mode';; single) echo 'z8run insert/message';; jdbc) echo 'JDBC batched (ceiling)';; jdbc1) echo 'JDBC row/stmt (ceiling)';; esac)" \
        "$r" "$(awk -v a="$r" -v b="$c" 'BEGIN { if (b > 0) printf "%.0f", 100 * a / b; else print "-" }')" "$mb" "$cpu"
    done
  fi
}
