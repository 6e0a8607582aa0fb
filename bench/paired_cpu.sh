#!/usr/bin/env bash
# What tracing costs a service in CPU, measured so that the machine's drift cancels out:
# two Shop APIs (or bench servers), one per mode of BENCH_PAIR (default: untraced, and traced
# with our export path), both kept running and pinned to the same core, saturated by wrk
# in turns: BENCH_ROUNDS rounds of BENCH_DURATION each, the order swapped every round (AB,
# BA, ...). Each round's ratio of CPU per request compares two runs a few seconds apart on
# warm services (bench/shop_routes.sh restarts a service per mode and runs the modes
# 15 s or more apart, and a VM's steal time changes within that). Prints every round and
# the median of the rounds.
#   bench/paired_cpu.sh [route]      materials, orders or quotes (the Shop API:
#                                    bench_shop_route), or ping (bench/trace_bench_server's
#                                    /ping: one server span; modes off, compact, stock and
#                                    collector-down, no landscape needed)
#   BENCH_PAIR="off compact"         the two modes (bench_shop_mode); "off off" measures the
#                                    method's own noise (an A/A run)
#   BENCH_RATE=3000                  a fixed rate (requests/s, vegeta, open loop; materials
#                                    only) instead of saturation: both services then answer
#                                    the same requests at the same pace, whatever the load
#                                    core (wrk, the sink, PostgreSQL) has left to give
#   BENCH_BUILD_A=PATH               runs service A (or B) from another build of the service
#   BENCH_BUILD_B=PATH               (the Shop API, or the bench server for ping), say the
#                                    commit before a change, built in its own folder:
#                                    BENCH_PAIR="compact compact" BENCH_BUILD_A=<before>
#                                    measures the change itself, after against before
#   BENCH_TOGETHER=1                 both saturated at once instead of in turns: whatever the
#                                    core loses to steal it loses for both, so rounds agree
#                                    closely, but each service also evicts the other's cache
#                                    lines, which costs the one with more data more
# CPU is the user + system time of each process from /proc (clock ticks), so a run of
# 5 s resolves 0.2 %. The Shop API's routes need `./fabtrace up` running.
. "$(dirname "$0")/lib.sh"
ROUTE=${1:-materials}
read -r MODE_A MODE_B <<<"${BENCH_PAIR:-off compact}"
ROUNDS=${BENCH_ROUNDS:-9}
DURATION=${BENCH_DURATION:-5s}
if [[ $ROUTE == ping ]]; then
  # The bench server's trivial route: one server span, no database, no landscape needed.
  bench_build
  BUILT=$SERVER
  start() { bench_server_pinned "$1" "$SERVICE" "${@:2}"; }
  route_args() { echo "http://127.0.0.1:$1/ping"; }
else
  bench_shop_api_prepare
  BUILT=$SHOP_API
  start() { SHOP_API=$SERVICE bench_shop_api_start "$@"; }
  route_args() { bench_shop_route "$ROUTE" "$1"; }
  route_args "$PORT" >/dev/null
fi
if [[ -n ${BENCH_RATE:-} ]]; then
  [[ $ROUTE == materials || $ROUTE == ping ]] || { echo "BENCH_RATE: a fixed rate is for materials and ping only" >&2; exit 2; }
  bench_vegeta
fi
bench_sink_start
if [[ $ROUTE == ping ]]; then BENCH_TMP=$(mktemp -d); else bench_shop_fixture; fi

PORT_A=$PORT
PORT_B=$((PORT + 2))
for side in A B; do
  build=BENCH_BUILD_$side
  [[ -z ${!build:-} || -x ${!build} ]] || { echo "$build: no executable ${!build}" >&2; exit 2; }
done
bench_shop_mode "$MODE_A"
SERVICE=${BENCH_BUILD_A:-$BUILT}
start "$PORT_A" "${MODE_ENV[@]}"
PID_A=$SERVER_PID
bench_shop_mode "$MODE_B"
SERVICE=${BENCH_BUILD_B:-$BUILT}
start "$PORT_B" "${MODE_ENV[@]}"
PID_B=$SERVER_PID
BENCH_KILL="$PID_A $PID_B"
read -r -a ARGS_A <<<"$(route_args "$PORT_A")"
read -r -a ARGS_B <<<"$(route_args "$PORT_B")"

# load SECONDS OUT ARGS...: one saturated wrk run on the load core, its output in OUT.
load() {
  local seconds=$1 out=$2
  shift 2
  if [[ -n ${BENCH_RATE:-} ]]; then # vegeta's report, as the line of wrk's read below
    echo "GET ${*: -1}" | taskset -c "$LOAD_CPU" "$VEGETA" attack -max-connections="$CONNECTIONS" \
      -workers="$CONNECTIONS" -rate="$BENCH_RATE" -duration="$seconds" | "$VEGETA" report -type=json |
      python3 -c 'import json, sys; r = json.load(sys.stdin); print(r["requests"], "requests in")
if r["success"] < 1: print("Non-2xx answers:", r["status_codes"])' >"$out"
  else
    taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"$seconds" --latency "$@" >"$out"
  fi
  if grep -q "Non-2xx" "$out"; then
    echo "some answers were not 2xx: $(grep -h Non-2xx "$out")" >&2
    exit 1
  fi
}
# The service core's steal time (ticks): what the hypervisor took during a run.
steal_ticks() { awk -v cpu="cpu$SERVICE_CPU" '$1 == cpu {print $9}' /proc/stat; }

spans_of() { METRICS_URL=http://127.0.0.1:$1/metrics bench_spans_seen; }
result() { # TICKS SPANS STEAL OUT: "cpu_us_per_request requests spans_per_request steal_share"
  awk -v t="$1" -v hz="$TICKS" -v n="$(awk '/requests in/ {print $1}' "$4")" -v s="$2" -v st="$3" \
    -v secs="${DURATION%s}" 'BEGIN {printf "%.2f %d %.2f %.3f\n", t / hz * 1e6 / n, n, s / n, st / hz / secs}'
}

# run PID PORT ARGS...: one saturated run of the service at PORT (a result line).
run() {
  local pid=$1 port=$2
  shift 2
  local ticks spans steal out=$BENCH_TMP/run
  ticks=$(cpu_ticks "$pid") spans=$(spans_of "$port") steal=$(steal_ticks)
  load "$DURATION" "$out" "$@"
  ticks=$(($(cpu_ticks "$pid") - ticks)) steal=$(($(steal_ticks) - steal))
  sleep 1.5 # the run's last batch goes out
  result "$ticks" $(($(spans_of "$port") - spans)) "$steal" "$out"
}

# run_together: both services saturated at once (BENCH_TOGETHER=1): a result line each.
run_together() {
  local ta tb sa sb steal
  ta=$(cpu_ticks "$PID_A") tb=$(cpu_ticks "$PID_B") sa=$(spans_of "$PORT_A") sb=$(spans_of "$PORT_B") steal=$(steal_ticks)
  load "$DURATION" "$BENCH_TMP/run.a" "${ARGS_A[@]}" &
  local first=$!
  load "$DURATION" "$BENCH_TMP/run.b" "${ARGS_B[@]}"
  wait "$first"
  ta=$(($(cpu_ticks "$PID_A") - ta)) tb=$(($(cpu_ticks "$PID_B") - tb)) steal=$(($(steal_ticks) - steal))
  sleep 1.5
  result "$ta" $(($(spans_of "$PORT_A") - sa)) "$steal" "$BENCH_TMP/run.a"
  result "$tb" $(($(spans_of "$PORT_B") - sb)) "$steal" "$BENCH_TMP/run.b"
}

load "$WARMUP" "$BENCH_TMP/warmup" "${ARGS_A[@]}"
load "$WARMUP" "$BENCH_TMP/warmup" "${ARGS_B[@]}"
sleep 1
echo "$([[ $ROUTE == ping ]] && echo "bench server /ping" || echo "Shop API $ROUTE"), $MODE_A (port $PORT_A${BENCH_BUILD_A:+, $BENCH_BUILD_A}) and $MODE_B (port $PORT_B${BENCH_BUILD_B:+, $BENCH_BUILD_B}) $([[ ${BENCH_TOGETHER:-} == 1 ]] && echo "together" || echo "in turns") on CPU $SERVICE_CPU, load, sink and landscape on CPU $LOAD_CPU, $CONNECTIONS connections, ${BENCH_RATE:+$BENCH_RATE requests/s, }$ROUNDS rounds of $DURATION each"
printf '  %5s %12s %12s %9s %10s %10s %10s %7s\n' round "$MODE_A us/req" "$MODE_B us/req" ratio "added us" "req $MODE_A" "req $MODE_B" steal
rows=$(
  for round in $(seq "$ROUNDS"); do
    if [[ ${BENCH_TOGETHER:-} == 1 ]]; then
      { read -r a na sa sta && read -r b nb sb stb; } < <(run_together)
    elif ((round % 2)); then
      read -r a na sa sta < <(run "$PID_A" "$PORT_A" "${ARGS_A[@]}")
      read -r b nb sb stb < <(run "$PID_B" "$PORT_B" "${ARGS_B[@]}")
    else
      read -r b nb sb stb < <(run "$PID_B" "$PORT_B" "${ARGS_B[@]}")
      read -r a na sa sta < <(run "$PID_A" "$PORT_A" "${ARGS_A[@]}")
    fi
    awk -v r="$round" -v a="$a" -v b="$b" -v na="$na" -v nb="$nb" -v sa="$sa" -v sb="$sb" -v st="$sta $stb" 'BEGIN {
      split(st, steal, " ")
      printf "%d %.2f %.2f %.4f %.2f %d %d %.3f %.2f %.2f\n", r, a, b, b / a, b - a, na, nb, (steal[1] + steal[2]) / 2, sa, sb
    }'
  done
)
awk '{printf "  %5d %12.2f %12.2f %9.3f %10.2f %10d %10d %6.0f%%\n", $1, $2, $3, $4, $5, $6, $7, $8 * 100}' <<<"$rows"
sort -k4,4n <<<"$rows" | awk -v n="$ROUNDS" -v ma="$MODE_A" -v mb="$MODE_B" '
  {ratio[NR] = $4; spans_a += $9; spans_b += $10}
  END {
    median = ratio[int((n + 1) / 2)]
    printf "  median ratio of CPU per request, %s / %s: %.3f (rounds from %.3f to %.3f)\n", mb, ma, median, ratio[1], ratio[n]
    printf "  spans per request: %s %.2f, %s %.2f\n", ma, spans_a / n, mb, spans_b / n
  }'
sort -k5,5n <<<"$rows" | awk -v n="$ROUNDS" '
  {added[NR] = $5; spans += $10 - $9}
  END {
    median = added[int((n + 1) / 2)]
    per_span = spans > 0 ? sprintf("%.2f us a span", median / (spans / n)) : "no spans added"
    printf "  median CPU added per request: %.2f us (%s)\n", median, per_span
  }'
