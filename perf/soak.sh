#!/usr/bin/env bash
# Soak test: 20 minutes of mixed load on a 512 MiB heap (perf/soak.py; perf/README.md).
#   perf/soak.sh                      # 1200 s
#   SOAK_SECONDS=120 perf/soak.sh     # a short run
# Builds api/target/z8run.jar unless SOAK_SKIP_BUILD=1.
set -euo pipefail
cd "$(dirname "$0")/.."
. bin/jdk.sh
if [[ "${SOAK_SKIP_BUILD:-0}" != 1 ]]; then
  mvn -B -q -DskipTests -Dspotless.check.skip=true package -pl api -am
fi
exec python3 perf/soak.py
