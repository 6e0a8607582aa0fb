"""MES API lines of the design: errors inside the API; hangs, unavailability and errors
of MES DB, of the 3d files storage and of the Message Queue. Each test injects the real
fault, performs the operator's action over HTTP with a Keycloak token, proves the evidence
rules on the trace stored in Jaeger, heals the fault and checks that the next action
succeeds. For the queue, both sides: the operator's status change that cannot be
published, and a message the consumer cannot process (dead-lettered with its trace)."""

import json
import secrets
import time
import uuid

import pytest

from support import faults
from support.evidence import Evidence
from support.kafka import consume, produce

SERVICE = "mes-api"
DB_TIMEOUT_S = 2.0     # MESDB_STATEMENT_TIMEOUT_MS of MES API
S3_TIMEOUT_S = 2.0     # S3_TIMEOUT_MS
KAFKA_TIMEOUT_S = 2.0  # KAFKA_DELIVERY_TIMEOUT_MS
BUDGET_S = 5.0         # MES_API_REQUEST_TIMEOUT_MS


def db_culprit(evidence, error_types):
    return evidence.culprit(error_types, **{"db.system.name": "postgresql", "db.namespace": "mesdb|public"})


def kafka_culprit(evidence, error_types):
    return evidence.culprit(error_types, **{"messaging.system": "kafka",
                                            "messaging.destination.name": "jobs.status"})


@pytest.fixture
def scheduled_job(operator, queued_job):
    outcome = operator.schedule(queued_job["id"])
    assert outcome.status == 200, outcome
    yield outcome.body
    # Leave the printer free for the next test (one job prints on a printer at a time).
    if operator.job(queued_job["id"])["status"] == "PRINTING":
        assert operator.move(queued_job["id"], "POST_PROCESSING").status == 200


@pytest.mark.scenario("MESAPI-INTERNAL")
def test_internal_error(landscape, jaeger, operator, queued_job):
    job_id = queued_job["id"]
    with faults.fault_flag(landscape.url("MES_API_ADMIN"), "job_detail_defect"):
        outcome = operator.call("GET", f"/jobs/{job_id}")
    assert outcome.status == 500, outcome
    assert outcome.body["error"]["code"] == "internal_error"
    evidence = Evidence(jaeger, outcome, SERVICE).findable(min_spans=1)
    culprit = evidence.culprit({"std::logic_error"})
    assert culprit.tags["span.kind"] == "server"
    evidence.exception_event(culprit, "std::logic_error")
    evidence.context(evidence.chain(culprit), "/jobs/{id}", "GET", ("mes.job.id", "shop.order.id", "enduser.id"))
    assert culprit.tags["mes.job.id"] == job_id and culprit.tags["shop.order.id"] == queued_job["order_id"]
    evidence.clean(operator.token)
    assert operator.call("GET", f"/jobs/{job_id}").status == 200


@pytest.mark.scenario("MESAPI-MESDB-HANG")
def test_mesdb_hang(landscape, jaeger, toxiproxy, operator):
    with faults.hang(toxiproxy, "mesdb"):
        outcome = operator.call("GET", "/jobs?status=QUEUED")
    assert outcome.status == 504, outcome
    assert outcome.body["error"]["code"] == "mesdb_timeout"
    evidence = Evidence(jaeger, outcome, SERVICE).findable()
    culprit = db_culprit(evidence, {"timeout"})
    evidence.bounded(culprit, DB_TIMEOUT_S, BUDGET_S)
    evidence.context(evidence.chain(culprit), "/jobs", "GET")
    evidence.clean(operator.token)
    assert operator.call("GET", "/jobs?status=QUEUED").status == 200


@pytest.mark.scenario("MESAPI-MESDB-DOWN")
def test_mesdb_down(landscape, jaeger, toxiproxy, operator):
    with faults.down(toxiproxy, "mesdb"):
        outcome = operator.call("GET", "/printers")
    assert outcome.status == 503, outcome
    assert outcome.body["error"]["code"] == "mesdb_unavailable"
    evidence = Evidence(jaeger, outcome, SERVICE).findable()
    culprit = db_culprit(evidence, {"connection_refused"})
    evidence.context(evidence.chain(culprit), "/printers", "GET")
    evidence.clean(operator.token)
    assert operator.call("GET", "/printers").status == 200


@pytest.mark.scenario("MESAPI-MESDB-ERROR")
def test_mesdb_error(landscape, jaeger, operator, queued_job):
    job_id = queued_job["id"]
    printer = queued_job_printer(operator, job_id)
    with faults.sql_revoked(landscape, "mesdb", "REVOKE UPDATE ON jobs FROM mes", "GRANT UPDATE ON jobs TO mes"):
        outcome = operator.call("POST", f"/jobs/{job_id}/schedule", {"printer_id": printer})
    assert outcome.status == 502, outcome
    assert outcome.body["error"]["code"] == "mesdb_error"
    evidence = Evidence(jaeger, outcome, SERVICE).findable()
    culprit = db_culprit(evidence, {"42501"})
    assert culprit.tags["db.response.status_code"] == "42501"
    assert culprit.tags["db.collection.name"] == "jobs"
    evidence.context(evidence.chain(culprit), "/jobs/{id}/schedule", "POST", ("mes.job.id", "mes.printer.id"))
    evidence.clean(operator.token)
    assert operator.job(job_id)["printer_id"] is None  # nothing half-done
    assert operator.call("POST", f"/jobs/{job_id}/schedule", {"printer_id": printer}).status == 200


def queued_job_printer(operator, job_id: int) -> str:
    return operator.job(job_id)["compatible_printers"][0]


@pytest.mark.scenario("MESAPI-S3-HANG")
def test_s3_hang(landscape, jaeger, toxiproxy, operator, queued_job):
    job_id = queued_job["id"]
    with faults.hang(toxiproxy, "minio"):
        outcome = operator.call("GET", f"/jobs/{job_id}/model")
    assert outcome.status == 504, outcome
    assert outcome.body["error"]["code"] == "storage_timeout"
    evidence = Evidence(jaeger, outcome, SERVICE).findable()
    culprit = evidence.culprit({"timeout"}, **{"aws.s3.bucket": landscape.secret("MODELS_BUCKET"),
                                               "rpc.method": "GetObject"})
    evidence.bounded(culprit, S3_TIMEOUT_S, BUDGET_S)
    evidence.context(evidence.chain(culprit), "/jobs/{id}/model", "GET", ("mes.job.id",))
    evidence.clean(operator.token)
    assert operator.call("GET", f"/jobs/{job_id}/model").status == 200


@pytest.mark.scenario("MESAPI-S3-DOWN")
def test_s3_down(landscape, jaeger, toxiproxy, operator, queued_job):
    job_id = queued_job["id"]
    with faults.down(toxiproxy, "minio"):
        outcome = operator.call("GET", f"/jobs/{job_id}/sheet")
    assert outcome.status == 503, outcome
    assert outcome.body["error"]["code"] == "storage_unavailable"
    evidence = Evidence(jaeger, outcome, SERVICE).findable()
    culprit = evidence.culprit({"connection_refused"}, **{"aws.s3.bucket": landscape.secret("MODELS_BUCKET")})
    evidence.context(evidence.chain(culprit), "/jobs/{id}/sheet", "GET", ("mes.job.id",))
    evidence.clean(operator.token)
    sheet = operator.call("GET", f"/jobs/{job_id}/sheet")
    assert sheet.status == 200 and sheet.body["job_id"] == job_id, sheet


@pytest.mark.scenario("MESAPI-S3-ERROR")
def test_s3_error(landscape, jaeger, operator, queued_job, job_factory):
    job_id = queued_job["id"]
    key = operator.get(f"/jobs/{job_id}/sheet")["model"]["key"]  # the job sheet names the model
    faults.s3_delete_behind_the_api(landscape, key)
    outcome = operator.call("GET", f"/jobs/{job_id}/model")
    assert outcome.status == 502, outcome
    assert outcome.body["error"]["code"] == "storage_error"
    evidence = Evidence(jaeger, outcome, SERVICE).findable()
    culprit = evidence.culprit({"NoSuchKey"}, **{"aws.s3.bucket": landscape.secret("MODELS_BUCKET"),
                                                 "aws.s3.key": key})
    evidence.context(evidence.chain(culprit), "/jobs/{id}/model", "GET", ("mes.job.id",))
    evidence.clean(operator.token)
    fresh = job_factory()
    assert operator.call("GET", f"/jobs/{fresh['id']}/model").status == 200


@pytest.mark.scenario("MESAPI-MQ-HANG")
def test_mq_hang(landscape, jaeger, toxiproxy, operator, scheduled_job):
    job_id = scheduled_job["id"]
    with faults.hang(toxiproxy, "kafka"):
        outcome = operator.move(job_id, "PRINTING")
    assert outcome.status == 504, outcome
    assert outcome.body["error"]["code"] == "queue_timeout"
    assert operator.job(job_id)["status"] == "QUEUED"  # no change without its message
    evidence = Evidence(jaeger, outcome, SERVICE).findable()
    culprit = kafka_culprit(evidence, {"timeout"})
    evidence.bounded(culprit, KAFKA_TIMEOUT_S, BUDGET_S)
    evidence.context(evidence.chain(culprit), "/jobs/{id}/status", "POST", ("mes.job.id", "shop.order.id"))
    evidence.clean(operator.token)
    assert operator.move(job_id, "PRINTING").status == 200


@pytest.mark.scenario("MESAPI-MQ-DOWN")
def test_mq_down(landscape, jaeger, toxiproxy, operator, scheduled_job):
    job_id = scheduled_job["id"]
    with faults.down(toxiproxy, "kafka"):
        outcome = operator.move(job_id, "PRINTING")
    assert outcome.status == 503, outcome
    assert outcome.body["error"]["code"] == "queue_unavailable"
    assert operator.job(job_id)["status"] == "QUEUED"
    evidence = Evidence(jaeger, outcome, SERVICE).findable()
    culprit = kafka_culprit(evidence, {"connection_refused"})
    evidence.context(evidence.chain(culprit), "/jobs/{id}/status", "POST", ("mes.job.id",))
    evidence.clean(operator.token)
    assert operator.move(job_id, "PRINTING").status == 200


@pytest.mark.scenario("MESAPI-MQ-ERROR")
def test_mq_error(landscape, jaeger, operator, scheduled_job):
    job_id = scheduled_job["id"]
    with faults.kafka_topic_config(landscape, "jobs.status", "max.message.bytes=64"):
        outcome = operator.move(job_id, "PRINTING")
    assert outcome.status == 502, outcome
    assert outcome.body["error"]["code"] == "queue_error"
    assert operator.job(job_id)["status"] == "QUEUED"
    evidence = Evidence(jaeger, outcome, SERVICE).findable()
    culprit = kafka_culprit(evidence, {"MSG_SIZE_TOO_LARGE"})
    evidence.context(evidence.chain(culprit), "/jobs/{id}/status", "POST", ("mes.job.id",))
    evidence.clean(operator.token)
    assert operator.move(job_id, "PRINTING").status == 200


def dead_letter(landscape, key: str, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while True:
        dead = [r for r in consume(landscape, "orders.approved.dlq", 4000) if r.key == key]
        if dead:
            return dead[0]
        assert time.monotonic() < deadline, f"message {key} was not dead-lettered"
        time.sleep(0.5)


@pytest.mark.scenario("MESAPI-MQ-ERROR")
def test_mq_error_poison_message_is_dead_lettered_with_its_trace(landscape, jaeger, operator, queued_job):
    """The consumer's side: an orders.approved message MES API cannot process."""
    trace_id, span_id = secrets.token_hex(16), secrets.token_hex(8)
    key = f"poison-{uuid.uuid4().hex}"
    sheet = operator.get(f"/jobs/{queued_job['id']}/sheet")
    healthy = {"order_id": 10**12 + secrets.randbelow(10**9), "customer_id": queued_job["customer_id"],
               "model_id": sheet["model"]["id"], "model_key": sheet["model"]["key"],
               "material_id": queued_job["material_id"], "quantity": 1}
    message = faults.poison(json.dumps({**healthy, "order_id": "not a number"}), json.dumps(healthy))
    produce(landscape, "orders.approved", key, message, {"traceparent": f"00-{trace_id}-{span_id}-01"})
    record = dead_letter(landscape, key)
    assert record.headers["dlq.reason.type"] == "std::invalid_argument"
    assert "order_id" in record.headers["dlq.reason.message"]
    assert record.headers["dlq.original.topic"] == "orders.approved"
    assert record.headers["traceparent"].split("-")[1] == trace_id  # the same trace as the message
    spans = jaeger.trace(trace_id, min_spans=2)
    process = [s for s in spans if s.service == SERVICE and s.name == "process orders.approved"]
    assert process, [(s.service, s.name) for s in spans]
    culprit = process[0]
    assert culprit.parent_id == span_id  # continues the producer's context from the headers
    assert culprit.tags["error"] is True and culprit.tags["error.type"] == "std::invalid_argument"
    assert culprit.tags["messaging.system"] == "kafka"
    assert culprit.tags["messaging.destination.name"] == "orders.approved"
    assert any(log_field(e, "event") == "dead_lettered" for e in culprit.raw["logs"])
    send = [s for s in spans if s.tags.get("messaging.destination.name") == "orders.approved.dlq"]
    assert send and record.headers["traceparent"].split("-")[2] == send[0].span_id


def log_field(log: dict, key: str):
    return next((f["value"] for f in log["fields"] if f["key"] == key), None)
