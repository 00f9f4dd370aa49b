#!/usr/bin/env bash
# Distributed-flow throughput with 1, 2 and 3 cluster members on this machine (docs/cluster.md):
# each row starts that many processes of the runnable jar on the NATS JetStream server
# ($NATS, default the local one of bin/services), under a cluster prefix of its own that is
# deleted afterwards, and runs dev.z8run.perf.cluster.ClusterBench.
#
#   perf/cluster.sh                 # MESSAGES=20000 per row
#   MESSAGES=50000 perf/cluster.sh
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$ROOT"
. bin/jdk.sh
NATS="${NATS:-nats://127.0.0.1:4222}"
MESSAGES="${MESSAGES:-20000}"
if [ "${SKIP_BUILD:-}" != 1 ]; then
  echo "[cluster] building the jar and the benchmark ..." >&2
  mvn -B -q -DskipTests -Dspotless.check.skip=true package -pl api,perf -am >&2
fi
BENCH=(java @perf/target/classes/z8run-jvm.flags -Xmx512m -cp perf/target/z8run-perf.jar
  dev.z8run.perf.cluster.ClusterBench api/target/z8run.jar "$NATS")
echo "| members | distributed hops | throughput msg/s | p99 at that rate ms | p50 at 500/s ms | p99 at 500/s ms |"
echo "|---|---|---|---|---|---|"
for members in 1 2 3; do
  "${BENCH[@]}" "$members" 1 "$MESSAGES"
done
"${BENCH[@]}" 1 2 "$MESSAGES"
