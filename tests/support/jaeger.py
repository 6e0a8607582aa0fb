"""Reading traces back from Jaeger's HTTP query API (never from an in-process exporter)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from .landscape import Landscape, http_json


@dataclass
class Span:
    raw: dict
    process: dict

    @property
    def name(self) -> str:
        return self.raw["operationName"]

    @property
    def span_id(self) -> str:
        return self.raw["spanID"]

    @property
    def service(self) -> str:
        return self.process["serviceName"]

    @property
    def tags(self) -> dict:
        return {tag["key"]: tag["value"] for tag in self.raw.get("tags", [])}

    @property
    def process_tags(self) -> dict:
        return {tag["key"]: tag["value"] for tag in self.process.get("tags", [])}

    @property
    def parent_id(self) -> str | None:
        for ref in self.raw.get("references", []):
            if ref["refType"] == "CHILD_OF":
                return ref["spanID"]
        return None

    @property
    def events(self) -> list[dict]:
        """Span events (Jaeger calls them logs) as {"event": name, **attributes}."""
        return [{field["key"]: field["value"] for field in log["fields"]}
                for log in self.raw.get("logs", [])]


class Jaeger:
    def __init__(self, landscape: Landscape):
        self.base = landscape.url("JAEGER_QUERY_HTTP")

    def services(self) -> list[str]:
        status, body = http_json("GET", f"{self.base}/api/services")
        assert status == 200, body
        return body["data"] or []

    def trace(self, trace_id: str, timeout: float = 30, min_spans: int = 1) -> list[Span]:
        """Waits until the trace is stored with at least min_spans spans and returns them."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            status, body = http_json("GET", f"{self.base}/api/traces/{trace_id}")
            last = (status, body)
            if status == 200 and body.get("data"):
                data = body["data"][0]
                spans = [Span(span, data["processes"][span["processID"]]) for span in data["spans"]]
                if len(spans) >= min_spans:
                    return spans
            time.sleep(0.5)
        raise AssertionError(f"trace {trace_id} not in Jaeger after {timeout}s (last answer {last})")
