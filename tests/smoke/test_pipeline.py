"""A C++ program built with opentelemetry-cpp sends a trace to the Collector; it must come
out of Jaeger's query API with every field intact, over OTLP/HTTP and OTLP/gRPC."""

import json
import subprocess
import uuid

import pytest


def send_smoke_trace(landscape, protocol: str) -> dict:
    if protocol == "http":
        endpoint = landscape.url("COLLECTOR_OTLP_HTTP", "/v1/traces")
    else:
        endpoint = f"127.0.0.1:{landscape.port('COLLECTOR_OTLP_GRPC')}"
    run_id = uuid.uuid4().hex
    result = subprocess.run(
        [str(landscape.build_dir / "tests/smoke/otel_smoke"), "--protocol", protocol,
         "--endpoint", endpoint, "--run-id", run_id],
        env=landscape.otlp_env(), capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    sent = json.loads(result.stdout.strip().splitlines()[-1])
    sent["run_id"] = run_id
    return sent


@pytest.mark.parametrize("protocol", ["http", "grpc"])
def test_trace_reaches_jaeger_intact(landscape, jaeger, protocol):
    sent = send_smoke_trace(landscape, protocol)

    spans = {span.span_id: span for span in jaeger.trace(sent["trace_id"], min_spans=2)}

    assert set(spans) == {sent["parent_span_id"], sent["child_span_id"]}
    parent, child = spans[sent["parent_span_id"]], spans[sent["child_span_id"]]

    assert parent.name == "GET /smoke/{run}"
    assert parent.parent_id is None
    assert parent.service == "fabtrace-smoke"
    assert parent.process_tags["service.version"] == "1.0.0"
    assert parent.tags["span.kind"] == "server"
    assert parent.tags["http.route"] == "/smoke/{run}"
    assert parent.tags["http.response.status_code"] == 500
    assert parent.tags["smoke.run_id"] == sent["run_id"]
    assert parent.tags["smoke.protocol"] == protocol
    assert parent.tags["otel.status_code"] == "ERROR"

    assert child.name == "smoke dependency call"
    assert child.parent_id == parent.span_id
    assert child.tags["span.kind"] == "client"
    assert child.tags["smoke.count"] == 42
    assert child.tags["smoke.ratio"] == 0.25
    assert child.tags["smoke.flag"] is True
    assert child.tags["error.type"] == "smoke_failure"
    assert child.tags["error"] is True
    assert child.tags["otel.status_code"] == "ERROR"
    assert child.tags["otel.status_description"] == "smoke child failed on purpose"
    assert child.events == [{"event": "smoke.event", "smoke.detail": "something happened"}]


def test_trace_survives_a_jaeger_restart(landscape, jaeger):
    """Badger storage is persistent: a restarted Jaeger still serves earlier traces."""
    sent = send_smoke_trace(landscape, "http")
    jaeger.trace(sent["trace_id"], min_spans=2)

    assert "jaeger: stopped" in landscape.supervisorctl("stop", "jaeger")
    assert "jaeger: started" in landscape.supervisorctl("start", "jaeger")

    spans = jaeger.trace(sent["trace_id"], min_spans=2)
    assert {span.span_id for span in spans} == {sent["parent_span_id"], sent["child_span_id"]}


def test_spans_sent_while_jaeger_is_down_arrive_later(landscape, jaeger):
    """The Collector's persistent queue holds spans until Jaeger is back."""
    assert "jaeger: stopped" in landscape.supervisorctl("stop", "jaeger")
    try:
        sent = send_smoke_trace(landscape, "grpc")
    finally:
        assert "jaeger: started" in landscape.supervisorctl("start", "jaeger")
    spans = jaeger.trace(sent["trace_id"], min_spans=2, timeout=60)
    assert len(spans) == 2
