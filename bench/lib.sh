# Helpers of the benchmark scripts: build, start the bench server, run wrk, read numbers.
set -euo pipefail
BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export FT_ROOT=$BENCH_ROOT
. "$BENCH_ROOT/scripts/common.sh"  # ports, profiles, ft_descendants
BUILD=${FABTRACE_CACHE:-$HOME/.cache/fabtrace}/build/cmake
SERVER=$BUILD/bench/trace_bench_server
PORT=${BENCH_PORT:-18990}
DURATION=${BENCH_DURATION:-10s}
WARMUP=${BENCH_WARMUP:-2s}  # the saturated warm-up before each measured run
CONNECTIONS=${BENCH_CONNECTIONS:-8}
# Cores for the pinned benchmarks: the service on the first core this process may use, the
# load generator and the sink on the second (the same one on a one-core machine).
read -r -a BENCH_CPUS < <(python3 -c 'import os; print(*sorted(os.sched_getaffinity(0)))')
SERVICE_CPU=${BENCH_SERVICE_CPU:-${BENCH_CPUS[0]}}
LOAD_CPU=${BENCH_LOAD_CPU:-${BENCH_CPUS[1]:-${BENCH_CPUS[0]}}}

bench_build() { cmake --build "$BUILD" --target trace_bench_server >/dev/null; }

# The Collector's internal door wants the install's token (scripts/secrets.sh): exported
# here, so it never appears on a command line.
BENCH_STATE=${FABTRACE_STATE:-$([[ $(id -u) == 0 ]] && echo /var/lib/fabtrace || echo "${XDG_STATE_HOME:-$HOME/.local/state}/fabtrace")}
BENCH_SECRETS=$BENCH_STATE/secrets/landscape.env
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

# bench_server_pinned PORT [BINARY] ENV...: the bench server (or BINARY, another build of
# it) on PORT, pinned to the service core, with the benches' settings, BENCH_SERVICE_ENV and
# ENV; sets SERVER_PID once it answers. Its log: /tmp/bench-server-PORT.log.
bench_server_pinned() {
  local port=$1 binary=$SERVER extra
  shift
  if [[ ${1:-} == /* ]]; then
    binary=$1
    shift
  fi
  read -r -a extra <<<"${BENCH_SERVICE_ENV:-}"
  env PORT="$port" LOG_LEVEL=warn OTEL_SERVICE_NAME=bench-server OTEL_BSP_SCHEDULE_DELAY=500 \
    "${extra[@]}" "$@" taskset -c "$SERVICE_CPU" "$binary" >"/tmp/bench-server-$port.log" 2>&1 &
  SERVER_PID=$!
  bench_wait_ready "http://127.0.0.1:$port/healthz"
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

bench_metric() { curl -fs "${METRICS_URL:-http://127.0.0.1:$PORT/metrics}" | awk -v name="$1" '$1 == name {print $2}'; }

# bench_sink_start: the stand-in Collector (bench/otlp_sink.py) on the load core, stopped on exit.
SINK_PORT=${BENCH_SINK_PORT:-18991}
SINK=http://127.0.0.1:$SINK_PORT
bench_sink_start() {
  taskset -c "$LOAD_CPU" python3 "$BENCH_ROOT/bench/otlp_sink.py" "$SINK_PORT" >/dev/null &
  SINK_PID=$!
  trap 'kill $SINK_PID 2>/dev/null || true; bench_on_exit' EXIT
  bench_landscape_pin "$LOAD_CPU"
}
bench_on_exit() {
  # Waited for: cpp-httplib listens with SO_REUSEPORT, so a service still draining would
  # share its port with the next bench's service and answer some of its requests.
  if [[ -n ${BENCH_KILL:-} ]]; then
    kill $BENCH_KILL 2>/dev/null || true
    for pid in $BENCH_KILL; do wait "$pid" 2>/dev/null || true; done
  fi
  bench_landscape_pin "$ALL_CPUS"
  [[ -z ${BENCH_TMP:-} ]] || rm -rf "$BENCH_TMP"
}

# A running landscape (./fabtrace up, or BENCH_PROFILE=test) is moved to the load core for
# the run and given every core back on exit, so the service's core is its own.
ALL_CPUS=$(IFS=,; echo "${BENCH_CPUS[*]}")
bench_landscape_pids() {
  local state=${FT_STATE:-$BENCH_STATE} root
  root=$(cat "$state/run/supervisord.pid" 2>/dev/null) || return 0
  kill -0 "$root" 2>/dev/null || return 0
  echo "$root"
  ps -e -o pid=,ppid= | ft_descendants "$root"
}
bench_landscape_pin() { for pid in $(bench_landscape_pids); do taskset -a -p -c "$1" "$pid" >/dev/null 2>&1 || true; done; }

# bench_wait_ready URL [TENTHS]: waits until URL answers (30 s unless told), or fails.
bench_wait_ready() {
  for _ in $(seq "${2:-300}"); do curl -fs -o /dev/null "$1" && return; sleep 0.1; done
  echo "the benchmarked service did not answer $1 (port busy? see /tmp/bench-server*.log)" >&2
  exit 1
}

# Spans the service has finished with: exported, failed or dropped.
bench_spans_seen() {
  curl -fs "${METRICS_URL:-http://127.0.0.1:$PORT/metrics}" | awk '
    $1 == "fabtrace_spans_exported_total" || $1 == "fabtrace_spans_failed_total" || $1 == "fabtrace_spans_dropped_total" {n += $2}
    END {print n + 0}'
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
TICKS=$(getconf CLK_TCK)

# bench_measure LABEL URL [WRK ARGS...]: a warm-up, then a saturated wrk run (on the load
# core) against SERVER_PID. Prints "label rps p99_ms cpu_us_per_request exported failed
# dropped spans_per_request": CPU is the service's user + system time from /proc; the span
# counters are the service's totals; spans per request are the spans it exported, failed to
# export or dropped during the run over the requests answered.
bench_measure() {
  local label=$1 url=$2 out
  shift 2
  taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"$WARMUP" "$@" "$url" >/dev/null
  sleep 1  # the warm-up's spans go out before counting
  local before after spans_before spans_after
  spans_before=$(bench_spans_seen)
  before=$(cpu_ticks "$SERVER_PID")
  out=$(taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url")
  after=$(cpu_ticks "$SERVER_PID")
  sleep 1.5  # the last batch goes out
  spans_after=$(bench_spans_seen)
  if grep -q "Non-2xx" <<<"$out"; then
    echo "$label: some answers were not 2xx: $(grep Non-2xx <<<"$out")" >&2
    exit 1
  fi
  local requests rps p99
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}' <<<"$out")
  echo "$label $rps $p99 $(awk -v t=$((after - before)) -v hz="$TICKS" -v n="$requests" 'BEGIN {printf "%.2f", t / hz * 1e6 / n}') \
$(bench_metric fabtrace_spans_exported_total || echo -) $(bench_metric fabtrace_spans_failed_total || echo -) \
$(bench_metric fabtrace_spans_dropped_total || echo -) \
$(awk -v s=$((spans_after - spans_before)) -v n="$requests" 'BEGIN {printf "%.2f", s / n}')"
}

# bench_median MODES: of the rows on stdin (BENCH_ROUNDS per mode), each mode's median
# round by CPU per request, in the order of MODES.
bench_median() {
  sort -k1,1 -k4,4n | awk -v rounds="${BENCH_ROUNDS:-3}" -v modes="$1" '
    {count[$1]++; if (count[$1] == int((rounds + 1) / 2)) median[$1] = $0}
    END {n = split(modes, order, " "); for (i = 1; i <= n; i++) if (order[i] in median) print median[order[i]]}'
}

# bench_table: the rows of bench_median as a table with ratios to "off"; CPU per span is the
# CPU added per request over the spans per request of the first traced mode.
bench_table() {
  awk '
    $1 == "off" {off_rps = $2; off_p99 = $3; off_cpu = $4}
    $1 != "off" && spans == "" && $8 > 0 {spans = $8}
    {rows[NR] = $0}
    END {
      printf "  %-15s %9s %7s %8s %7s %10s %8s %9s %10s %8s %9s\n", "mode", "req/s", "ratio", "p99 ms", "ratio", "cpu us/req", "us/span", "spans/req", "exported", "failed", "dropped"
      for (i = 1; i <= NR; i++) {
        split(rows[i], f, " ")
        traced = f[1] != "off"
        printf "  %-15s %9.0f %7.3f %8.2f %7.3f %10.2f %8s %9s %10s %8s %9s\n", f[1], f[2], f[2] / off_rps, f[3], f[3] / off_p99, f[4],
          traced ? sprintf("%.2f", (f[4] - off_cpu) / spans) : "-", traced ? f[8] : "-", traced ? f[5] : "-", traced ? f[6] : "-", traced ? f[7] : "-"
      }
    }'
}

# bench_shop_api_prepare: builds the Shop API and sets SHOP_API (its binary) and
# SHOP_API_ENV (its settings: this bench's port, the database and MinIO of the running
# landscape, reached directly rather than through toxiproxy), for BENCH_PROFILE (up | test).
bench_shop_api_prepare() {
  ft_use_profile "${BENCH_PROFILE:-up}"
  [[ -r $FT_STATE/secrets/landscape.env ]] || { echo "no landscape in $FT_STATE: run ./fabtrace up first" >&2; exit 1; }
  curl -fs -o /dev/null "http://127.0.0.1:$FT_PORT_COLLECTOR_HEALTH/" ||
    { echo "the landscape's Collector does not answer: run ./fabtrace up first" >&2; exit 1; }
  cmake --build "$BUILD" --target shop-api >/dev/null
  SHOP_API=$BUILD/services/shop-api/shop-api
  SHOP_API_ENV=(SHOP_API_PORT="$PORT" SHOP_API_ADMIN_PORT=0 LOG_LEVEL=warn OTEL_SERVICE_NAME=shop-api-bench
    OTEL_BSP_SCHEDULE_DELAY=500 SHOPDB_PORT="$FT_PORT_POSTGRES" SHOPDB_USER="$FT_SHOPDB_USER"
    SHOPDB_PASSWORD="$(bench_secret FT_SHOPDB_PASSWORD)" S3_ENDPOINT="http://127.0.0.1:$FT_PORT_MINIO"
    S3_ACCESS_KEY="$FT_MINIO_USER" S3_SECRET_KEY="$(bench_secret FT_MINIO_PASSWORD)" S3_BUCKET="$FT_MODELS_BUCKET")
}
bench_secret() { sed -n "s/^$1=//p" "$FT_STATE/secrets/landscape.env"; }

# bench_shop_api_start PORT ENV...: a Shop API of this build on PORT (pinned to the service
# core, with the landscape's settings, BENCH_SERVICE_ENV (settings for every mode, e.g.
# "GLIBC_TUNABLES=glibc.malloc.mxfast=0") and ENV); sets SERVER_PID once it answers.
bench_shop_api_start() {
  local port=$1 extra
  shift
  read -r -a extra <<<"${BENCH_SERVICE_ENV:-}"
  env "${SHOP_API_ENV[@]}" "${extra[@]}" SHOP_API_PORT="$port" "$@" taskset -c "$SERVICE_CPU" "$SHOP_API" \
    >"/tmp/bench-server-$port.log" 2>&1 &
  SERVER_PID=$!
  bench_wait_ready "http://127.0.0.1:$port/healthz"
}

# bench_shop_fixture: a customer with 20 orders (made through an untraced Shop API) and the
# wrk scripts that act as them, in BENCH_TMP (it holds the customer's token: removed on exit).
bench_shop_fixture() {
  BENCH_TMP=$(mktemp -d)
  bench_shop_api_start "$PORT" OTEL_SDK_DISABLED=true
  python3 "$BENCH_ROOT/bench/shop_fixture.py" "http://127.0.0.1:$PORT" 20 "$BENCH_TMP"
  bench_stop
}

# bench_shop_route ROUTE PORT: wrk's arguments for a Shop API route, its URL last.
#   materials  GET /materials                      (a server span, a PostgreSQL span)
#   orders     GET /orders of a customer with 20 orders
#   quotes     POST /quotes (a price for a model: two queries)
bench_shop_route() {
  local base=http://127.0.0.1:$2
  case $1 in
    materials) echo "$base/materials" ;;
    orders) echo "-s $BENCH_TMP/orders.lua $base/orders" ;;
    quotes) echo "-s $BENCH_TMP/quotes.lua $base/quotes" ;;
    *) echo "unknown route $1 (materials, orders, quotes)" >&2; return 2 ;;
  esac
}

# bench_shop_mode MODE: sets MODE_ENV, the Shop API's environment for a tracing mode:
#   off             OTEL_SDK_DISABLED
#   compact         our export path, to the stand-in Collector (bench_sink_start)
#   stock           the library's packaged exporter, to the stand-in Collector
#   collector       our export path, to the landscape's real Collector
#   collector-down  our export path, with nothing listening
bench_shop_mode() {
  local on=(OTEL_TRACES_SAMPLER=always_on)
  case $1 in
    off) MODE_ENV=(OTEL_SDK_DISABLED=true) ;;
    compact) MODE_ENV=("${on[@]}" OTEL_EXPORTER_OTLP_ENDPOINT="$SINK" OTEL_EXPORTER_OTLP_HEADERS=) ;;
    stock) MODE_ENV=("${on[@]}" OTEL_EXPORTER_OTLP_ENDPOINT="$SINK" OTEL_EXPORTER_OTLP_HEADERS= FABTRACE_SPAN_EXPORT=stock) ;;
    collector) MODE_ENV=("${on[@]}" OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$FT_PORT_COLLECTOR_OTLP_HTTP"
      "OTEL_EXPORTER_OTLP_HEADERS=authorization=Bearer%20$(bench_secret FT_OTLP_TOKEN)") ;;
    collector-down) MODE_ENV=("${on[@]}" OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:9 OTEL_EXPORTER_OTLP_TIMEOUT=1000) ;;
    *) echo "unknown mode $1 (off, compact, stock, collector, collector-down)" >&2; return 2 ;;
  esac
}

# bench_vegeta: sets VEGETA, the open-loop load generator (vegeta, pinned), built once from
# the Go module proxy into the fabtrace cache.
bench_vegeta() {
  local version=v12.13.0 cache=${FABTRACE_CACHE:-$HOME/.cache/fabtrace}
  VEGETA=$cache/bin/vegeta-$version/vegeta
  [[ ! -x $VEGETA ]] || return 0
  echo "building vegeta $version (once)" >&2
  env GOMODCACHE="$cache/go/mod" GOCACHE="$cache/go/build" GOFLAGS=-buildvcs=false GOBIN="$(dirname "$VEGETA")" \
    go install -trimpath -ldflags='-s -w' "github.com/tsenart/vegeta/v12@$version" >&2
}
