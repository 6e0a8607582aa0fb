"""Reading and writing Kafka topics of the landscape with Kafka's own console tools."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from .landscape import Landscape


@dataclass
class Record:
    headers: dict[str, str]
    key: str
    value: str


def consume(landscape: Landscape, topic: str, timeout_ms: int = 6000) -> list[Record]:
    """Every record of a topic from the beginning (a fresh consumer group each time)."""
    done = landscape.kafka_tool(
        "org.apache.kafka.tools.consumer.ConsoleConsumer",
        "--bootstrap-server", f"127.0.0.1:{landscape.port('KAFKA_PROXY')}", "--topic", topic,
        "--from-beginning", "--timeout-ms", str(timeout_ms), "--group", f"test-{uuid.uuid4().hex}",
        "--formatter-property", "print.headers=true", "--formatter-property", "print.key=true",
        "--formatter-property", "headers.separator=|")
    records = []
    for line in done.stdout.splitlines():
        parts = line.split("\t")
        if len(parts) != 3:
            continue
        headers = {}
        if parts[0] != "NO_HEADERS":
            for pair in parts[0].split("|"):
                name, _, value = pair.partition(":")
                headers[name] = value
        records.append(Record(headers, parts[1], parts[2]))
    return records


def consume_in_span(landscape: Landscape, record: Record, service: str) -> str:
    """What a consumer does with a record's trace context: its processing span continues
    the producer's trace (W3C trace-context from the headers), exported to the Collector
    like any service's. Returns the span id."""
    from opentelemetry import propagate, trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(
        endpoint=f"http://127.0.0.1:{landscape.port('COLLECTOR_OTLP_HTTP')}/v1/traces")))
    parent = propagate.extract(record.headers)
    with provider.get_tracer("fabtrace-tests").start_as_current_span(
            "process orders.approved", context=parent, kind=trace.SpanKind.CONSUMER,
            attributes={"messaging.system": "kafka", "messaging.destination.name": "orders.approved",
                        "messaging.operation.type": "process"}) as span:
        span_id = format(span.get_span_context().span_id, "016x")
    provider.shutdown()
    return span_id


def produce(landscape: Landscape, topic: str, key: str, value: str, headers: dict[str, str]) -> None:
    """Sends one record with headers (no tab, comma or newline in any of them)."""
    header_text = ",".join(f"{name}:{content}" for name, content in headers.items()) or ""
    done = landscape.kafka_tool(
        "org.apache.kafka.tools.ConsoleProducer",
        "--bootstrap-server", f"127.0.0.1:{landscape.port('KAFKA_PROXY')}", "--topic", topic, "--sync",
        "--reader-property", "parse.key=true", "--reader-property", "parse.headers=true",
        "--command-property", "max.block.ms=5000",
        stdin=f"{header_text}\t{key}\t{value}\n")
    assert done.returncode == 0, done.stderr[-2000:]
