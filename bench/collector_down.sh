#!/usr/bin/env bash
# A request loop against a traced service with the Collector up, then stopped: the
# business side (throughput, p99) must not change, only the dropped-span counter.
#   bench/collector_down.sh        (needs ./fabtrace up running, and wrk)
. "$(dirname "$0")/lib.sh"
bench_build
export FT_ROOT=$BENCH_ROOT
. "$BENCH_ROOT/scripts/common.sh"
ft_use_profile up
ctl() { supervisorctl -c "$FT_STATE/supervisord.conf" "$@" >/dev/null; }
trap 'ctl start collector' EXIT

bench_start OTEL_TRACES_SAMPLER=always_on OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$FT_PORT_COLLECTOR_OTLP_HTTP \
  OTEL_EXPORTER_OTLP_TIMEOUT=2000 OTEL_BSP_SCHEDULE_DELAY=200 OTEL_SERVICE_NAME=bench-server
read -r up_rps up_p99 < <(bench_wrk /work)
up_dropped=$(bench_metric fabtrace_spans_dropped_total)
up_failed=$(bench_metric fabtrace_spans_failed_total)

ctl stop collector
read -r down_rps down_p99 < <(bench_wrk /work)
down_dropped=$(bench_metric fabtrace_spans_dropped_total)
down_failed=$(bench_metric fabtrace_spans_failed_total)
ctl start collector
bench_stop

echo "GET /work (4 spans per request), $CONNECTIONS connections, $DURATION each"
printf '  collector up:   %10.0f req/s   p99 %7.2f ms   spans dropped %s, failed %s\n' "$up_rps" "$up_p99" "$up_dropped" "$up_failed"
printf '  collector down: %10.0f req/s   p99 %7.2f ms   spans dropped %s, failed %s\n' "$down_rps" "$down_p99" "$down_dropped" "$down_failed"
awk -v a="$down_rps" -v b="$up_rps" -v c="$down_p99" -v d="$up_p99" \
  'BEGIN {printf "  ratios down/up: throughput %.3f, p99 %.3f\n", a / b, c / d}'
