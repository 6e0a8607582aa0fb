#!/usr/bin/env bash
# What tracing costs the Shop API on its real routes, with PostgreSQL behind them, in one
# run: a Shop API of this build started by the bench (pinned to one core, on its own ports)
# against the database and MinIO of a running landscape, saturated by wrk for
# BENCH_DURATION per mode. Modes: off (OTEL_SDK_DISABLED), our export path to the stand-in
# Collector (compact), the library's packaged exporter (stock), ours to the landscape's
# real Collector (collector) and ours with nothing listening (collector-down).
#   bench/shop_routes.sh [route...]    (default: materials orders quotes: bench_shop_route)
# Needs `./fabtrace up` running (BENCH_PROFILE=test: the instance of `./fabtrace test`).
# The landscape's own processes (PostgreSQL, Collector, Jaeger...) are moved to the load
# core for the run and given back every core afterwards, so the service's core is its own.
. "$(dirname "$0")/lib.sh"
bench_shop_api_prepare
ROUTES=("${@:-materials orders quotes}")
read -r -a ROUTES <<<"${ROUTES[*]}"
bench_sink_start
bench_shop_fixture

run() {
  local label=$1 route=$2 args
  read -r -a args <<<"$(bench_shop_route "$route" "$PORT")"
  bench_shop_mode "$label"
  bench_shop_api_start "$PORT" "${MODE_ENV[@]}"
  local url=${args[-1]}
  unset 'args[-1]'
  bench_measure "$label" "$url" "${args[@]}"
  bench_stop
}

ROUNDS=${BENCH_ROUNDS:-3}
MODES="off compact stock collector collector-down"
for route in "${ROUTES[@]}"; do
  bench_shop_route "$route" "$PORT" >/dev/null
  results=$(
    for _ in $(seq "$ROUNDS"); do
      for mode in $MODES; do run "$mode" "$route"; done
    done
  )
  read -r -a shown <<<"$(bench_shop_route "$route" "$PORT")"
  echo "Shop API $route (${shown[-1]#"http://127.0.0.1:$PORT"}), service on CPU $SERVICE_CPU, wrk, sink and landscape on CPU $LOAD_CPU, $CONNECTIONS connections, $DURATION a mode, median of $ROUNDS rounds"
  bench_median "$MODES" <<<"$results" | bench_table
done
echo "  (stock: the library reports every export as done at once, so its exported count is not a delivery count)"
