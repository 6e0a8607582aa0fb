#!/usr/bin/env bash
# Instructions the service executes per request, tracing off vs on (100 %), counted by
# valgrind's callgrind: a number that does not move with the machine's noise. The spans
# are exported to bench/otlp_sink.py, so the export path (batching, serialization, the
# HTTP request) is counted too, on the service's own threads. The added instructions are
# split: the request path (the HTTP worker threads: what a request waits for) is steady;
# the export thread's share per span falls as batches grow, and batch sizes depend on how
# fast the requests come (under valgrind, and on a busy machine, batches are small).
#   bench/instructions_per_request.sh [route ...]     (default: /ping /work; needs valgrind)
#   A route "shop:/materials" is asked of the Shop API instead of the bench server, with
#   the database of a running landscape behind it (./fabtrace up; bench/shop_routes.sh).
#   BENCH_REQUESTS=2000 (per run); BENCH_PROFILE_DIR=dir keeps the callgrind files;
#   BENCH_CALLGRIND_OPTIONS="--cache-sim=yes" also counts the simulated cache misses
#   (callgrind_annotate shows them beside the instructions);
#   BENCH_SCHEDULE_DELAY=500 (ms, the landscape's): under valgrind the service answers
#   ~130 requests/s, so batches hold ~130 spans; at the rates where CPU matters (over
#   1,000 spans/s) they are full (512 spans). 5000 gives the callgrind run full batches too.
. "$(dirname "$0")/lib.sh"
command -v valgrind >/dev/null || { echo "valgrind is needed (Debian package valgrind)" >&2; exit 1; }
bench_build
REQUESTS=${BENCH_REQUESTS:-2000}
SCHEDULE_DELAY=${BENCH_SCHEDULE_DELAY:-500}
SINK_PORT=${BENCH_SINK_PORT:-18991}
PROFILE_DIR=${BENCH_PROFILE_DIR:-$(mktemp -d)}
mkdir -p "$PROFILE_DIR"
ROUTES=("$@")
((${#ROUTES[@]})) || ROUTES=(/ping /work)

python3 "$BENCH_ROOT/bench/otlp_sink.py" "$SINK_PORT" >/dev/null &
SINK_PID=$!
trap 'kill $SINK_PID ${SERVER_PID:-} 2>/dev/null || true' EXIT

# requests PATH N: N GET requests on one keep-alive connection.
requests() {
  python3 - "$PORT" "$1" "$2" <<'EOF'
import http.client, sys
port, path, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
for _ in range(n):
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    assert response.status == 200, response.status
EOF
}

# measure LABEL PATH ENV...: "instructions spans" per request of PATH with the environment
# given (spans: those the service exported, failed or dropped over the measured requests).
measure() {
  local label=$1 path=$2 out target=("$SERVER") settings=(PORT="$PORT" LOG_LEVEL=warn)
  shift 2
  if [[ $path == shop:* ]]; then
    target=("$SHOP_API") settings=("${SHOP_API_ENV[@]}") path=${path#shop:}
  fi
  out=$PROFILE_DIR/callgrind.$label${path//\//_}
  env "${settings[@]}" "$@" valgrind --tool=callgrind --callgrind-out-file="$out" \
    ${BENCH_CALLGRIND_OPTIONS:-} --dump-instr=no --collect-atstart=yes "${target[@]}" >"$out.log" 2>&1 &
  SERVER_PID=$!
  # Under valgrind start-up is slow (minutes with --cache-sim=yes).
  bench_wait_ready "http://127.0.0.1:$PORT/healthz" 3000
  requests "$path" 200                     # warm-up: connections, caches, first batches
  sleep "$((SCHEDULE_DELAY / 1000 + 1)).5"  # its spans are exported before counting
  local spans_before spans_after
  spans_before=$(bench_spans_seen)
  callgrind_control -z "$SERVER_PID" >/dev/null
  requests "$path" "$REQUESTS"
  sleep "$((SCHEDULE_DELAY / 1000 + 1)).5"  # the last batch is exported
  callgrind_control -d "$SERVER_PID" >/dev/null
  spans_after=$(bench_spans_seen)
  kill "$SERVER_PID" && wait "$SERVER_PID" 2>/dev/null || true
  # The dump taken after zeroing holds exactly the measured requests.
  # Of the total, the request path: what the HTTP server's worker threads ran (the rest is
  # the export threads, whose cost per span falls as batches grow, which depends on timing).
  local dump total request_path
  dump=$(ls -t "$out".* 2>/dev/null | grep -v '\.log$' | head -n 1)
  callgrind_annotate --inclusive=yes --threshold=100 "$dump" >"$out.inclusive" 2>/dev/null
  total=$(awk '/PROGRAM TOTALS/ && !done {gsub(",", "", $1); print $1; done = 1}' "$out.inclusive")
  request_path=$(awk '/httplib::ThreadPool::worker::operator\(\)\(\)/ && !done {gsub(",", "", $1); print $1; done = 1}' "$out.inclusive")
  echo "$((total / REQUESTS)) $(awk -v s=$((spans_after - spans_before)) -v n="$REQUESTS" 'BEGIN {printf "%.2f", s / n}') $((${request_path:-0} / REQUESTS))"
}

# Tracing on, through one export path (FABTRACE_SPAN_EXPORT: compact is ours, sync and
# stock are opentelemetry-cpp's recordable with its HTTP client, synchronous or packaged),
# optionally with a tracer named after a "+" (FABTRACE_TRACER: compact+sdk is our export
# behind opentelemetry-cpp's own tracer; stock always uses it).
traced=(OTEL_TRACES_SAMPLER=always_on OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$SINK_PORT"
  OTEL_EXPORTER_OTLP_HEADERS= OTEL_BSP_SCHEDULE_DELAY="$SCHEDULE_DELAY" OTEL_SERVICE_NAME=bench-server)
PATHS=(${BENCH_EXPORT_PATHS:-compact compact+sdk stock})
printf 'instructions per request (callgrind), %d requests a run, spans to a sink, schedule delay %d ms\n' "$REQUESTS" "$SCHEDULE_DELAY"
[[ " ${ROUTES[*]}" != *" shop:"* ]] || bench_shop_api_prepare
for route in "${ROUTES[@]}"; do
  read -r off _ off_path < <(measure off "$route" OTEL_SDK_DISABLED=true)
  printf '  %-15s %-11s %9d   (request path %d)\n' "$route" off "$off" "$off_path"
  for path in "${PATHS[@]}"; do
    tracer=${path#*+} && [[ $tracer != "$path" ]] || tracer=
    read -r on spans on_path < <(measure "${path/+/-}" "$route" "${traced[@]}" FABTRACE_SPAN_EXPORT="${path%%+*}" ${tracer:+FABTRACE_TRACER=$tracer})
    printf '  %-15s %-11s %9d   ratio %.3f   spans %.2f   added per span %d: request path %d, export %d\n' \
      "$route" "$path" "$on" "$(awk -v a="$on" -v b="$off" 'BEGIN {print a / b}')" "$spans" \
      "$(awk -v a="$on" -v b="$off" -v s="$spans" 'BEGIN {print int((a - b) / (s > 0 ? s : 1))}')" \
      "$(awk -v a="$on_path" -v b="$off_path" -v s="$spans" 'BEGIN {print int((a - b) / (s > 0 ? s : 1))}')" \
      "$(awk -v a="$((on - on_path))" -v b="$((off - off_path))" -v s="$spans" 'BEGIN {print int((a - b) / (s > 0 ? s : 1))}')"
  done
done
echo "  callgrind files: $PROFILE_DIR (callgrind_annotate <file> shows where the instructions go)"
