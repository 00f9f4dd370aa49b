# Functions the perf scripts share; sourced (`. perf/lib.sh`) from the repository's root.

# require_free_port PORT [PREFIX] [HINT]: exits the script with status 1, after printing
# "${PREFIX}port PORT is in use${HINT}" to stderr, when something answers HTTP on 127.0.0.1:PORT
# (a server left there would answer in place of the one the script starts).
require_free_port() {
  if curl -s -o /dev/null -m 1 "http://127.0.0.1:$1/"; then
    echo "${2:-}port $1 is in use${3:-}" >&2
    exit 1
  fi
}
