"""The Collectors' own metrics (Prometheus text format), read straight from each one."""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request

from .landscape import Landscape, http


def metric_sum(text: str, name: str, **labels: str) -> float:
    """Sum of the samples of NAME whose labels include LABELS."""
    total = 0.0
    for line in text.splitlines():
        match = re.match(r"^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)", line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
        if all(found.get(key) == value for key, value in labels.items()):
            total += float(match.group(3))
    return total


def metrics_text(landscape: Landscape, port_name: str) -> str:
    status, _, body = http("GET", landscape.url(port_name, "/metrics"))
    assert status == 200, port_name
    return body.decode()


def gateway_ports(landscape: Landscape) -> list[str]:
    """The telemetry ports of the gateways this instance runs."""
    count = int(landscape.env("FT_GATEWAYS"))
    return [f"GATEWAY_{n}_TELEMETRY" for n in range(1, count + 1)]


def pipeline_counters(landscape: Landscape) -> dict[str, float]:
    """Spans counted at each step: the agent's door and queue, the gateways, the export to Jaeger."""
    agent = metrics_text(landscape, "COLLECTOR_TELEMETRY")
    gateways = [metrics_text(landscape, port) for port in gateway_ports(landscape)]
    each = lambda name, **labels: sum(metric_sum(text, name, **labels) for text in gateways)
    # The gateways' way to storage: Jaeger itself, or Kafka in the distributed profile.
    store = "kafka" if landscape.env("FT_STORAGE") == "opensearch" else "otlp_grpc/jaeger"
    return {
        "accepted": metric_sum(agent, "otelcol_receiver_accepted_spans_total", receiver="otlp"),
        "refused": metric_sum(agent, "otelcol_receiver_refused_spans_total", receiver="otlp"),
        "agent_queue": metric_sum(agent, "otelcol_exporter_queue_size", exporter="loadbalancing"),
        "agent_enqueue_failed": metric_sum(agent, "otelcol_exporter_enqueue_failed_spans_total", exporter="loadbalancing"),
        "to_gateways": metric_sum(agent, "otelcol_exporter_sent_spans_total", exporter="loadbalancing"),
        "gateways_accepted": each("otelcol_receiver_accepted_spans_total", receiver="otlp"),
        "gateways_refused": each("otelcol_receiver_refused_spans_total", receiver="otlp"),
        "gateway_queue": each("otelcol_exporter_queue_size", exporter=store),
        "to_jaeger": each("otelcol_exporter_sent_spans_total", exporter=store),
        "jaeger_send_failed": each("otelcol_exporter_send_failed_spans_total", exporter=store),
        "tail_dropped_traces": each("otelcol_processor_tail_sampling_sampling_trace_dropped_too_early_total"),
        "jaeger_enqueue_failed": each("otelcol_exporter_enqueue_failed_spans_total", exporter=store),
    }


def stored_spans(query_base: str, service: str, since_us: int, until_us: int) -> int:
    """Spans of SERVICE that Jaeger (query API at QUERY_BASE) stored between two times, read
    a second at a time so one answer stays small; a trace crossing a second's edge is
    answered twice, so spans are counted once by (trace id, span id)."""
    spans = set()
    for start in range(since_us, until_us, 1_000_000):
        query = urllib.parse.urlencode({"service": service, "start": start, "end": min(start + 1_000_000, until_us) - 1,
                                        "limit": 100000})
        with urllib.request.urlopen(f"{query_base}/api/traces?{query}", timeout=120) as answer:
            data = json.loads(answer.read())["data"] or []
        spans.update((trace["traceID"], span["spanID"]) for trace in data for span in trace["spans"])
    return len(spans)


def telemetrygen(landscape: Landscape, service: str, workers: int, spans_per_second: int, traces: int,
                 spans_per_trace: int) -> list[str]:
    """telemetrygen (the Collector contrib's load generator) sending traces of
    SPANS_PER_TRACE spans, status Error so tail sampling keeps them all, to the agent's
    internal gRPC door with this install's token, over TLS when the landscape uses it.
    Its SDK's span queue holds every span of a run (OTEL_BSP_MAX_QUEUE_SIZE, read by the Go
    SDK): with the default 2,048, a busy machine makes it drop spans before sending them,
    uncounted anywhere, and "sent" would no longer be known."""
    transport = ["--ca-cert", landscape.env("FT_TLS_CA")] if landscape.tls else ["--otlp-insecure"]
    queue = max(2048, workers * traces * spans_per_trace)
    return ["env", f"OTEL_BSP_MAX_QUEUE_SIZE={queue}", landscape.env("FT_BIN_TELEMETRYGEN"), "traces", "--otlp-endpoint",
            f"127.0.0.1:{landscape.port('COLLECTOR_OTLP_GRPC')}", *transport,
            "--otlp-header", f'authorization="Bearer {landscape.secret("OTLP_TOKEN")}"', "--service", service,
            "--workers", str(workers), "--rate", str(spans_per_second // workers), "--traces", str(traces),
            "--child-spans", str(spans_per_trace - 1), "--status-code", "Error"]
