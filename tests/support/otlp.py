"""OTLP/HTTP JSON requests built by hand, as any client on the internet could send them to
the public telemetry door (or a service to the internal one)."""

from __future__ import annotations

import json
import os
import time

SERVER, CLIENT, INTERNAL = 2, 3, 1  # OTLP span kinds


def new_trace_id() -> str:
    return os.urandom(16).hex()


def new_span_id() -> str:
    return os.urandom(8).hex()


def _value(value) -> dict:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    return {"stringValue": str(value)}


def span(name: str, trace_id: str, kind: int = CLIENT, parent: str = "", error: bool = False,
         attributes: dict | None = None, span_id: str | None = None) -> dict:
    now = time.time_ns()
    return {"traceId": trace_id, "spanId": span_id or new_span_id(), "parentSpanId": parent, "name": name,
            "kind": kind, "startTimeUnixNano": str(now - 20_000_000), "endTimeUnixNano": str(now),
            "attributes": [{"key": k, "value": _value(v)} for k, v in (attributes or {}).items()],
            "status": {"code": 2, "message": "failed"} if error else {}}


def request(service: str, spans: list[dict], sdk_language: str = "webjs", resource: dict | None = None) -> bytes:
    attributes = {"service.name": service, "telemetry.sdk.language": sdk_language, **(resource or {})}
    return json.dumps({"resourceSpans": [{
        "resource": {"attributes": [{"key": k, "value": _value(v)} for k, v in attributes.items()]},
        "scopeSpans": [{"scope": {"name": "fabtrace-tests"}, "spans": spans}]}]}).encode()
