#!/usr/bin/env bash
# Jaeger stopped for 5 minutes (BENCH_OUTAGE_SECONDS) under a steady stream of Shop API
# requests (BENCH_RATE per second): how many of their traces are missing afterwards.
#   bench/jaeger_outage.sh      (needs ./fabtrace up running; about 6 minutes)
# The gateways' persistent queues hold the spans meanwhile (docs/operations.md).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export FT_ROOT=$ROOT
. "$ROOT/scripts/common.sh"
ft_use_profile "${BENCH_PROFILE:-up}"
[[ -S $FT_RUN/supervisor.sock ]] || { echo "no landscape in $FT_STATE: run ./fabtrace up first" >&2; exit 1; }
exec python3 "$ROOT/bench/jaeger_outage.py"
