"""Reading the landscape's Prometheus (span metrics, recorded rules, alerts)."""

from __future__ import annotations

import time
import urllib.parse

from .landscape import Landscape, http_json


class Prometheus:
    def __init__(self, landscape: Landscape):
        self.base = landscape.url("PROMETHEUS")

    def query(self, promql: str) -> list[dict]:
        status, body = http_json("GET", f"{self.base}/api/v1/query?" + urllib.parse.urlencode({"query": promql}))
        assert status == 200 and body["status"] == "success", body
        return body["data"]["result"]

    def value(self, promql: str) -> float:
        """The sum of an instant query's values (0 when it returns nothing)."""
        return sum(float(row["value"][1]) for row in self.query(promql))

    def wait_until(self, promql: str, predicate, timeout: float = 60) -> float:
        deadline = time.monotonic() + timeout
        while True:
            value = self.value(promql)
            if predicate(value):
                return value
            assert time.monotonic() < deadline, f"{promql}: still {value} after {timeout}s"
            time.sleep(1)
