"""Reading traces back from Jaeger's HTTP query API (never from an in-process exporter)."""

from __future__ import annotations

import json
import time
import urllib.parse
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
    def links(self) -> list[tuple[str, str]]:
        """Span links (Jaeger shows them as FOLLOWS_FROM references): (trace id, span id)."""
        return [(ref["traceID"], ref["spanID"]) for ref in self.raw.get("references", [])
                if ref["refType"] == "FOLLOWS_FROM"]

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

    def trace_until(self, trace_id: str, has, what: str, timeout: float = 30) -> list[Span]:
        """Waits until the stored trace holds a span for which has(span) is true (the later
        hops of a trace, e.g. a Kafka consumer's, arrive after its first spans)."""
        return self._read_until(trace_id, lambda spans: None if any(has(s) for s in spans) else f"no {what}",
                                timeout)

    def whole_trace_with(self, trace_id: str, names: set[tuple[str, str]], timeout: float = 30) -> list[Span]:
        """Waits until the stored trace holds a span of each (service, name) and the parent of
        every span, and returns it. A trace's spans come in several exports (the browser's,
        each service's, a Kafka consumer's), so a span count can be reached without the one a
        test looks for."""
        def lacking(spans: list[Span]) -> str | None:
            stored = {span.span_id for span in spans}
            missing = names - {(span.service, span.name) for span in spans}
            orphans = sorted((s.service, s.name) for s in spans if s.parent_id is not None and s.parent_id not in stored)
            return f"no span {sorted(missing)}, parent not stored for {orphans}" if missing or orphans else None
        return self._read_until(trace_id, lacking, timeout)

    def _read_until(self, trace_id: str, lacking, timeout: float) -> list[Span]:
        """Reads the trace until lacking(spans) has nothing to say (None), for up to timeout
        seconds, then fails with what it said last."""
        deadline = time.monotonic() + timeout
        while True:
            spans = self.trace(trace_id, timeout=max(1.0, deadline - time.monotonic()))
            problem = lacking(spans)
            if problem is None:
                return spans
            if time.monotonic() >= deadline:
                raise AssertionError(f"trace {trace_id} after {timeout}s: {problem}; "
                                     f"it holds {sorted({(s.service, s.name) for s in spans})}")
            time.sleep(0.5)

    def search(self, service: str, tags: dict, lookback: str = "1h", limit: int = 100) -> set[str]:
        """Trace ids of the service's traces with spans carrying all these tags (as the
        UI's search does)."""
        query = urllib.parse.urlencode({"service": service, "tags": json.dumps({k: str(v) for k, v in tags.items()}),
                                        "lookback": lookback, "limit": limit})
        status, body = http_json("GET", f"{self.base}/api/traces?{query}")
        assert status == 200, body
        return {trace["traceID"] for trace in body["data"] or []}

    def dependencies(self, lookback_ms: int = 3_600_000) -> set[tuple[str, str]]:
        """The service graph Jaeger derives from the stored spans: (parent, child) edges."""
        end = int(time.time() * 1000)
        status, body = http_json("GET", f"{self.base}/api/dependencies?endTs={end}&lookback={lookback_ms}")
        assert status == 200, body
        return {(edge["parent"], edge["child"]) for edge in body["data"] or []}
