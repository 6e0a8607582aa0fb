"""Fault injection through toxiproxy's HTTP API: every dependency sits behind a proxy."""

from __future__ import annotations

import contextlib

from .landscape import Landscape, http_json


class Toxiproxy:
    def __init__(self, landscape: Landscape):
        self.base = landscape.url("TOXIPROXY_API")

    def proxies(self) -> dict:
        status, body = http_json("GET", f"{self.base}/proxies")
        assert status == 200, body
        return body

    def set_enabled(self, proxy: str, enabled: bool) -> None:
        status, body = http_json("POST", f"{self.base}/proxies/{proxy}", {"enabled": enabled})
        assert status == 200, body

    @contextlib.contextmanager
    def disabled(self, proxy: str):
        """DOWN: the proxy stops listening and cuts open connections."""
        self.set_enabled(proxy, False)
        try:
            yield
        finally:
            self.set_enabled(proxy, True)

    @contextlib.contextmanager
    def toxic(self, proxy: str, name: str, kind: str, **attributes):
        """A toxic on the proxy's answers while the block runs."""
        toxic = {"name": name, "type": kind, "stream": "downstream", "attributes": attributes}
        status, body = http_json("POST", f"{self.base}/proxies/{proxy}/toxics", toxic)
        assert status == 200, body
        try:
            yield
        finally:
            http_json("DELETE", f"{self.base}/proxies/{proxy}/toxics/{name}")

    def hanging(self, proxy: str):
        """HANG: connections are accepted but no byte comes back (a timeout toxic)."""
        return self.toxic(proxy, "hang", "timeout", timeout=0)

    def delayed(self, proxy: str, latency_ms: int):
        """SLOW: every answer of the dependency is delayed by latency_ms."""
        return self.toxic(proxy, "slow", "latency", latency=latency_ms)
