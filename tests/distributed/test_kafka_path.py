"""The distributed profile (FABTRACE_STORAGE=opensearch): gateways -> Kafka topic ->
two Jaeger ingesters in one consumer group -> OpenSearch. The ingesters share the topic's
partitions and one takes over when the other stops; OpenSearch restarted under traffic
loses no trace (Kafka holds the spans meanwhile) and never pushes back on the Collectors.
Run by ./fabtrace test in its opensearch phase; skipped on the default Badger profile."""

from __future__ import annotations

import os
import subprocess
import time
import uuid

import pytest
from confluent_kafka.admin import AdminClient

from support.collector import metric_sum, metrics_text, pipeline_counters, telemetrygen
from support.kafka import bootstrap
from support.landscape import http
from support.traffic import Stream, assert_none_lost

GROUP = "jaeger-ingesters"
INGESTERS = ("jaeger-ingester-1", "jaeger-ingester-2")


@pytest.fixture(scope="module", autouse=True)
def distributed_profile(landscape):
    if landscape.env("FT_STORAGE") != "opensearch":
        pytest.skip("the default profile stores in Badger; ./fabtrace test runs these in its opensearch phase")


def assignment(landscape) -> dict[str, set[int]]:
    """Partitions of the spans topic each member of the ingesters' group holds, by client id."""
    admin = AdminClient(bootstrap(landscape))
    group = admin.describe_consumer_groups([GROUP])[GROUP].result(timeout=10)
    topic = landscape.env("FT_KAFKA_SPANS_TOPIC")
    return {member.client_id: {tp.partition for tp in member.assignment.topic_partitions if tp.topic == topic}
            for member in group.members}


def wait_for_assignment(landscape, check, what: str, timeout: float = 60) -> dict[str, set[int]]:
    deadline = time.monotonic() + timeout
    current: dict[str, set[int]] = {}
    while time.monotonic() < deadline:
        current = assignment(landscape)
        if check(current):
            return current
        time.sleep(1)
    raise AssertionError(f"{what}: the group's assignment stayed {current}")


def partitions(landscape) -> set[int]:
    admin = AdminClient(bootstrap(landscape))
    topic = landscape.env("FT_KAFKA_SPANS_TOPIC")
    return set(admin.list_topics(topic, timeout=10).topics[topic].partitions)


def both_share(everything: set[int]):
    def check(current: dict[str, set[int]]) -> bool:
        return (set(current) == set(INGESTERS) and all(current.values())
                and set().union(*current.values()) == everything)
    return check


def test_two_ingesters_share_the_partitions(landscape, measured):
    everything = partitions(landscape)
    assert len(everything) >= 2
    shared = wait_for_assignment(landscape, both_share(everything), "both ingesters consuming")
    measured(f"ingesters share {landscape.env('FT_KAFKA_SPANS_TOPIC')}: "
             + ", ".join(f"{name} {sorted(parts)}" for name, parts in sorted(shared.items())))


def test_the_other_ingester_takes_over_and_nothing_is_lost(landscape, jaeger, measured):
    everything = partitions(landscape)
    assert "stopped" in landscape.supervisorctl("stop", "jaeger-ingester-1")
    try:
        alone = wait_for_assignment(
            landscape, lambda current: current.get("jaeger-ingester-2") == everything and len(current) == 1,
            "ingester 2 alone")
        with Stream(landscape, per_second=10) as stream:
            stream.run_for(15)
    finally:
        assert "started" in landscape.supervisorctl("start", "jaeger-ingester-1")
    assert_none_lost(stream, jaeger, measured, f"ingester 1 stopped, ingester 2 holding {sorted(alone['jaeger-ingester-2'])}",
                     at_least=120, timeout=90)
    wait_for_assignment(landscape, both_share(everything), "ingester 1 back in the group")


def refused_by_collectors(landscape) -> float:
    """Spans the agent or a gateway refused or failed to pass on, so far."""
    total = 0.0
    for port in ["COLLECTOR_TELEMETRY"] + [f"GATEWAY_{n}_TELEMETRY" for n in range(1, int(landscape.env("FT_GATEWAYS")) + 1)]:
        text = metrics_text(landscape, port)
        total += metric_sum(text, "otelcol_receiver_refused_spans_total")
        total += metric_sum(text, "otelcol_exporter_send_failed_spans_total")
        total += metric_sum(text, "otelcol_exporter_enqueue_failed_spans_total")
    return total


def test_opensearch_restarted_under_traffic_loses_no_trace(landscape, jaeger, measured):
    refused_before = refused_by_collectors(landscape)
    with Stream(landscape, per_second=10) as stream:
        stream.run_for(5)
        stopped_at = time.monotonic()
        assert "stopped" in landscape.supervisorctl("stop", "opensearch")
        try:
            stream.run_for(15)
        finally:
            assert "started" in landscape.supervisorctl("start", "opensearch")
        deadline = time.monotonic() + 120
        while not landscape.opensearch_ready():
            assert time.monotonic() < deadline, "OpenSearch did not come back"
            time.sleep(1)
        outage = time.monotonic() - stopped_at
        stream.run_for(5)
    refused = refused_by_collectors(landscape) - refused_before
    assert_none_lost(stream, jaeger, measured, f"OpenSearch down {outage:.0f} s under traffic (Collectors refused {refused:.0f})",
                     at_least=250, timeout=180)
    assert refused == 0, "a store outage pushed back on the Collectors"


def test_both_ingesters_stored_spans(landscape, measured):
    """Each ingester's own metrics: spans taken from Kafka and handed to OpenSearch."""
    stored = {}
    for n in (1, 2):
        status, _, body = http("GET", landscape.url(f"INGESTER_{n}_TELEMETRY", "/metrics"))
        assert status == 200
        text = body.decode()
        stored[n] = metric_sum(text, "otelcol_exporter_sent_spans_total")
        assert metric_sum(text, "otelcol_exporter_send_failed_spans_total") == 0
    measured(f"ingesters stored spans: {stored}")
    assert all(count > 0 for count in stored.values()), stored


def metric_named(text: str, base: str) -> str:
    """The exposed name of a byte counter (the exporter may append _bytes and _total)."""
    for candidate in (f"{base}_total", f"{base}_bytes_total"):
        if f"\n{candidate}{{" in text or f"\n{candidate} " in text:
            return candidate
    raise AssertionError(f"no {base} counter among the gateway's metrics")


def test_what_a_span_costs_on_kafka_and_in_opensearch(landscape, measured):
    """Bytes per span on the topic (the gateways' own counters) and in OpenSearch (the span
    indices' store size over their documents): the inputs of docs/scaling.md."""
    sent = wire = raw = 0.0
    for n in range(1, int(landscape.env("FT_GATEWAYS")) + 1):
        text = metrics_text(landscape, f"GATEWAY_{n}_TELEMETRY")
        sent += metric_sum(text, "otelcol_exporter_sent_spans_total", exporter="kafka")
        wire += metric_sum(text, metric_named(text, "otelcol_kafka_exporter_bytes"), outcome="success")
        raw += metric_sum(text, metric_named(text, "otelcol_kafka_exporter_bytes_uncompressed"), outcome="success")
    status, indices = landscape.opensearch("GET", "/_cat/indices/fabtrace-jaeger-span-*?format=json&bytes=b")
    assert status == 200, indices
    size = sum(int(index["store.size"]) for index in indices)
    # Spans, not Lucene documents: a span's tags and logs are nested documents of their own.
    status, counted = landscape.opensearch("POST", "/fabtrace-jaeger-span-*/_count", {"query": {"match_all": {}}})
    assert status == 200, counted
    docs = counted["count"]
    measured(f"span cost: Kafka {wire / sent:.0f} B/span zstd ({raw / sent:.0f} B uncompressed) over {sent:.0f} spans; "
             f"OpenSearch {size / docs:.0f} B/span over {docs} spans in {len(indices)} span indices")
    assert sent > 0 and 0 < wire <= raw and docs > 0 and size > 0


def cpu_seconds(landscape, program: str) -> float:
    """CPU time (user + system) a supervised program has used so far."""
    pid = landscape.supervisorctl("pid", program).strip()
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_ingest_rate_from_the_agent_to_opensearch(landscape, measured):
    """20,000 spans (telemetrygen, paced at 5,000/s, status Error so tail sampling keeps
    them all) through agent, gateways, Kafka and both ingesters: how fast OpenSearch holds
    all of them, measured for docs/scaling.md. Nothing may be missing."""
    service = f"ingest-{uuid.uuid4().hex[:8]}"
    workers, traces, spans_per_trace = 4, 500, 10
    sent = workers * traces * spans_per_trace
    programs = ["collector", *[f"gateway-{n}" for n in range(1, int(landscape.env("FT_GATEWAYS")) + 1)],
                "kafka", *INGESTERS, "opensearch"]
    cpu_before = {name: cpu_seconds(landscape, name) for name in programs}
    started = time.monotonic()
    accepted_before = pipeline_counters(landscape)["accepted"]
    generator = subprocess.run(telemetrygen(landscape, service, workers, 5000, traces, spans_per_trace),
                               capture_output=True, text=True, timeout=300, check=False)
    sending = time.monotonic() - started
    # telemetrygen exits 0 even when its exports fail: the agent's count says what arrived.
    accepted = pipeline_counters(landscape)["accepted"] - accepted_before
    assert generator.returncode == 0 and accepted >= sent, (accepted, generator.stderr[-2000:])
    query = {"query": {"term": {"process.serviceName": service}}}
    stored, deadline = 0, time.monotonic() + 180
    while stored < sent and time.monotonic() < deadline:
        status, answer = landscape.opensearch("POST", "/fabtrace-jaeger-span-*/_count", query)
        assert status == 200, answer
        stored = answer["count"]
        if stored < sent:
            time.sleep(1)
    took = time.monotonic() - started
    time.sleep(2)  # the ingesters' last bulk requests and commits
    cpu = {name: cpu_seconds(landscape, name) - cpu_before[name] for name in programs}
    per_span = {name: f"{seconds / sent * 1e6:.0f}" for name, seconds in cpu.items()}
    measured(f"ingest: {sent} spans sent in {sending:.1f} s, all {stored} in OpenSearch after {took:.1f} s "
             f"({stored / took:.0f} spans/s end to end, agent -> gateways -> Kafka -> 2 ingesters -> OpenSearch, one 2-core machine); "
             f"CPU µs per span: {per_span}")
    assert stored >= sent  # at least once: a re-read message may store a span twice
