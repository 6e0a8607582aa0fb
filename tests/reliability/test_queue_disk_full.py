"""The agent Collector's persistent queue on a full disk: while no gateway can take spans
the queue grows; when its filesystem is full, the agent keeps running, refuses what it
cannot keep (a retryable answer, counted in otelcol_exporter_enqueue_failed_spans_total,
with a log line), and recovers when space returns: what it had queued and what comes
next reach Jaeger. The queue directory is put on a small tmpfs for the test (root only)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import pytest

from support import otlp
from support.collector import metric_sum, metrics_text
from support.landscape import http

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small filesystem needs root")


def send(landscape, trace_id: str, spans: int = 1) -> int:
    """One request of `spans` spans; each extra span carries 2 KB so that a few dozen
    requests outgrow the whole 2 MB queue filesystem, whatever room the queue's database
    file still has inside pages it wrote before."""
    body = otlp.request("queue-check", [otlp.span("queued", trace_id, otlp.INTERNAL)] + [
        otlp.span("bulk", trace_id, otlp.INTERNAL, attributes={"fabtrace.test.padding": os.urandom(1024).hex()})
        for _ in range(spans - 1)], sdk_language="cpp")
    return http("POST", landscape.url("COLLECTOR_OTLP_HTTP", "/v1/traces"), body,
                {"Content-Type": "application/json", **landscape.otlp_headers()}, timeout=15)[0]


def queue_files(queue) -> dict[str, tuple[int, int]]:
    """Each queue file's apparent size and the bytes it really occupies (for failure messages)."""
    return {path.name: (path.stat().st_size, path.stat().st_blocks * 512) for path in queue.iterdir()}


def queue_is_small_tmpfs(queue) -> bool:
    with open("/proc/self/mounts") as mounts:
        return any(line.split()[1] == str(queue) and line.split()[2] == "tmpfs" for line in mounts)


def ctl(landscape, *args: str) -> str:
    return landscape.supervisorctl(*args)


def wait_healthy(landscape, port: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while http("GET", landscape.url(port, "/"))[0] != 200:
        assert time.monotonic() < deadline, f"{port} not healthy"
        time.sleep(0.3)


def test_a_full_queue_disk_refuses_counts_and_recovers(landscape, jaeger, measured):
    queue = landscape.state / "collector" / "queue"
    gateways = [f"gateway-{n}" for n in range(1, int(landscape.env("FT_GATEWAYS")) + 1)]
    log = landscape.state / "logs" / "collector.log"
    ctl(landscape, "stop", "collector")
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "fabtrace-queue-test", str(queue)], check=True)
    try:
        ctl(landscape, "start", "collector")
        wait_healthy(landscape, "COLLECTOR_HEALTH")
        pid = ctl(landscape, "pid", "collector").strip()
        for gateway in gateways:
            ctl(landscape, "stop", gateway)
        # Queued while the gateways are away, before the disk fills: must arrive later.
        early = [otlp.new_trace_id() for _ in range(5)]
        assert all(send(landscape, trace_id) == 200 for trace_id in early)
        time.sleep(1)
        free = shutil.disk_usage(queue).free
        with open(queue / "filler", "wb") as filler:
            filler.write(b"\0" * max(0, free - 16 * 1024))
        log_size = log.stat().st_size
        before = metric_sum(metrics_text(landscape, "COLLECTOR_TELEMETRY"),
                            "otelcol_exporter_enqueue_failed_spans_total", exporter="loadbalancing")
        assert queue_is_small_tmpfs(queue), "the queue directory is not the test's tmpfs"
        # 200 requests of ~40 KB: 8 MB for a 2 MB filesystem already full.
        answers = [send(landscape, otlp.new_trace_id(), spans=20) for _ in range(200)]
        refused = [status for status in answers if status != 200]
        after = metric_sum(metrics_text(landscape, "COLLECTOR_TELEMETRY"),
                           "otelcol_exporter_enqueue_failed_spans_total", exporter="loadbalancing")
        new_log = log.read_text(errors="replace")[log_size:]
        measured(f"queue disk full: {len(refused)} of 200 requests of 20 spans refused (answers {sorted(set(answers))}), "
              f"enqueue failures counted {after - before:.0f}")
        assert ctl(landscape, "pid", "collector").strip() == pid, "the agent restarted on a full disk"
        assert http("GET", landscape.url("COLLECTOR_HEALTH", "/"))[0] == 200
        # At most 2 MB of the 8 MB sent can have been kept: most requests must be refused.
        assert len(refused) >= 150 and all(status in (429, 500, 503) for status in refused), (
            sorted(set(answers)), len(refused), queue_files(queue))
        assert after - before >= 20 * len(refused)
        assert "no space left on device" in new_log.lower() or "enqueue" in new_log.lower(), new_log[-2000:]
        # Space returns, the gateways come back: the early spans and new ones arrive.
        os.remove(queue / "filler")
        for gateway in gateways:
            ctl(landscape, "start", gateway)
        late = [otlp.new_trace_id() for _ in range(5)]
        deadline = time.monotonic() + 30
        for trace_id in late:
            while send(landscape, trace_id) != 200:
                assert time.monotonic() < deadline, "the agent did not take spans again after space returned"
                time.sleep(1)
        for trace_id in early + late:
            assert jaeger.trace(trace_id, timeout=90, min_spans=1), trace_id
    finally:
        for gateway in gateways:
            ctl(landscape, "start", gateway)
        ctl(landscape, "stop", "collector")
        subprocess.run(["umount", str(queue)], check=False)
        ctl(landscape, "start", "collector")
        wait_healthy(landscape, "COLLECTOR_HEALTH")
