#!/usr/bin/env bash
# What tracing costs the service, measured in one run: the bench server pinned to one
# core (taskset), wrk and the OTLP sink on the other, saturated for BENCH_DURATION per
# mode. For each mode: requests/s, p99, the service's CPU per request from
# /proc/<pid>/stat (user + system), the spans per request, exported and dropped.
#   modes: off (OTEL_SDK_DISABLED), ours (compact: our tracer and export path, the
#   default), our export path behind opentelemetry-cpp's own tracer (sdk-tracer: before
#   the direct tracer), the library's packaged tracer and exporter (stock), and ours with
#   nothing listening (collector down).
#   bench/cpu_per_request.sh [route]       (default /ping; /work makes 4 spans a request)
# The real Shop API routes, with PostgreSQL behind them: bench/shop_routes.sh.
. "$(dirname "$0")/lib.sh"
bench_build
ROUTE=${1:-/ping}
bench_sink_start

# run LABEL ENV...: one saturated run of a fresh server (a bench_measure row).
run() {
  local label=$1
  shift
  bench_server_pinned "$PORT" "$@"
  bench_measure "$label" "http://127.0.0.1:$PORT$ROUTE"
  bench_stop
}

# The machine is noisy (a VM): the modes take turns for BENCH_ROUNDS rounds, and each
# mode's median round is reported.
ROUNDS=${BENCH_ROUNDS:-3}
on=(OTEL_TRACES_SAMPLER=always_on OTEL_EXPORTER_OTLP_ENDPOINT=$SINK OTEL_EXPORTER_OTLP_HEADERS=)
results=$(
  for _ in $(seq "$ROUNDS"); do
    run off OTEL_SDK_DISABLED=true
    run compact "${on[@]}"
    run sdk-tracer "${on[@]}" FABTRACE_TRACER=sdk
    run stock "${on[@]}" FABTRACE_SPAN_EXPORT=stock
    run collector-down OTEL_TRACES_SAMPLER=always_on OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:9 OTEL_EXPORTER_OTLP_TIMEOUT=1000
  done
)
echo "GET $ROUTE, service on CPU $SERVICE_CPU, wrk and sink on CPU $LOAD_CPU, $CONNECTIONS connections, $DURATION a mode, median of $ROUNDS rounds"
bench_median "off compact sdk-tracer stock collector-down" <<<"$results" | bench_table
echo "  (stock: the library reports every export as done at once, so its exported count is not a delivery count)"
