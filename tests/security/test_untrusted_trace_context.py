"""A traceparent from the internet (docs/security.md): the public APIs continue it, so the
browser's spans and the API's share one trace and one support code, but it never decides
whether the server's spans are recorded (the APIs sample always_on; the Collector's tail
sampling keeps every error and slow trace), and a forged parent cannot hide them: the
server span is stored, findable by its support code, under a parent that never arrives."""

from support import faults, otlp
from support.shop import ShopCustomer


def traceparent(trace_id: str, parent: str, flags: str = "00") -> dict:
    return {"traceparent": f"00-{trace_id}-{parent}-{flags}"}


def server_span(jaeger, trace_id: str, service: str = "shop-api"):
    spans = jaeger.trace_until(trace_id, lambda s: s.service == service and s.tags.get("span.kind") == "server",
                               f"{service} server span")
    return next(s for s in spans if s.service == service and s.tags.get("span.kind") == "server")


def test_an_unsampled_traceparent_is_continued_but_does_not_hide_the_server_span(landscape, jaeger):
    trace_id, parent = otlp.new_trace_id(), otlp.new_span_id()
    customer = ShopCustomer(landscape.url("INTERNET_SHOP_WEB", "/api"))
    answer = customer.call("GET", "/materials", headers=traceparent(trace_id, parent, "00"))
    assert answer.status == 200 and answer.support_code == trace_id
    span = server_span(jaeger, trace_id)
    assert span.name == "GET /materials" and span.parent_id == parent
    assert any(s.tags.get("db.system.name") == "postgresql" for s in jaeger.trace(trace_id, min_spans=2))


def test_a_server_error_under_a_forged_unsampled_parent_is_kept(landscape, jaeger):
    customer = ShopCustomer(landscape.url("SHOP_API")).sign_up()
    model = customer.upload()
    assert model.status == 201, model
    trace_id, parent = otlp.new_trace_id(), otlp.new_span_id()
    with faults.fault_flag(landscape.url("SHOP_API_ADMIN"), "pricing_defect"):
        answer = customer.call("POST", "/quotes", {"model_id": model.body["id"], "material_id": "pla-white"},
                               headers=traceparent(trace_id, parent, "00"))
    assert answer.status == 500 and answer.support_code == trace_id
    span = server_span(jaeger, trace_id)
    assert span.tags["otel.status_code"] == "ERROR" and span.parent_id == parent
    assert trace_id in jaeger.search("shop-api", {"error": "true"})


def test_a_malformed_traceparent_starts_a_trace_of_the_servers_own(landscape, jaeger):
    customer = ShopCustomer(landscape.url("SHOP_API"))
    codes = []
    for header in ("00-zzzz-1234-01", "00-" + "0" * 32 + "-" + "1" * 16 + "-01", "ff-" + "a" * 32 + "-" + "b" * 16 + "-01",
                   "00-" + "a" * 32 + "-" + "0" * 16 + "-01", "x" * 4000):
        answer = customer.call("GET", "/materials", headers={"traceparent": header})
        assert answer.status == 200, (header, answer)
        assert len(answer.support_code) == 32 and answer.support_code not in header
        assert answer.support_code != "0" * 32
        codes.append(answer.support_code)
    for code in codes:  # the traces were sent together; each is decided on its own
        assert server_span(jaeger, code).parent_id is None
