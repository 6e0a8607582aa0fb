#!/usr/bin/env bash
# Requests per second of a trivial route with tracing disabled vs enabled (100%
# sampling, exporting over OTLP/HTTP to the Collector of `./fabtrace up`), in one run.
#   bench/middleware_overhead.sh        (needs ./fabtrace up running, and wrk)
. "$(dirname "$0")/lib.sh"
bench_build
COLLECTOR=http://127.0.0.1:4318

bench_start OTEL_SDK_DISABLED=true
read -r off_rps off_p99 < <(bench_wrk /ping)
bench_stop

bench_start OTEL_TRACES_SAMPLER=always_on OTEL_EXPORTER_OTLP_ENDPOINT=$COLLECTOR OTEL_SERVICE_NAME=bench-server
read -r on_rps on_p99 < <(bench_wrk /ping)
exported=$(bench_metric fabtrace_spans_exported_total)
dropped=$(bench_metric fabtrace_spans_dropped_total)
bench_stop

echo "GET /ping, $CONNECTIONS connections, $DURATION each"
printf '  tracing off: %10.0f req/s   p99 %7.2f ms\n' "$off_rps" "$off_p99"
printf '  tracing on:  %10.0f req/s   p99 %7.2f ms   (spans exported %s, dropped %s)\n' "$on_rps" "$on_p99" "$exported" "$dropped"
awk -v on="$on_rps" -v off="$off_rps" 'BEGIN {printf "  throughput ratio on/off: %.3f\n", on / off}'
