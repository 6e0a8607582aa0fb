"""Bad telemetry at the browsers' door (each application's /otlp/v1/traces: nginx, then the
agent Collector's public receiver): malformed protobuf and JSON, wrong content types,
compression bombs, deeply nested and huge attribute values, thousands of tiny spans in one
request, timestamps far in the future or negative, ids of the wrong length. A fixed seed
and a bounded number of cases. Each gets a 4xx, or is accepted and bounded; the Collector
stays up; and the spans a real browser sends in between all arrive."""

from __future__ import annotations

import gzip
import json
import random
import time
import uuid

from support import otlp
from support.collector import metric_sum, metrics_text
from support.landscape import http

SEED, RANDOM_CASES = 20261130, 24
JSON_TYPE = {"Content-Type": "application/json"}
PROTOBUF = {"Content-Type": "application/x-protobuf"}


def nested(depth: int) -> dict:
    value: dict = {"stringValue": "leaf"}
    for level in range(depth):
        value = {"kvlistValue": {"values": [{"key": f"k{level}", "value": value}]}} if level % 2 else \
            {"arrayValue": {"values": [value]}}
    return value


def browser_request(spans: list[dict]) -> bytes:
    return otlp.request("internet-shop", spans)


def with_span(**fields) -> bytes:
    span = otlp.span("HTTP GET", otlp.new_trace_id(), otlp.CLIENT)
    span.update(fields)
    return browser_request([span])


def fixed_cases() -> list[tuple[str, bytes, dict]]:
    trace = otlp.new_trace_id()
    tiny = [{"traceId": trace, "spanId": otlp.new_span_id(), "name": "t", "kind": 3} for _ in range(2500)]
    return [
        ("empty body", b"", JSON_TYPE),
        ("not JSON", b"{\"resourceSpans\": [", JSON_TYPE),
        ("JSON of the wrong shape", json.dumps({"resourceSpans": {"a": 1}}).encode(), JSON_TYPE),
        ("wrong types", json.dumps({"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": 7, "kind": "x"}]}]}]}).encode(), JSON_TYPE),
        ("text/plain", browser_request([otlp.span("HTTP GET", otlp.new_trace_id())]), {"Content-Type": "text/plain"}),
        ("application/xml", b"<spans/>", {"Content-Type": "application/xml"}),
        ("no content type", browser_request([otlp.span("HTTP GET", otlp.new_trace_id())]), {}),
        ("protobuf garbage", bytes(range(256)) * 4, PROTOBUF),
        ("protobuf, length beyond the end", b"\x0a\xff\xff\xff\x0f\x0a\x02", PROTOBUF),
        ("gzip bomb (64 MB of zeros)", gzip.compress(b"\0" * (64 << 20)), {**JSON_TYPE, "Content-Encoding": "gzip"}),
        ("gzip bomb of JSON", gzip.compress(b'{"resourceSpans":[' + b'{},' * (8 << 20) + b'{}]}'),
         {**JSON_TYPE, "Content-Encoding": "gzip"}),
        ("not gzip at all", b"plain", {**JSON_TYPE, "Content-Encoding": "gzip"}),
        ("attribute nested 200 deep", with_span(attributes=[{"key": "deep", "value": nested(200)}]), JSON_TYPE),
        ("a 200 KB attribute value", with_span(attributes=[{"key": "big", "value": {"stringValue": "x" * 200_000}}]), JSON_TYPE),
        ("2,500 tiny spans", browser_request(tiny), JSON_TYPE),
        ("start far in the future", with_span(startTimeUnixNano="99999999999999999999", endTimeUnixNano="1"), JSON_TYPE),
        ("negative timestamps", with_span(startTimeUnixNano="-5", endTimeUnixNano="-1"), JSON_TYPE),
        ("trace id too short", with_span(traceId="abcd"), JSON_TYPE),
        ("span id not hex", with_span(spanId="zzzzzzzzzzzzzzzz"), JSON_TYPE),
        ("all-zero trace id", with_span(traceId="0" * 32), JSON_TYPE),
        ("all-zero span id", with_span(spanId="0" * 16), JSON_TYPE),
    ]


def invalid_ids_dropped(landscape) -> float:
    """Spans the agent dropped for an all-zero trace or span id."""
    return metric_sum(metrics_text(landscape, "COLLECTOR_TELEMETRY"), "otelcol_processor_filter_spans_filtered_total",
                      filter="filter/valid_ids")


def random_cases(rng: random.Random) -> list[tuple[str, bytes, dict]]:
    """Valid requests with some bytes flipped, cut or repeated."""
    cases = []
    for n in range(RANDOM_CASES):
        body = bytearray(browser_request([otlp.span("HTTP GET", otlp.new_trace_id())]))
        for _ in range(rng.randint(1, 8)):
            at = rng.randrange(len(body))
            choice = rng.random()
            if choice < 0.5:
                body[at] = rng.randrange(256)
            elif choice < 0.75:
                del body[at:at + rng.randint(1, 20)]
            else:
                body[at:at] = body[at:at + rng.randint(1, 40)] * rng.randint(1, 5)
        cases.append((f"mutated request {n}", bytes(body), rng.choice([JSON_TYPE, PROTOBUF])))
    return cases


def test_bad_telemetry_gets_4xx_or_is_bounded_and_real_spans_still_arrive(landscape, jaeger, measured):
    door = landscape.url("INTERNET_SHOP_WEB", "/otlp/v1/traces")
    agent_pid = landscape.supervisorctl("pid", "collector").strip()
    invalid_ids_before = invalid_ids_dropped(landscape)
    cases = fixed_cases() + random_cases(random.Random(SEED))
    answers: dict[str, int] = {}
    real: list[str] = []
    for index, (name, body, headers) in enumerate(cases):
        status, _, _ = http("POST", door, body, headers, timeout=30)
        answers[name] = status
        if index % 4 == 0:
            trace_id = otlp.new_trace_id()
            span = otlp.span("HTTP GET", trace_id, otlp.CLIENT, attributes={"test.marker": uuid.uuid4().hex})
            assert http("POST", door, browser_request([span]), JSON_TYPE)[0] == 200, f"a real span after {name!r}"
            real.append(trace_id)
        time.sleep(0.25)  # under nginx's 10 requests a second, so no answer is a 429
    measured("public door fuzz: " + json.dumps(answers))
    server_errors = {name: status for name, status in answers.items() if status >= 500 or status == 0}
    assert not server_errors, f"answers that are not 2xx/4xx: {server_errors}"
    for name in ("empty body", "not JSON", "protobuf garbage", "gzip bomb (64 MB of zeros)", "gzip bomb of JSON",
                 "application/xml", "not gzip at all"):
        assert 400 <= answers[name] < 500, (name, answers[name])
    assert landscape.supervisorctl("pid", "collector").strip() == agent_pid, "the agent Collector restarted"
    # The two spans with all-zero ids were answered like any other, then dropped and counted
    # (a store must never see them: Jaeger's OpenSearch reader panics on such a trace).
    assert answers["all-zero trace id"] == answers["all-zero span id"] == 200, answers
    assert invalid_ids_dropped(landscape) - invalid_ids_before >= 2
    assert http("GET", landscape.url("COLLECTOR_HEALTH", "/"))[0] == 200
    for trace_id in real:
        assert jaeger.trace(trace_id, timeout=60, min_spans=1), trace_id
