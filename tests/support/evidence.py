"""The seven evidence rules of the catalogue, written once for every scenario test.

A scenario test injects a real fault, performs the user's action, and hands what the user
got (the support code, the status, the time it took) to `Evidence`, which fetches the
trace from Jaeger's query API and asserts the rules.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from .jaeger import Jaeger, Span
from .landscape import http_json


@dataclass
class UserOutcome:
    """What the user saw: HTTP status, the support code shown, how long it took."""
    status: int
    support_code: str
    seconds: float
    body: dict = field(default_factory=dict)


def outcome_of(status: int, headers: dict[str, str], raw: bytes, seconds: float) -> UserOutcome:
    """An API's answer as the user got it; an error body must agree with X-Support-Code."""
    try:
        parsed = json.loads(raw) if raw else {}
    except ValueError:
        parsed = {}
    code = headers.get("X-Support-Code", "")
    if isinstance(parsed, dict) and "error" in parsed:
        assert parsed["error"]["support_code"] == code, "error body and header disagree"
    return UserOutcome(status, code, seconds, parsed if isinstance(parsed, dict) else {})


class Evidence:
    def __init__(self, jaeger: Jaeger, outcome: UserOutcome, service: str):
        self.jaeger = jaeger
        self.outcome = outcome
        self.service = service
        self.spans: list[Span] = []
        self.by_id: dict[str, Span] = {}

    # Rule 1: findable by the support code and by service + error=true, within 30 s.
    def findable(self, min_spans: int = 2) -> "Evidence":
        code = self.outcome.support_code
        assert len(code) == 32 and all(c in "0123456789abcdef" for c in code), f"bad support code {code!r}"
        self.spans = self.jaeger.trace(code, timeout=30, min_spans=min_spans)
        self.by_id = {span.span_id: span for span in self.spans}
        deadline = time.monotonic() + 30
        while True:
            status, body = http_json(
                "GET", f"{self.jaeger.base}/api/traces?service={self.service}"
                       f"&tags=%7B%22error%22%3A%22true%22%7D&lookback=1h&limit=200")
            if status == 200 and any(t["traceID"] == code for t in body.get("data") or []):
                # Read it again: the spans that made it an error trace may have come in a
                # later export than the first ones read above.
                self.spans = self.jaeger.trace(code, timeout=30, min_spans=min_spans)
                self.by_id = {span.span_id: span for span in self.spans}
                return self
            assert time.monotonic() < deadline, f"trace {code} not found by service={self.service} error=true"
            time.sleep(0.5)

    # Rule 2: the failing component's span is ERROR with a specific error.type and the
    # attributes that name the dependency.
    def culprit(self, error_types: set[str], **attributes) -> Span:
        candidates = [s for s in self.spans if s.tags.get("error.type") in error_types
                      and s.tags.get("otel.status_code") == "ERROR"]
        assert candidates, (f"no ERROR span with error.type in {error_types}; seen: "
                            f"{[(s.name, s.tags.get('error.type')) for s in self.spans]}")
        for span in candidates:
            if all(span.tags.get(key) == value for key, value in attributes.items()):
                return span
        raise AssertionError(f"culprit lacks {attributes}: {[s.tags for s in candidates]}")

    # Rule 3: one trace holds every span from the user's action down to the culprit.
    def chain(self, culprit: Span) -> Span:
        span, seen = culprit, set()
        while span.parent_id is not None:
            if span.parent_id not in self.by_id:
                self._read_until_stored(span.parent_id)
            assert span.parent_id in self.by_id, f"{span.name}: parent {span.parent_id} missing from the trace"
            assert span.span_id not in seen
            seen.add(span.span_id)
            span = self.by_id[span.parent_id]
        return span  # the root

    def _read_until_stored(self, span_id: str, timeout: float = 15) -> None:
        """Reads the trace again until it holds the span: a trace's spans come in several
        exports, and on OpenSearch a later one becomes searchable a refresh later."""
        try:
            self.spans = self.jaeger.trace_until(self.outcome.support_code, lambda s: s.span_id == span_id,
                                                 f"span {span_id}", timeout=timeout)
        except AssertionError:
            return  # the caller's assertion names what is missing
        self.by_id = {span.span_id: span for span in self.spans}

    # Rule 4: route, method, status code, service name and version, business ids.
    def context(self, root: Span, route: str, method: str, business_ids: tuple[str, ...] = ()) -> Span:
        server = next((s for s in self.spans if s.tags.get("span.kind") == "server"
                       and s.service == self.service), None)
        assert server is not None, "no server span of the service"
        assert server.tags.get("http.route") == route
        assert server.tags.get("http.request.method") == method
        assert server.tags.get("http.response.status_code") == self.outcome.status
        assert server.process_tags.get("service.version"), "service.version missing"
        for key in business_ids:
            assert key in server.tags, f"business id {key} missing"
        return server

    @staticmethod
    def exception_event(span: Span, exception_type: str) -> dict:
        events = [e for e in span.events if e.get("event") == "exception"]
        assert events, f"{span.name} has no exception event"
        event = events[0]
        assert event.get("exception.type") == exception_type
        assert event.get("exception.message")
        assert event.get("exception.stacktrace", "").count("\n") >= 2
        return event

    # Rule 5: a hang ends at its configured timeout; the user is answered within budget.
    def bounded(self, culprit: Span, timeout_s: float, budget_s: float) -> None:
        duration = culprit.raw["duration"] / 1e6
        assert timeout_s * 0.9 <= duration <= timeout_s + 1.0, f"{culprit.name} lasted {duration:.2f}s"
        assert self.outcome.seconds <= budget_s, f"the user waited {self.outcome.seconds:.2f}s"

    # Rule 7: no secret or personal data in any stored span.
    def clean(self, *secrets: str) -> None:
        stored = json.dumps([s.raw for s in self.spans] + [s.process for s in self.spans]).lower()
        for secret in secrets:
            assert secret.lower() not in stored, "a secret or personal value is stored in the trace"
        for word in ("authorization", "cookie", "password"):
            assert f'"{word}' not in stored and f'.{word}"' not in stored, f"{word} stored in the trace"


def shown(result: dict, status: int = 0) -> UserOutcome:
    """What a browser journey's user saw of a failure: the banner and its support code."""
    assert result["errorShown"], f"the user saw no error: {result}"
    assert "support code" in result["message"].lower()
    return UserOutcome(status, result["supportCode"], result["ms"] / 1000.0)


def click_span(evidence: Evidence, action: str) -> Span:
    """The browser application's span of the user's click (the root of the action)."""
    click = [s for s in evidence.spans if s.service == evidence.service and s.name == f"click {action}"]
    assert click, f"no 'click {action}' span in {[s.name for s in evidence.spans]}"
    return click[0]
