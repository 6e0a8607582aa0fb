"""A steady stream of Shop API requests whose support codes are recorded, and the checks
that every one of their traces reached Jaeger: what the loss tests (tests/reliability,
tests/distributed) build on."""

from __future__ import annotations

import os
import signal
import threading
import time

from .landscape import http, http_json


class Stream:
    """GET /materials at a steady rate on its own thread; keeps (time, support code)."""

    def __init__(self, landscape, per_second: float = 20):
        self.url = landscape.url("SHOP_API", "/materials")
        self.interval = 1 / per_second
        self.codes: list[tuple[float, str]] = []
        self.failed = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        next_at = time.monotonic()
        while not self._stop.is_set():
            status, headers, _ = http("GET", self.url, timeout=10)
            if status == 200 and headers.get("X-Support-Code"):
                self.codes.append((time.time(), headers["X-Support-Code"]))
            else:
                self.failed += 1
            next_at += self.interval
            time.sleep(max(0.0, next_at - time.monotonic()))

    def __enter__(self) -> "Stream":
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=30)

    def run_for(self, seconds: float):
        time.sleep(seconds)


def missing_in_jaeger(jaeger, codes: list[str], timeout: float) -> list[str]:
    """The support codes whose traces Jaeger still does not have after TIMEOUT seconds."""
    waiting = list(codes)
    deadline = time.monotonic() + timeout
    while waiting and time.monotonic() < deadline:
        waiting = [code for code in waiting if http_json("GET", f"{jaeger.base}/api/traces/{code}")[0] != 200]
        if waiting:
            time.sleep(2)
    return waiting


def assert_none_lost(stream: Stream, jaeger, measured, fault: str, at_least: int, timeout: float):
    """Every request of the stream was answered, and every one of their traces is in Jaeger."""
    codes = [code for _, code in stream.codes]
    lost = missing_in_jaeger(jaeger, codes, timeout=timeout)
    measured(f"{fault}: {len(codes)} requests answered ({stream.failed} failed), {len(lost)} traces lost")
    assert stream.failed == 0 and len(codes) > at_least
    assert lost == [], lost[:10]


def healthy(landscape, health_port: str) -> bool:
    """The program answers its health check (a restarted one may not listen yet)."""
    try:
        return http("GET", landscape.url(health_port, "/"))[0] == 200
    except OSError:
        return False


def restart_by_kill(landscape, program: str, health_port: str) -> float:
    """kill -9 of a running program; supervisord starts it again. Returns when it is healthy."""
    pid = int(landscape.supervisorctl("pid", program).strip())
    killed_at = time.time()
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        now = landscape.supervisorctl("pid", program).strip()
        if now.isdigit() and int(now) not in (0, pid) and healthy(landscape, health_port):
            return killed_at
        time.sleep(0.2)
    raise AssertionError(f"{program} did not come back after kill -9")
