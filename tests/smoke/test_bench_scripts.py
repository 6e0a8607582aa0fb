"""The benchmark scripts of bench/ run to the end on a short duration (they are measured by
hand, not timed here: docs/performance.md), and what they print holds together."""

import os
import re
import subprocess


def run_bench(landscape, script: str, *args: str, **env: str) -> str:
    result = subprocess.run(["bash", str(landscape.root / "bench" / script), *args], capture_output=True, text=True,
                            timeout=300, check=False, env={**os.environ, **env})
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_cpu_per_request_compares_every_export_path(landscape):
    out = run_bench(landscape, "cpu_per_request.sh", "/work", BENCH_DURATION="1s", BENCH_WARMUP="1s",
                    BENCH_ROUNDS="1")
    rows = {line.split()[0]: line.split() for line in out.splitlines() if re.match(r"^  [a-z-]+ +\d", line)}
    assert set(rows) == {"off", "compact", "sdk-tracer", "stock", "collector-down"}, out
    # mode req/s ratio p99 ratio cpu-per-request cpu-per-span spans-per-request exported failed dropped
    assert float(rows["compact"][1]) > 0 and int(rows["compact"][8]) > 0, "our path exported spans"
    assert 3.9 <= float(rows["compact"][7]) <= 4.1, "/work makes four spans a request"
    down = rows["collector-down"]
    assert int(down[8]) == 0 and int(down[9]) + int(down[10]) > 0, "nothing listening: counted as failed or dropped"


def test_instructions_per_request_counts_both_modes(landscape):
    out = run_bench(landscape, "instructions_per_request.sh", "/ping", BENCH_REQUESTS="50",
                    BENCH_EXPORT_PATHS="compact")
    off = re.search(r"/ping +off +(\d+)", out)
    on = re.search(r"/ping +compact +(\d+) +ratio", out)
    assert off and on, out
    assert int(on.group(1)) > int(off.group(1)) > 1000


def test_latency_at_a_fixed_rate_reports_every_mode(landscape):
    out = run_bench(landscape, "latency_fixed_rate.sh", "/ping", BENCH_DURATION="1s", BENCH_WARMUP="1s",
                    BENCH_RATES="200", BENCH_ROUNDS="1")
    rows = {line.split()[0]: line.split() for line in out.splitlines() if re.match(r"^  [a-z-]+ +200 ", line)}
    assert set(rows) == {"off", "compact", "sdk-tracer"}, out
    assert all(float(row[7]) > 0.99 for row in rows.values()), "every request answered"


def test_shop_routes_measure_the_real_service(landscape):
    out = run_bench(landscape, "shop_routes.sh", "materials", BENCH_PROFILE="test", BENCH_DURATION="1s",
                    BENCH_WARMUP="1s", BENCH_ROUNDS="1")
    rows = {line.split()[0]: line.split() for line in out.splitlines() if re.match(r"^  [a-z-]+ +\d", line)}
    assert set(rows) == {"off", "compact", "stock", "collector", "collector-down"}, out
    assert float(rows["compact"][7]) == 2.0, "GET /materials: a server span and a PostgreSQL span"
    assert int(rows["collector"][8]) > 0, "the real Collector took spans"


def test_pipeline_capacity_counts_every_side(landscape):
    out = run_bench(landscape, "pipeline_capacity.sh", BENCH_PROFILE="test", BENCH_SPAN_RATES="500",
                    BENCH_SECONDS="2")
    row = next(line.split() for line in out.splitlines() if re.match(r"^ +500 ", line))
    sent, stored, lost = int(row[2]), int(row[10]), int(row[11])
    assert sent == 1000 and stored == sent and lost == 0, out
    assert "highest rate achieved with zero loss" in out


def test_paired_cpu_measures_both_modes_round_by_round(landscape):
    out = run_bench(landscape, "paired_cpu.sh", "materials", BENCH_PROFILE="test", BENCH_DURATION="1s",
                    BENCH_WARMUP="1s", BENCH_ROUNDS="2")
    rounds = [line.split() for line in out.splitlines() if re.match(r"^ +\d+ +\d", line)]
    assert len(rounds) == 2, out
    # round off-us compact-us ratio added req-off req-compact steal
    assert all(int(row[5]) > 0 and int(row[6]) > 0 for row in rounds), "both services answered"
    assert re.search(r"median ratio of CPU per request, compact / off: \d+\.\d{3}", out), out
    assert "spans per request: off 0.00, compact 2.00" in out, "GET /materials: two spans traced, none untraced"


def test_paired_cpu_compares_two_builds_of_the_bench_server_side_by_side(landscape, tmp_path):
    # Service B runs from a copy of the build (as the build of an earlier commit would):
    # the copy must be the one measured, and both must trace.
    cache = os.environ.get("FABTRACE_CACHE", os.path.expanduser("~/.cache/fabtrace"))
    built = os.path.join(cache, "build", "cmake", "bench", "trace_bench_server")
    other = tmp_path / "trace_bench_server_other"
    other.write_bytes(open(built, "rb").read())
    other.chmod(0o755)
    out = run_bench(landscape, "paired_cpu.sh", "ping", BENCH_PAIR="compact compact", BENCH_BUILD_B=str(other),
                    BENCH_TOGETHER="1", BENCH_DURATION="1s", BENCH_WARMUP="1s", BENCH_ROUNDS="1")
    assert f"(port {int(os.environ.get('BENCH_PORT', 18990)) + 2}, {other})" in out, out
    rounds = [line.split() for line in out.splitlines() if re.match(r"^ +\d+ +\d", line)]
    assert len(rounds) == 1 and int(rounds[0][5]) > 0 and int(rounds[0][6]) > 0, out
    assert "spans per request: compact 1.00, compact 1.00" in out, "/ping: one span each"
    assert subprocess.run(["pgrep", "-f", str(other)], capture_output=True).returncode == 1, "B was stopped"
