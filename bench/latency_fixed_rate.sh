#!/usr/bin/env bash
# Latency at a fixed request rate (open loop: vegeta sends at the rate whatever the answers
# do, unlike wrk), tracing off vs on (ours, and our export path behind the SDK's tracer), in one run:
# p50, p99 and p99.9 per mode and rate, the ratio to off, and the spans dropped.
#   bench/latency_fixed_rate.sh [route]      (default /ping; BENCH_RATES="500 2000")
#   A route "shop:/materials" is asked of the real Shop API, with the database of a running
#   landscape behind it (./fabtrace up; see bench/shop_routes.sh).
# vegeta (bench_vegeta) is built once from the Go module proxy into the fabtrace cache.
. "$(dirname "$0")/lib.sh"
bench_build
ROUTE=${1:-/ping}
TARGET=("$SERVER") SETTINGS=(PORT="$PORT" LOG_LEVEL=warn OTEL_SERVICE_NAME=bench-server)
if [[ $ROUTE == shop:* ]]; then
  bench_shop_api_prepare
  TARGET=("$SHOP_API") SETTINGS=("${SHOP_API_ENV[@]}") ROUTE=${ROUTE#shop:}
fi
RATES=(${BENCH_RATES:-500 2000})
bench_vegeta

bench_sink_start

# At most CONNECTIONS (BENCH_CONNECTIONS, 8) keep-alive connections, as wrk's runs: vegeta
# otherwise opens a connection per stalled worker, and the services serve a connection per
# worker thread (cpp-httplib), so a burst of new connections waits for a free thread and the
# table would show that queue rather than what tracing costs.
ATTACK=(attack -max-connections="$CONNECTIONS" -workers="$CONNECTIONS")

# run LABEL RATE ENV...: prints "label rate p50_ms p99_ms p999_ms success dropped"
run() {
  local label=$1 rate=$2 report
  shift 2
  env "${SETTINGS[@]}" OTEL_BSP_SCHEDULE_DELAY=500 "$@" \
    taskset -c "$SERVICE_CPU" "${TARGET[@]}" >"/tmp/bench-server.log" 2>&1 &
  SERVER_PID=$!
  bench_wait_ready "http://127.0.0.1:$PORT/healthz"
  echo "GET http://127.0.0.1:$PORT$ROUTE" | taskset -c "$LOAD_CPU" "$VEGETA" "${ATTACK[@]}" -rate="$rate" -duration="$WARMUP" >/dev/null
  # Every request's latency (vegeta's CSV: timestamp, status, latency in ns, ...).
  echo "GET http://127.0.0.1:$PORT$ROUTE" |
    taskset -c "$LOAD_CPU" "$VEGETA" "${ATTACK[@]}" -rate="$rate" -duration="$DURATION" | "$VEGETA" encode --to csv >/tmp/bench-vegeta.csv
  python3 - "$label" "$rate" "$(bench_metric fabtrace_spans_dropped_total)" <<'EOF'
import csv, sys
rows = list(csv.reader(open("/tmp/bench-vegeta.csv")))
latencies = sorted(int(row[2]) for row in rows)
ok = sum(1 for row in rows if row[1] == "200")
at = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] / 1e6
print(sys.argv[1], sys.argv[2], at(0.50), at(0.99), at(0.999), ok / len(rows), sys.argv[3] or 0)
EOF
  bench_stop
}

on=(OTEL_TRACES_SAMPLER=always_on OTEL_EXPORTER_OTLP_ENDPOINT=$SINK OTEL_EXPORTER_OTLP_HEADERS=)
# The machine is noisy (a VM): the modes take turns for BENCH_ROUNDS rounds, and each
# mode's median round (by p99) is reported.
ROUNDS=${BENCH_ROUNDS:-3}
results=$(
  for rate in "${RATES[@]}"; do
    for _ in $(seq "$ROUNDS"); do
      run off "$rate" OTEL_SDK_DISABLED=true
      run compact "$rate" "${on[@]}"
      run sdk-tracer "$rate" "${on[@]}" FABTRACE_TRACER=sdk
    done
  done
)
results=$(sort -k2,2n -k1,1 -k4,4g <<<"$results" | awk -v rounds="$ROUNDS" '
  {key = $2 " " $1; count[key]++; if (count[key] == int((rounds + 1) / 2)) print}' |
  awk '{order = ($1 == "off" ? 0 : $1 == "compact" ? 1 : 2); print $2, order, $0}' | sort -k1,1n -k2,2n | cut -d" " -f3-)
echo "GET $ROUTE at a fixed rate (vegeta, open loop), service on CPU $SERVICE_CPU, load and sink on CPU $LOAD_CPU, $DURATION a run, median of $ROUNDS rounds"
awk '
  $1 == "off" {p50[$2] = $3; p99[$2] = $4; p999[$2] = $5}
  {rows[NR] = $0}
  END {
    printf "  %-11s %6s %9s %9s %9s %8s %8s %9s %8s\n", "mode", "rate", "p50 ms", "p99 ms", "p99.9 ms", "p99/off", "p999/off", "success", "dropped"
    for (i = 1; i <= NR; i++) {
      split(rows[i], f, " ")
      printf "  %-11s %6d %9.3f %9.3f %9.3f %8.3f %8.3f %9.4f %8s\n", f[1], f[2], f[3], f[4], f[5], f[4] / p99[f[2]], f[5] / p999[f[2]], f[6], f[7]
    }
  }' <<<"$results"
