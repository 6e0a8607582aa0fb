#!/usr/bin/env python3
"""Jaeger stopped for minutes under steady traffic (issue 13's 5-minute case, too long for
the test suite's 60 s): a stream of Shop API requests whose support codes are kept, Jaeger
stopped and started again, then every code looked up. Run by bench/jaeger_outage.sh."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from support.traffic import Stream, missing_in_jaeger  # noqa: E402


class Ports:
    """What the stream needs of a landscape: its URLs (the `up` profile's ports)."""

    def url(self, port_name: str, path: str = "") -> str:
        return f"http://127.0.0.1:{os.environ['FT_PORT_' + port_name]}{path}"


class Query:
    base = Ports().url("JAEGER_QUERY_HTTP")


def supervisorctl(*args: str) -> str:
    return subprocess.run(["supervisorctl", "-c", f"{os.environ['FT_STATE']}/supervisord.conf", *args],
                          capture_output=True, text=True, check=False).stdout


def main() -> None:
    outage = float(os.environ.get("BENCH_OUTAGE_SECONDS", "300"))
    rate = float(os.environ.get("BENCH_RATE", "10"))
    with Stream(Ports(), per_second=rate) as stream:
        stream.run_for(5)
        print(f"stopping Jaeger for {outage:.0f} s: {supervisorctl('stop', 'jaeger').strip()}", flush=True)
        try:
            stream.run_for(outage)
        finally:
            print(supervisorctl("start", "jaeger").strip(), flush=True)
        stream.run_for(10)
    codes = [code for _, code in stream.codes]
    lost = missing_in_jaeger(Query(), codes, timeout=300)
    print(f"| Jaeger stopped | requests answered | failed | traces lost |\n|---|---|---|---|\n"
          f"| {outage:.0f} s | {len(codes)} | {stream.failed} | **{len(lost)}** |")
    sys.exit(1 if lost or stream.failed else 0)


if __name__ == "__main__":
    main()
