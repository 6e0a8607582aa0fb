#!/usr/bin/env bash
# Memory soak: the memory of every component of a running landscape, measured exactly as
# `./fabtrace status` does (ft_status: the proportional set size of each component's process
# tree), every BENCH_INTERVAL_S seconds (60) for MINUTES minutes (30). Writes the samples,
# docs/soak-memory.csv (BENCH_CSV; by default next to the PNG), and a chart of them,
# docs/soak-memory.png (BENCH_PNG), and prints each component's first, highest and last MiB
# and whether the total stayed at or under BENCH_LIMIT_MIB (2048).
#   bench/soak.sh [MINUTES]     (needs ./fabtrace up running; BENCH_PROFILE=test measures the
#                                instance of a running ./fabtrace test instead)
# bench/soak.py runs `bench/soak.sh --sample` (one ft_status) each interval, rewrites the CSV
# after every sample, draws the chart as SVG and has headless chromium turn it into the PNG.
# Ctrl-C ends the run early: the samples taken so far are still reported.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export FT_ROOT=$ROOT
# The scripts ./fabtrace sources for `status` (all but test.sh), in its order.
. "$ROOT/scripts/common.sh"
. "$ROOT/scripts/secrets.sh"
. "$ROOT/scripts/tls.sh"
. "$ROOT/scripts/install.sh"
. "$ROOT/scripts/opensearch.sh"
. "$ROOT/scripts/landscape.sh"
PROFILE=${BENCH_PROFILE:-up}
ft_use_profile "$PROFILE"

if [[ ${1:-} == --sample ]]; then
  # One sample: ft_status counts the components that FABTRACE_STORAGE and FABTRACE_GATEWAYS
  # enable; unless they are set, follow the running landscape (`up` leaves the others STOPPED).
  started() { [[ $(ft_supervisorctl status "$1" 2>/dev/null | awk '{print $2}') != STOPPED ]]; }
  export FABTRACE_STORAGE=${FABTRACE_STORAGE:-$(started opensearch && echo opensearch || echo badger)}
  export FABTRACE_GATEWAYS=${FABTRACE_GATEWAYS:-$(started gateway-2 && echo 2 || echo 1)}
  ft_use_profile "$PROFILE"
  ft_status || true # NOT READY components and a stopped landscape are samples too
  exit 0
fi

MINUTES=${1:-30}
INTERVAL=${BENCH_INTERVAL_S:-60}
PNG=${BENCH_PNG:-$ROOT/docs/soak-memory.png}
[[ $MINUTES =~ ^[1-9][0-9]*$ ]] || { echo "usage: bench/soak.sh [MINUTES]   (whole minutes, default 30)" >&2; exit 2; }
[[ $INTERVAL =~ ^[1-9][0-9]*$ ]] || { echo "BENCH_INTERVAL_S must be a whole number of seconds" >&2; exit 2; }
ft_supervisor_running || {
  echo "no landscape of profile $PROFILE is running (state $FT_STATE): start one with ./fabtrace up" \
    "(or measure a running ./fabtrace test with BENCH_PROFILE=test)" >&2
  exit 1
}
exec python3 "$ROOT/bench/soak.py" --sampler "$ROOT/bench/soak.sh" --profile "$PROFILE" \
  --minutes "$MINUTES" --interval "$INTERVAL" --limit "${BENCH_LIMIT_MIB:-2048}" \
  --csv "${BENCH_CSV:-${PNG%.png}.csv}" --png "$PNG"
