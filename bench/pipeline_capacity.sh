#!/usr/bin/env bash
# Pipeline capacity: the spans/s that the Collectors (agent and gateways) and Jaeger (Badger) of a running
# landscape take with zero loss, raising the rate until loss appears; counts on every side,
# CPU and peak memory of both (bench/pipeline_capacity.py says how).
#   bench/pipeline_capacity.sh      (needs ./fabtrace up running; BENCH_SPAN_RATES="5000 10000 20000 30000",
#                                    BENCH_SECONDS=10, BENCH_SPANS_PER_TRACE=10, BENCH_WORKERS=4)
# telemetrygen, the Collector contrib's load generator at our Collector's version, is built
# once from the Go module proxy into the fabtrace cache.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export FT_ROOT=$ROOT
. "$ROOT/scripts/common.sh"
. "$ROOT/deploy/versions.env"
ft_use_profile "${BENCH_PROFILE:-up}"
CACHE=${FABTRACE_CACHE:-$HOME/.cache/fabtrace}
export TELEMETRYGEN=$CACHE/bin/telemetrygen-$OCB_VERSION/telemetrygen
if [[ ! -x $TELEMETRYGEN ]]; then
  echo "building telemetrygen $OCB_VERSION (once)" >&2
  env GOMODCACHE="$CACHE/go/mod" GOCACHE="$CACHE/go/build" GOFLAGS=-buildvcs=false GOBIN="$(dirname "$TELEMETRYGEN")" \
    go install -trimpath -ldflags='-s -w' \
    "github.com/open-telemetry/opentelemetry-collector-contrib/cmd/telemetrygen@$OCB_VERSION" >&2
fi
secrets=$FT_STATE/secrets/landscape.env
[[ -r $secrets ]] || { echo "no landscape in $FT_STATE: run ./fabtrace up first" >&2; exit 1; }
FT_OTLP_TOKEN=$(sed -n 's/^FT_OTLP_TOKEN=//p' "$secrets")
export FT_OTLP_TOKEN
pid() { supervisorctl -c "$FT_STATE/supervisord.conf" pid "$1"; }
pids=()
for name in jaeger collector $(seq -f 'gateway-%g' 1 "$FT_GATEWAYS"); do
  pid=$(pid "$name")
  [[ $pid =~ ^[0-9]+$ && $pid != 0 ]] || { echo "$name of the landscape is not running: ./fabtrace up" >&2; exit 1; }
  pids+=("$pid")
done
exec python3 "$ROOT/bench/pipeline_capacity.py" "${pids[@]}"
