# Helpers of the benchmark scripts: build, start the bench server, run wrk, read numbers.
set -euo pipefail
BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${FABTRACE_CACHE:-$HOME/.cache/fabtrace}/build/cmake
SERVER=$BUILD/bench/trace_bench_server
PORT=${BENCH_PORT:-18990}
DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=${BENCH_CONNECTIONS:-8}
# Cores for the pinned benchmarks: the service on the first core this process may use, the
# load generator and the sink on the second (the same one on a one-core machine).
read -r -a BENCH_CPUS < <(python3 -c 'import os; print(*sorted(os.sched_getaffinity(0)))')
SERVICE_CPU=${BENCH_SERVICE_CPU:-${BENCH_CPUS[0]}}
LOAD_CPU=${BENCH_LOAD_CPU:-${BENCH_CPUS[1]:-${BENCH_CPUS[0]}}}

bench_build() { cmake --build "$BUILD" --target trace_bench_server >/dev/null; }

# The Collector's internal door wants the install's token (scripts/secrets.sh): exported
# here, so it never appears on a command line.
BENCH_SECRETS=${FABTRACE_STATE:-$([[ $(id -u) == 0 ]] && echo /var/lib/fabtrace || echo "${XDG_STATE_HOME:-$HOME/.local/state}/fabtrace")}/secrets/landscape.env
if [[ -r $BENCH_SECRETS ]]; then
  OTEL_EXPORTER_OTLP_HEADERS="authorization=Bearer%20$(sed -n 's/^FT_OTLP_TOKEN=//p' "$BENCH_SECRETS")"
  export OTEL_EXPORTER_OTLP_HEADERS
fi

# bench_start ENV...: starts the server with extra environment, waits for it.
bench_start() {
  env PORT="$PORT" LOG_LEVEL=warn "$@" "$SERVER" >"/tmp/bench-server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz" && return; sleep 0.1; done
  echo "bench server did not start" >&2
  exit 1
}

bench_stop() { kill "$SERVER_PID" && wait "$SERVER_PID" 2>/dev/null || true; }

# bench_wrk PATH: prints "<requests/s> <p99 ms>"
bench_wrk() {
  local out
  out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$PORT$1")
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}' <<<"$out")
  echo "$rps $p99"
}

bench_metric() { curl -fs "http://127.0.0.1:$PORT/metrics" | awk -v name="$1" '$1 == name {print $2}'; }
