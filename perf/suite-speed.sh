#!/usr/bin/env bash
# How long the unit suite takes on a clean checkout, at two commits, side by side.
#
#   perf/suite-speed.sh                      # 4261653 (before the package layout) vs fef8d0e (right after)
#   perf/suite-speed.sh OLD NEW              # any two commits of this repository
#   REPS=5 perf/suite-speed.sh OLD NEW       # rounds (default 3); each round runs OLD then NEW
#   perf/suite-speed.sh --once DIR           # one clean run in DIR (a checkout): what each round times
#   LOGS=/tmp/suite-logs perf/suite-speed.sh # keep Maven's output of every run (OLD.log, NEW.log)
#
# Each commit is cloned once into a temporary directory (kept until the script ends). A run is
# `git clean -fdxq -e node_modules` (a clean checkout; the editor's node_modules is kept so that no
# run waits for npm) followed by `mvn -o -q test`, the unit suite: what `bin/test --unit` runs today,
# and at 4261653 the `test` phase of `bin/test` (which then included the browser tests). The two
# commits run in turn, OLD NEW OLD NEW ..., so a machine whose load drifts slows both alike; the
# figure to quote is the median of the per-round ratios NEW/OLD (below 1: NEW is faster). The
# machine's load average is printed with every run: compare only figures taken at a like load. Each
# run also prints its CPU time (user + sys of Maven and every fork: load from other processes
# stretches the wall time far more than it does this) and the tests it ran, failed and errored
# (summed over the surefire XML reports), and the median NEW/OLD ratio of CPU time beside that of wall.
# The first clone of an old commit may need its Maven plugins: run `mvn -q test` there once without
# -o. Needs /usr/bin/time (apt-get install time). SUITE_ARGS adds Maven arguments to every run, e.g.
# SUITE_ARGS=-Dmaven.test.failure.ignore=true so that an old commit's flaky test does not stop its
# run short of the last module (the exit column then still shows 0; count failures in LOGS).
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"

once() {
  cd "$1"
  . bin/jdk.sh >/dev/null
  git clean -fdxq -e node_modules
  # shellcheck disable=SC2086 # SUITE_ARGS is a list of Maven arguments
  mvn -o -q test ${SUITE_ARGS:-}
}

if [ "${1:-}" = "--once" ]; then
  [ -d "${2:-}" ] || { echo "usage: perf/suite-speed.sh --once DIR" >&2; exit 2; }
  once "$2"
  exit
fi

OLD="${1:-4261653}"
NEW="${2:-fef8d0e}"
REPS="${REPS:-3}"
command -v /usr/bin/time >/dev/null || { echo "[suite-speed] /usr/bin/time is needed (apt-get install time)" >&2; exit 2; }
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
LOGS="${LOGS:-$WORK}"
mkdir -p "$LOGS"
for side in OLD NEW; do
  commit="${!side}"
  git clone -q "$ROOT" "$WORK/$side"
  git -C "$WORK/$side" checkout -q "$commit"
done

# one timed run: prints "wall user sys maxrss_kb exit" (the time of the run and all its children)
timed() {
  local log="$LOGS/$1.log"
  /usr/bin/time -f '%e %U %S %M %x' -o "$WORK/time" "$ROOT/perf/suite-speed.sh" --once "$WORK/$1" >>"$log" 2>&1 || true
  cat "$WORK/time" | tail -1
}

# the tests the last run of a side ran, from surefire's XML: prints "tests failures errors skipped"
counted() {
  find "$WORK/$1" -path '*/target/surefire-reports/TEST-*.xml' -not -path '*/node_modules/*' -print0 |
    xargs -0 -r sed -n 's/.*<testsuite \(.*\)>.*/\1/p' |
    awk '{
      for (i = 1; i <= NF; i++) if (split($i, kv, "=") == 2) { gsub(/"/, "", kv[2]); n[kv[1]] += kv[2] }
    } END { printf "%d %d %d %d\n", n["tests"], n["failures"], n["errors"], n["skipped"] }'
}

# the median of the numbers on stdin
median() {
  sort -g | awk '{ r[NR] = $1 } END { print (NR % 2) ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2 }'
}

# cpu_s is user + sys of the whole run (Maven, the compiler, the surefire forks): load from other
# processes lengthens the wall time far more than it does the CPU time
printf '%-5s %-4s %8s %8s %7s %7s %9s %6s %5s %4s %5s  %s\n' \
  round side wall_s cpu_s user_s sys_s maxrss_MB tests fail err exit load1
walls=() cpus=()
for ((r = 1; r <= REPS; r++)); do
  declare -A wall=() cpu=()
  for side in OLD NEW; do
    load="$(cut -d' ' -f1 /proc/loadavg)"
    read -r w u s m x < <(timed "$side")
    read -r t f e _ < <(counted "$side")
    wall[$side]=$w
    cpu[$side]="$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.1f", u + s }')"
    printf '%-5s %-4s %8.1f %8.1f %7.1f %7.1f %9.0f %6d %5d %4d %5s  %s\n' \
      "$r" "$side" "$w" "${cpu[$side]}" "$u" "$s" "$((m / 1024))" "$t" "$f" "$e" "$x" "$load"
  done
  walls+=("$(awk -v n="${wall[NEW]}" -v o="${wall[OLD]}" 'BEGIN { printf "%.3f", n / o }')")
  cpus+=("$(awk -v n="${cpu[NEW]}" -v o="${cpu[OLD]}" 'BEGIN { printf "%.3f", n / o }')")
done
for kind in wall cpu; do
  declare -n list="${kind}s"
  printf '%s NEW/OLD (%s/%s) per round: %s, median %s\n' "$kind" "$NEW" "$OLD" \
    "$(printf '%s ' "${list[@]}")" "$(printf '%s\n' "${list[@]}" | median)"
done
[ "$LOGS" != "$WORK" ] && echo "Maven's output of every run: $LOGS/OLD.log, $LOGS/NEW.log"
