"""CRM API: managers sign in with Keycloak, read every customer's orders, approve them
into production over Kafka (atomically: the order is APPROVED and its message is on
orders.approved, or neither), reject them, keep notes; production events on jobs.status
move the order, each applied once, poison to the dead-letter topic with its trace."""

from __future__ import annotations

import base64
import json
import secrets
import time
import uuid

import pytest

from support import faults
from support.employees import CrmManager
from support.kafka import consume, consume_in_span, produce
from support.keycloak import KeycloakAdmin, token


@pytest.fixture(scope="module")
def manager(landscape):
    return CrmManager(landscape)


@pytest.fixture
def new_order(placed):
    return placed.order_id


def approved_messages(landscape, order_id: int):
    return [r for r in consume(landscape, "orders.approved") if r.key == str(order_id)]


def test_tokens_and_roles(landscape, manager):
    assert manager.call("GET", "/orders", token="").status == 401
    customer_token = token(landscape, "carl.customer", landscape.secret("CUSTOMER_PASSWORD"), client="crm-web")
    refused = manager.call("GET", "/orders", token=customer_token)
    assert refused.status == 403 and refused.body["error"]["code"] == "role_missing", refused
    assert len(refused.support_code) == 32
    # The gate's tokens are for another audience.
    support = token(landscape, "sasha.support", landscape.secret("SUPPORT_PASSWORD"))
    assert manager.call("GET", "/orders", token=support).status in (401, 403)
    header, payload, signature = manager.token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["realm_access"] = {"roles": ["crm_manager", "admin"]}
    claims["exp"] = int(time.time()) + 3600
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    forged = manager.call("GET", "/orders", token=f"{header}.{forged_payload}.{signature}")
    assert forged.status == 401 and forged.body["error"]["code"] == "bad_signature", forged
    assert manager.call("GET", "/orders").status == 200


def test_an_expired_token_is_refused(landscape, manager):
    short = KeycloakAdmin(landscape).short_lived_token("crm-web", lambda: CrmManager(landscape).token)
    assert manager.call("GET", "/orders", token=short).status == 200
    time.sleep(2 + 5 + 1)  # past its expiry and the 5 s leeway for clock skew (OIDC_LEEWAY_S)
    expired = manager.call("GET", "/orders", token=short)
    assert expired.status == 401 and expired.body["error"]["code"] == "token_expired", expired


def test_orders_list_filters_and_detail(manager, new_order):
    listed = manager.call("GET", "/orders?status=NEW&limit=200")
    assert listed.status == 200
    ids = [o["id"] for o in listed.body["orders"]]
    assert new_order in ids and all(o["status"] == "NEW" for o in listed.body["orders"])
    today = time.strftime("%Y-%m-%d", time.gmtime())
    assert new_order in [o["id"] for o in manager.call("GET", f"/orders?from={today}&to={today}&limit=200").body["orders"]]
    detail = manager.order(new_order)
    assert set(detail["customer"]) == {"id", "display_name"}
    assert detail["model"]["download_url"].startswith("http") and "s3_key" not in detail["model"]
    assert detail["history"][0]["status"] == "NEW"
    customer_id = detail["customer"]["id"]
    only_theirs = manager.call("GET", f"/orders?customer_id={customer_id}").body["orders"]
    assert only_theirs and all(o["customer"]["id"] == customer_id for o in only_theirs)
    for bad in ["status=LOST", "limit=0", "limit=abc", "offset=-1", "from=2026-13-01", "to=yesterday",
                "customer_id=0"]:
        outcome = manager.call("GET", f"/orders?{bad}")
        assert outcome.status == 400 and len(outcome.support_code) == 32, (bad, outcome)
    assert manager.call("GET", "/orders/999999999").status == 404


def test_approval_sends_one_message_that_carries_the_trace(landscape, jaeger, manager, new_order):
    approved = manager.approve(new_order)
    assert approved.status == 200 and approved.body["status"] == "APPROVED", approved
    assert approved.body["already_approved"] is False
    again = manager.approve(new_order)
    assert again.status == 200 and again.body["already_approved"] is True
    records = approved_messages(landscape, new_order)
    assert len(records) == 1, records  # a replayed approval sends nothing twice
    record = records[0]
    message = json.loads(record.value)
    assert message["order_id"] == new_order and message["model_key"].startswith("models/")
    assert record.headers["idempotency-key"] == f"order-{new_order}"
    trace_id = record.headers["traceparent"].split("-")[1]
    assert trace_id == approved.support_code
    # MES API's consumer spans can be stored before CRM API's producer span: wait for it.
    spans = jaeger.whole_trace_with(approved.support_code, {("crm-api", "send orders.approved")})
    producer = [s for s in spans if s.tags.get("span.kind") == "producer"
                and s.tags.get("messaging.destination.name") == "orders.approved"]
    assert len(producer) == 1, [(s.service, s.name) for s in spans]
    assert record.headers["traceparent"].split("-")[2] == producer[0].span_id
    assert manager.order(new_order)["status"] in ("APPROVED", "IN_PRODUCTION")  # MES may have taken it
    # A consumer of the message continues the approval's trace: its span is a child of
    # the producer's span, in the same trace in Jaeger.
    consumer_span = consume_in_span(landscape, record, "test-consumer")
    spans = jaeger.trace_until(approved.support_code, lambda s: s.span_id == consumer_span, "the test's consumer")
    consumer = next(s for s in spans if s.span_id == consumer_span)
    assert consumer.service == "test-consumer" and consumer.parent_id == producer[0].span_id


def test_with_kafka_down_the_approval_fails_and_the_order_stays_new(landscape, jaeger, toxiproxy, manager,
                                                                    new_order):
    with faults.down(toxiproxy, "kafka"):
        outcome = manager.approve(new_order)
    assert outcome.status in (502, 503, 504), outcome
    assert outcome.body["error"]["code"].startswith("queue_")
    assert manager.order(new_order)["status"] == "NEW"
    spans = jaeger.trace_until(outcome.support_code, lambda s: s.tags.get("messaging.system") == "kafka",
                               "the Kafka span")
    culprit = [s for s in spans if s.tags.get("messaging.system") == "kafka" and s.tags.get("error") is True]
    assert culprit, [(s.name, s.tags) for s in spans]
    assert approved_messages(landscape, new_order) == []
    # Healed: the same approval goes through, once.
    assert manager.approve(new_order).status == 200
    assert len(approved_messages(landscape, new_order)) == 1


def job_event(order_id: int, status: str, event_id: str | None = None, reason: str = "") -> str:
    event = {"event_id": event_id or uuid.uuid4().hex, "order_id": order_id, "job_id": 7, "status": status}
    if reason:
        event["reason"] = reason
    return json.dumps(event)


def publish_job_event(landscape, order_id: int, value: str, traceparent: str) -> None:
    produce(landscape, "jobs.status", str(order_id), value, {"traceparent": traceparent})


def wait_for_status(manager, order_id: int, status: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        order = manager.order(order_id)
        if order["status"] == status:
            return order
        assert time.monotonic() < deadline, order
        time.sleep(0.5)


def test_production_events_move_the_order_once_each(landscape, jaeger, manager, new_order):
    assert manager.approve(new_order).status == 200
    # MES API makes the job and reports it QUEUED on jobs.status: the order is in production.
    order = wait_for_status(manager, new_order, "IN_PRODUCTION")
    assert [h["status"] for h in order["history"]] == ["NEW", "APPROVED", "IN_PRODUCTION"], order["history"]
    trace_id, span_id = secrets.token_hex(16), secrets.token_hex(8)
    # MES's own event delivered again, and another event twice: each is applied once.
    queued_again = job_event(new_order, "QUEUED", event_id=f"mes-order-{new_order}-attempt-1-QUEUED")
    publish_job_event(landscape, new_order, queued_again, f"00-{secrets.token_hex(16)}-{span_id}-01")
    printing = job_event(new_order, "PRINTING", event_id=f"job-7-{uuid.uuid4().hex}")
    publish_job_event(landscape, new_order, printing, f"00-{trace_id}-{span_id}-01")
    publish_job_event(landscape, new_order, printing, f"00-{secrets.token_hex(16)}-{span_id}-01")  # redelivered
    publish_job_event(landscape, new_order, job_event(new_order, "DONE"), f"00-{secrets.token_hex(16)}-{span_id}-01")
    order = wait_for_status(manager, new_order, "DONE")
    statuses = [h["status"] for h in order["history"]]
    # QUEUED and PRINTING both mean IN_PRODUCTION; the duplicates changed nothing.
    assert statuses == ["NEW", "APPROVED", "IN_PRODUCTION", "IN_PRODUCTION", "DONE"], statuses
    # The consumer's span continues the producer's context from the message headers.
    spans = jaeger.trace(trace_id, min_spans=1)
    process = [s for s in spans if s.service == "crm-api" and s.name == "process jobs.status"]
    assert process and process[0].parent_id == span_id, [(s.service, s.name) for s in spans]
    assert process[0].tags["shop.order.id"] == new_order


def test_poison_message_goes_to_the_dead_letter_topic_with_its_trace(landscape, jaeger, manager):
    trace_id, span_id = secrets.token_hex(16), secrets.token_hex(8)
    marker = uuid.uuid4().hex
    produce(landscape, "jobs.status", marker, "{not json " + marker, {"traceparent": f"00-{trace_id}-{span_id}-01"})
    deadline = time.monotonic() + 30
    while True:
        dead = [r for r in consume(landscape, "jobs.status.dlq", 4000) if r.key == marker]
        if dead:
            break
        assert time.monotonic() < deadline, "poison message not dead-lettered"
        time.sleep(0.5)
    record = dead[0]
    assert record.headers["dlq.reason.type"] == "std::invalid_argument"
    assert record.headers["dlq.original.topic"] == "jobs.status"
    assert record.headers["traceparent"].split("-")[1] == trace_id  # same trace as the poison
    spans = jaeger.trace(trace_id, min_spans=2)
    process = [s for s in spans if s.name == "process jobs.status"]
    assert process and process[0].tags.get("error.type") == "std::invalid_argument"


def test_reject_and_notes(manager, new_order):
    assert manager.call("POST", f"/orders/{new_order}/notes", {"text": "call the customer"}).status == 201
    assert manager.call("POST", f"/orders/{new_order}/reject", {"reason": 5}).status == 400
    assert manager.call("POST", f"/orders/{new_order}/reject", {"reason": "not printable"}).status == 204
    order = manager.order(new_order)
    assert order["status"] == "REJECTED" and order["notes"][0]["text"] == "call the customer"
    assert manager.approve(new_order).status == 409  # a rejected order is not approved
    assert manager.call("POST", f"/orders/{new_order}/reject", {"reason": "again"}).status == 409


def test_an_approval_delivered_after_its_request_failed_is_recorded_when_production_reports(
        landscape, manager, placed):
    # The broker took the approval's message but its answer never came back (a hanging
    # Kafka): CRM API said 504 and kept the order NEW, while MES API made the job.
    order_id = placed.order_id
    event = job_event(order_id, "QUEUED", event_id=f"mes-order-{order_id}-attempt-1-QUEUED")
    publish_job_event(landscape, order_id, event, f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01")
    order = wait_for_status(manager, order_id, "IN_PRODUCTION")
    assert [h["status"] for h in order["history"]] == ["NEW", "APPROVED", "IN_PRODUCTION"], order["history"]
    assert "after its request had failed" in order["history"][1]["note"]
    again = manager.approve(order_id)  # the manager retries the click that failed
    assert again.status == 200 and again.body["already_approved"] is True, again
    assert approved_messages(landscape, order_id) == []  # nothing sent twice by CRM


def test_production_news_of_a_rejected_order_keeps_the_rejection(landscape, manager, new_order):
    assert manager.call("POST", f"/orders/{new_order}/reject", {"reason": "duplicate"}).status == 204
    publish_job_event(landscape, new_order, job_event(new_order, "PRINTING"),
                      f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01")
    deadline = time.monotonic() + 30
    while len(manager.order(new_order)["history"]) < 3:
        assert time.monotonic() < deadline, manager.order(new_order)
        time.sleep(0.5)
    order = manager.order(new_order)
    assert order["status"] == "REJECTED" and "stays REJECTED" in order["history"][-1]["note"], order["history"]
