#!/usr/bin/env bash
# What tracing costs the service, measured in one run: the bench server pinned to one
# core (taskset), wrk and the OTLP sink on the other, saturated for BENCH_DURATION per
# mode. For each mode: requests/s, p99, the service's CPU per request from
# /proc/<pid>/stat (user + system), and the spans exported and dropped.
#   modes: off (OTEL_SDK_DISABLED), our export path (compact, the default), the previous
#   one (sync: opentelemetry-cpp's recordable and HTTP client, synchronous), the
#   library's packaged exporter (stock), and ours with nothing listening (collector down).
#   bench/cpu_per_request.sh [route]       (default /ping; /work makes 4 spans a request)
. "$(dirname "$0")/lib.sh"
bench_build
ROUTE=${1:-/ping}
SPANS=1
[[ $ROUTE == /work ]] && SPANS=4
SINK_PORT=${BENCH_SINK_PORT:-18991}
TICKS=$(getconf CLK_TCK)

taskset -c "$LOAD_CPU" python3 "$BENCH_ROOT/bench/otlp_sink.py" "$SINK_PORT" >/dev/null &
SINK_PID=$!
trap 'kill $SINK_PID 2>/dev/null || true' EXIT
SINK=http://127.0.0.1:$SINK_PORT

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# run LABEL ENV...: one saturated run; prints "label rps p99 cpu_us_per_request exported dropped".
run() {
  local label=$1 out
  shift
  env PORT="$PORT" LOG_LEVEL=warn OTEL_SERVICE_NAME=bench-server OTEL_BSP_SCHEDULE_DELAY=500 "$@" \
    taskset -c "$SERVICE_CPU" "$SERVER" >"/tmp/bench-server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.1; done
  taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d2s "http://127.0.0.1:$PORT$ROUTE" >/dev/null  # warm-up
  local before after
  before=$(cpu_ticks "$SERVER_PID")
  out=$(taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$PORT$ROUTE")
  after=$(cpu_ticks "$SERVER_PID")
  sleep 1  # the last batch goes out
  local requests rps p99
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}' <<<"$out")
  echo "$label $rps $p99 $(awk -v t=$((after - before)) -v hz="$TICKS" -v n="$requests" 'BEGIN {printf "%.2f", t / hz * 1e6 / n}') \
$(bench_metric fabtrace_spans_exported_total) $(bench_metric fabtrace_spans_dropped_total)"
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
    run sync "${on[@]}" FABTRACE_SPAN_EXPORT=sync
    run stock "${on[@]}" FABTRACE_SPAN_EXPORT=stock
    run collector-down OTEL_TRACES_SAMPLER=always_on OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:9 OTEL_EXPORTER_OTLP_TIMEOUT=1000
  done
)
# The median round of each mode, by CPU per request.
results=$(sort -k1,1 -k4,4n <<<"$results" | awk -v rounds="$ROUNDS" '
  {count[$1]++; if (count[$1] == int((rounds + 1) / 2)) median[$1] = $0}
  END {n = split("off compact sync stock collector-down", order, " "); for (i = 1; i <= n; i++) if (order[i] in median) print median[order[i]]}')
echo "GET $ROUTE ($SPANS span(s) a request), service on CPU $SERVICE_CPU, wrk and sink on CPU $LOAD_CPU, $CONNECTIONS connections, $DURATION a mode, median of $ROUNDS rounds"
awk -v spans="$SPANS" '
  $1 == "off" {off_rps = $2; off_p99 = $3; off_cpu = $4}
  {rows[NR] = $0}
  END {
    printf "  %-15s %10s %9s %10s %9s %9s %12s %10s %10s\n", "mode", "req/s", "ratio", "p99 ms", "ratio", "cpu us/req", "us/span", "exported", "dropped"
    for (i = 1; i <= NR; i++) {
      split(rows[i], f, " ")
      printf "  %-15s %10.0f %9.3f %10.2f %9.3f %9.2f %12.2f %10s %10s\n", f[1], f[2], f[2] / off_rps, f[3], f[3] / off_p99, f[4], (f[4] - off_cpu) / spans, f[5] == "" ? "-" : f[5], f[6] == "" ? "-" : f[6]
    }
  }' <<<"$results"
echo "  (stock: the library reports every export as done at once, so its exported count is not a delivery count)"
