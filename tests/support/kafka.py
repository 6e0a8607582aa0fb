"""Reading and writing Kafka topics of the landscape (confluent-kafka, i.e. librdkafka),
through the Kafka proxy like the services. Reading needs no consumer group: it reads every
partition from its beginning up to the end it had when asked."""

from __future__ import annotations

import time
from dataclasses import dataclass

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, AlterConfigOpType, ConfigEntry, ConfigResource

from .landscape import Landscape


@dataclass
class Record:
    headers: dict[str, str]
    key: str
    value: str


def bootstrap(landscape: Landscape) -> dict:
    return {"bootstrap.servers": f"127.0.0.1:{landscape.port('KAFKA_PROXY')}"}


def consume(landscape: Landscape, topic: str, timeout_ms: int = 6000) -> list[Record]:
    """Every record of a topic, from the beginning to its current end."""
    deadline = time.monotonic() + timeout_ms / 1000
    consumer = Consumer({**bootstrap(landscape), "group.id": "fabtrace-tests", "enable.auto.commit": False})
    try:
        partitions = consumer.list_topics(topic, timeout=timeout_ms / 1000).topics[topic].partitions
        ends = {p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=timeout_ms / 1000)
                for p in partitions}
        pending = {p for p, (low, high) in ends.items() if high > low}
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in pending])
        records = []
        while pending and time.monotonic() < deadline:
            message = consumer.poll(0.2)
            if message is None or message.error():
                continue
            records.append(Record({name: (content or b"").decode() for name, content in message.headers() or []},
                                  (message.key() or b"").decode(), (message.value() or b"").decode()))
            if message.offset() >= ends[message.partition()][1] - 1:
                pending.discard(message.partition())
        assert not pending, f"{topic}: partitions {pending} not read to their end in {timeout_ms} ms"
        return records
    finally:
        consumer.close()


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
        endpoint=f"http://127.0.0.1:{landscape.port('COLLECTOR_OTLP_HTTP')}/v1/traces",
        headers=landscape.otlp_headers())))
    parent = propagate.extract(record.headers)
    with provider.get_tracer("fabtrace-tests").start_as_current_span(
            "process orders.approved", context=parent, kind=trace.SpanKind.CONSUMER,
            attributes={"messaging.system": "kafka", "messaging.destination.name": "orders.approved",
                        "messaging.operation.type": "process"}) as span:
        span_id = format(span.get_span_context().span_id, "016x")
    provider.shutdown()
    return span_id


def deliver(landscape: Landscape, topic: str, key: str, value: str, headers: dict[str, str] | None = None,
            timeout_ms: int = 8000) -> str | None:
    """Sends one record with headers; None once the broker acknowledged it, else the error."""
    producer = Producer({**bootstrap(landscape), "message.timeout.ms": timeout_ms})
    failures = []
    producer.produce(topic, key=key.encode(), value=value.encode(), headers=list((headers or {}).items()),
                     on_delivery=lambda error, _: failures.append(error) if error else None)
    if producer.flush(timeout_ms / 1000 + 2) != 0:
        return f"not delivered within {timeout_ms} ms"
    return str(failures[0]) if failures else None


def produce(landscape: Landscape, topic: str, key: str, value: str, headers: dict[str, str]) -> None:
    """Sends one record with headers and waits for the broker's acknowledgement."""
    error = deliver(landscape, topic, key, value, headers)
    assert error is None, f"{topic}: {error}"


def topics(landscape: Landscape) -> set[str]:
    """The topics the broker has (asking creates none)."""
    return set(AdminClient(bootstrap(landscape)).list_topics(timeout=10).topics)


def alter_topic(landscape: Landscape, topic: str, name: str, value: str | None) -> None:
    """Sets (or, with None, removes) one configuration of a topic on the broker."""
    operation = AlterConfigOpType.SET if value is not None else AlterConfigOpType.DELETE
    resource = ConfigResource("topic", topic, incremental_configs=[
        ConfigEntry(name, value or "", incremental_operation=operation)])
    admin = AdminClient(bootstrap(landscape))  # alive until the broker answered
    for future in admin.incremental_alter_configs([resource]).values():
        try:
            future.result(timeout=15)
        except KafkaException as error:
            raise AssertionError(f"{topic}: {name}: {error}") from None
