#!/usr/bin/env bash
# What tracing costs the Shop API on its real routes, with PostgreSQL behind them, in one
# run: a Shop API of this build started by the bench (pinned to one core, on its own ports)
# against the database and MinIO of a running landscape, saturated by wrk for
# BENCH_DURATION per mode. Modes: off (OTEL_SDK_DISABLED), our export path to the stand-in
# Collector (compact), the library's packaged exporter (stock), ours to the landscape's
# real Collector (collector) and ours with nothing listening (collector-down).
#   bench/shop_routes.sh [route...]    (default: materials orders quotes)
#     materials  GET /materials                      (a server span, a PostgreSQL span)
#     orders     GET /orders of a customer with 20 orders
#     quotes     POST /quotes (a price for a model: two queries)
# Needs `./fabtrace up` running (BENCH_PROFILE=test: the instance of `./fabtrace test`).
# The landscape's own processes (PostgreSQL, Collector, Jaeger...) are moved to the load
# core for the run and given back every core afterwards, so the service's core is its own.
. "$(dirname "$0")/lib.sh"
bench_shop_api_prepare
ROUTES=("${@:-materials orders quotes}")
read -r -a ROUTES <<<"${ROUTES[*]}"
COLLECTOR=(OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$FT_PORT_COLLECTOR_OTLP_HTTP
  "OTEL_EXPORTER_OTLP_HEADERS=authorization=Bearer%20$(bench_secret FT_OTLP_TOKEN)")
bench_sink_start

BASE=http://127.0.0.1:$PORT
start_shop_api() {
  env "${SHOP_API_ENV[@]}" "$@" taskset -c "$SERVICE_CPU" "$SHOP_API" >/tmp/bench-server.log 2>&1 &
  SERVER_PID=$!
  bench_wait_ready "$BASE/healthz"
}

# A customer with 20 orders and the wrk scripts that act as them.
WORK=$(mktemp -d)
BENCH_TMP=$WORK  # holds the customer's token: removed on exit
start_shop_api OTEL_SDK_DISABLED=true
python3 "$BENCH_ROOT/bench/shop_fixture.py" "$BASE" 20 "$WORK"
bench_stop

route_args() {
  case $1 in
    materials) echo "$BASE/materials" ;;
    orders) echo "-s $WORK/orders.lua $BASE/orders" ;;
    quotes) echo "-s $WORK/quotes.lua $BASE/quotes" ;;
    *) echo "unknown route $1 (materials, orders, quotes)" >&2; exit 2 ;;
  esac
}

run() {
  local label=$1 route=$2 args
  shift 2
  read -r -a args <<<"$(route_args "$route")"
  start_shop_api "$@"
  local url=${args[-1]}
  unset 'args[-1]'
  bench_measure "$label" "$url" "${args[@]}"
  bench_stop
}

ROUNDS=${BENCH_ROUNDS:-3}
on=(OTEL_TRACES_SAMPLER=always_on)
MODES="off compact stock collector collector-down"
for route in "${ROUTES[@]}"; do
  route_args "$route" >/dev/null
  results=$(
    for _ in $(seq "$ROUNDS"); do
      run off "$route" OTEL_SDK_DISABLED=true
      run compact "$route" "${on[@]}" OTEL_EXPORTER_OTLP_ENDPOINT="$SINK" OTEL_EXPORTER_OTLP_HEADERS=
      run stock "$route" "${on[@]}" OTEL_EXPORTER_OTLP_ENDPOINT="$SINK" OTEL_EXPORTER_OTLP_HEADERS= FABTRACE_SPAN_EXPORT=stock
      run collector "$route" "${on[@]}" "${COLLECTOR[@]}"
      run collector-down "$route" "${on[@]}" OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:9 OTEL_EXPORTER_OTLP_TIMEOUT=1000
    done
  )
  read -r -a shown <<<"$(route_args "$route")"
  echo "Shop API $route (${shown[-1]#"$BASE"}), service on CPU $SERVICE_CPU, wrk, sink and landscape on CPU $LOAD_CPU, $CONNECTIONS connections, $DURATION a mode, median of $ROUNDS rounds"
  bench_median "$MODES" <<<"$results" | bench_table
done
echo "  (stock: the library reports every export as done at once, so its exported count is not a delivery count)"
