"""Two doors for telemetry. The services send to the Collector's internal door, which wants
this install's bearer token. Browsers send to each application's /otlp/v1/traces: nginx
(rate and size limits) in front of the Collector's public door, which admits only the
browser applications' CLIENT and INTERNAL spans, without backend attributes, with URLs
stripped of query and fragment. Forged spans are dropped there, counted, and never reach
Jaeger, while real browser spans still arrive."""

import re
import time
import uuid

import pytest

from support import otlp
from support.landscape import http
from support.shop import ShopCustomer

JSON = {"Content-Type": "application/json"}


def public_door(landscape, app: str = "INTERNET_SHOP_WEB") -> str:
    return landscape.url(app, "/otlp/v1/traces")


def post(url: str, body: bytes, headers: dict | None = None) -> int:
    status, _, _ = http("POST", url, body, {**JSON, **(headers or {})})
    return status


def filtered_spans(landscape) -> float:
    """Spans the public door's filters dropped, from the Collector's own metrics."""
    status, _, body = http("GET", landscape.url("COLLECTOR_TELEMETRY", "/metrics"))
    assert status == 200
    total = 0.0
    for line in body.decode().splitlines():
        if line.startswith("otelcol_processor_filter_spans_filtered") and "public_" in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


def marker_span(trace_id: str, marker: str) -> dict:
    """What a browser application really sends: a CLIENT fetch span of its own."""
    return otlp.span("HTTP GET", trace_id, otlp.CLIENT, attributes={
        "http.request.method": "GET", "url.full": f"http://127.0.0.1/api/materials?marker={marker}#top",
        "test.marker": marker, "http.response.status_code": 200})


def wait_for_marker(jaeger, trace_id: str):
    """The browser span of the trace is stored; the spans sent with it were decided with it."""
    jaeger.trace(trace_id, min_spans=1)
    time.sleep(1.0)  # anything else of the trace would have arrived in the same export
    return jaeger.trace(trace_id, min_spans=1)


def test_services_need_the_token(landscape, jaeger):
    url = landscape.url("COLLECTOR_OTLP_HTTP", "/v1/traces")
    trace_id = otlp.new_trace_id()
    body = otlp.request("shop-api", [otlp.span("POST /orders", trace_id, otlp.SERVER, error=True,
                                               attributes={"error.type": "spoofed"})], sdk_language="cpp")
    assert post(url, body) == 401
    assert post(url, body, {"Authorization": "Bearer " + uuid.uuid4().hex}) == 401
    assert post(url, body, {"Authorization": landscape.otlp_headers()["Authorization"].replace("Bearer", "Basic")}) == 401
    assert post(url, body, landscape.otlp_headers()) == 200
    [stored] = jaeger.trace(trace_id)
    assert stored.service == "shop-api" and stored.tags["error.type"] == "spoofed"


def test_the_public_door_needs_no_cors_and_takes_only_posts(landscape):
    status, headers, _ = http("OPTIONS", public_door(landscape), headers={
        "Origin": "http://evil.example", "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in headers and status in (403, 405)
    assert http("GET", public_door(landscape))[0] == 403


FORGERIES = {
    # The report of the issue: a backend service's failing server span.
    "backend server span": lambda t: otlp.request("shop-api", [otlp.span(
        "POST /orders", t, otlp.SERVER, error=True, attributes={"error.type": "spoofed", "http.route": "/orders"})]),
    "backend name, client kind": lambda t: otlp.request("crm-api", [otlp.span("GET", t, otlp.CLIENT, error=True)]),
    "browser name, server kind": lambda t: otlp.request("internet-shop", [otlp.span("GET /", t, otlp.SERVER, error=True)]),
    "browser name, producer kind": lambda t: otlp.request("mes", [otlp.span("send", t, 4)]),
    "unknown service": lambda t: otlp.request("payments", [otlp.span("charge", t, otlp.CLIENT, error=True)]),
    "not a browser SDK": lambda t: otlp.request("internet-shop", [otlp.span("HTTP GET", t)], sdk_language="cpp"),
    "backend distro": lambda t: otlp.request("crm", [otlp.span("HTTP GET", t)], resource={"telemetry.distro.name": "fabtrace"}),
    "database attributes": lambda t: otlp.request("internet-shop", [otlp.span(
        "SELECT shopdb.orders", t, otlp.CLIENT, error=True, attributes={"db.system.name": "postgresql"})]),
    "business id": lambda t: otlp.request("crm", [otlp.span("click", t, otlp.INTERNAL, attributes={"shop.order.id": 1})]),
    "messaging attributes": lambda t: otlp.request("mes", [otlp.span("x", t, otlp.CLIENT, attributes={"messaging.system": "kafka"})]),
}


def test_forged_spans_are_dropped_counted_and_absent_while_real_ones_arrive(landscape, jaeger):
    before = filtered_spans(landscape)
    trace_id = otlp.new_trace_id()
    marker = uuid.uuid4().hex
    for name, forge in FORGERIES.items():
        assert post(public_door(landscape), forge(trace_id)) == 200, name
    # The real browser span, sent last into the same trace.
    assert post(public_door(landscape), otlp.request("internet-shop", [marker_span(trace_id, marker)])) == 200
    spans = wait_for_marker(jaeger, trace_id)
    assert [(s.service, s.name) for s in spans] == [("internet-shop", "HTTP GET")], "a forged span was stored"
    [real] = spans
    assert real.tags["url.full"] == "http://127.0.0.1/api/materials", "query and fragment are stripped"
    assert marker not in str(real.tags.get("url.full"))
    deadline = time.monotonic() + 15
    while filtered_spans(landscape) - before < len(FORGERIES) and time.monotonic() < deadline:
        time.sleep(1)  # the Collector's metrics are read every few seconds
    assert filtered_spans(landscape) - before >= len(FORGERIES)


def test_a_span_injected_into_someone_elses_trace_is_dropped(landscape, jaeger):
    customer = ShopCustomer(landscape.url("SHOP_API")).sign_up()
    answer = customer.call("GET", "/orders")
    assert answer.status == 200, answer
    victim = answer.support_code
    before = {s.span_id for s in jaeger.trace(victim)}
    forged = otlp.request("shop-api", [otlp.span("GET /customers/me", victim, otlp.SERVER, error=True,
                                                 attributes={"error.type": "spoofed"})])
    assert post(public_door(landscape, "CRM_WEB"), forged) == 200
    marker_trace = otlp.new_trace_id()
    assert post(public_door(landscape, "CRM_WEB"), otlp.request("crm", [marker_span(marker_trace, "x")])) == 200
    wait_for_marker(jaeger, marker_trace)
    after = jaeger.trace(victim)
    assert {s.span_id for s in after} == before
    assert not any(s.tags.get("error.type") == "spoofed" for s in after)


def test_ten_thousand_spans_in_one_request_are_refused(landscape):
    trace_id = otlp.new_trace_id()
    body = otlp.request("internet-shop", [otlp.span("HTTP GET", trace_id) for _ in range(10_000)])
    assert post(public_door(landscape), body) == 413


def test_a_flood_from_one_client_is_limited(landscape, jaeger):
    trace_id = otlp.new_trace_id()
    body = otlp.request("mes", [otlp.span("HTTP GET", trace_id)])
    started = time.monotonic()
    statuses = [post(public_door(landscape, "MES_WEB"), body) for _ in range(100)]
    took = time.monotonic() - started
    limited = statuses.count(429)
    print(f"100 requests in {took:.2f}s from one client: {statuses.count(200)} admitted, {limited} refused (429)")
    assert set(statuses) <= {200, 429}
    assert statuses.count(200) <= 20 + 10 * (took + 1) and limited >= 100 - (20 + 10 * (took + 1))
    time.sleep(3)  # the client's allowance comes back at 10 requests a second
    assert post(public_door(landscape, "MES_WEB"), body) == 200


@pytest.mark.parametrize("body, content_type", [
    (b"\x0a\xff\xff\xff\xff\x0f", "application/x-protobuf"),
    (b'{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "zz"}]}]}]}', "application/json"),
    (b"<xml/>", "text/xml"),
])
def test_malformed_telemetry_gets_a_4xx(landscape, body, content_type):
    status, _, _ = http("POST", public_door(landscape), body, {"Content-Type": content_type})
    assert 400 <= status < 500, status


def test_the_browser_applications_send_through_their_own_origin(landscape):
    for app in ("INTERNET_SHOP_WEB", "CRM_WEB", "MES_WEB"):
        status, _, body = http("GET", landscape.url(app, "/config.js"))
        assert status == 200
        assert re.search(rb'otlpTracesUrl: window.location.origin \+ "/otlp/v1/traces"', body), body
