#!/usr/bin/env bash
# Latency at a fixed request rate (open loop: vegeta sends at the rate whatever the answers
# do, unlike wrk), tracing off vs on (our export path, and the previous one), in one run:
# p50, p99 and p99.9 per mode and rate, the ratio to off, and the spans dropped.
#   bench/latency_fixed_rate.sh [route]      (default /ping; BENCH_RATES="500 2000")
# vegeta (pinned below) is built once from the Go module proxy into the fabtrace cache.
. "$(dirname "$0")/lib.sh"
bench_build
ROUTE=${1:-/ping}
RATES=(${BENCH_RATES:-500 2000})
SINK_PORT=${BENCH_SINK_PORT:-18991}
VEGETA_VERSION=v12.13.0
CACHE=${FABTRACE_CACHE:-$HOME/.cache/fabtrace}
VEGETA=$CACHE/bin/vegeta-$VEGETA_VERSION/vegeta
if [[ ! -x $VEGETA ]]; then
  echo "building vegeta $VEGETA_VERSION (once)" >&2
  env GOMODCACHE="$CACHE/go/mod" GOCACHE="$CACHE/go/build" GOFLAGS=-buildvcs=false GOBIN="$(dirname "$VEGETA")" \
    go install -trimpath -ldflags='-s -w' "github.com/tsenart/vegeta/v12@$VEGETA_VERSION" >&2
fi

taskset -c 1 python3 "$BENCH_ROOT/bench/otlp_sink.py" "$SINK_PORT" >/dev/null &
SINK_PID=$!
trap 'kill $SINK_PID 2>/dev/null || true' EXIT

# run LABEL RATE ENV...: prints "label rate p50_ms p99_ms p999_ms success dropped"
run() {
  local label=$1 rate=$2 report
  shift 2
  env PORT="$PORT" LOG_LEVEL=warn OTEL_SERVICE_NAME=bench-server OTEL_BSP_SCHEDULE_DELAY=500 "$@" \
    taskset -c 0 "$SERVER" >"/tmp/bench-server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.1; done
  echo "GET http://127.0.0.1:$PORT$ROUTE" | taskset -c 1 "$VEGETA" attack -rate="$rate" -duration=2s >/dev/null
  report=$(echo "GET http://127.0.0.1:$PORT$ROUTE" |
    taskset -c 1 "$VEGETA" attack -rate="$rate" -duration="$DURATION" | "$VEGETA" report -type=json)
  python3 -c '
import json, sys
r = json.loads(sys.argv[1]); l = r["latencies"]
print(sys.argv[2], sys.argv[3], l["50th"] / 1e6, l["99th"] / 1e6, l["99.9th"] / 1e6, r["success"], sys.argv[4] or 0)
' "$report" "$label" "$rate" "$(bench_metric fabtrace_spans_dropped_total)"
  bench_stop
}

on=(OTEL_TRACES_SAMPLER=always_on OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$SINK_PORT OTEL_EXPORTER_OTLP_HEADERS=)
results=$(
  for rate in "${RATES[@]}"; do
    run off "$rate" OTEL_SDK_DISABLED=true
    run compact "$rate" "${on[@]}"
    run sync "$rate" "${on[@]}" FABTRACE_SPAN_EXPORT=sync
  done
)
echo "GET $ROUTE at a fixed rate (vegeta, open loop), service on CPU 0, load and sink on CPU 1, $DURATION a run"
awk '
  $1 == "off" {p50[$2] = $3; p99[$2] = $4; p999[$2] = $5}
  {rows[NR] = $0}
  END {
    printf "  %-8s %6s %9s %9s %9s %8s %8s %9s %8s\n", "mode", "rate", "p50 ms", "p99 ms", "p99.9 ms", "p99/off", "p999/off", "success", "dropped"
    for (i = 1; i <= NR; i++) {
      split(rows[i], f, " ")
      printf "  %-8s %6d %9.3f %9.3f %9.3f %8.3f %8.3f %9.4f %8s\n", f[1], f[2], f[3], f[4], f[5], f[4] / p99[f[2]], f[5] / p999[f[2]], f[6], f[7]
    }
  }' <<<"$results"
