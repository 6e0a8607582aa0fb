"""MES API: operators sign in with Keycloak; jobs come from orders.approved, one per order
however often the message arrives and whatever dies while it is processed (the process
itself with kill -9, MES DB, Kafka); the job's life follows its rules, and every change
reaches CRM on jobs.status."""

from __future__ import annotations

import json
import os
import signal
import time

import pytest

from support.employees import CrmManager
from support.keycloak import token
from support.kafka import consume, produce
from support.landscape import http
from support.shop import place_order


@pytest.fixture(scope="module")
def manager(landscape):
    return CrmManager(landscape)


def wait_for(what: str, probe, timeout: float = 60, interval: float = 0.3):
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        assert time.monotonic() < deadline, f"{what} after {timeout} s"
        time.sleep(interval)


def ready(url: str) -> bool:
    try:
        return http("GET", url)[0] == 200
    except OSError:  # not listening yet
        return False


def jobs_of(operator, order_id: int) -> list[dict]:
    return operator.get(f"/jobs?order_id={order_id}")["jobs"]


def order_statuses(manager, order_id: int) -> list[str]:
    return [h["status"] for h in manager.order(order_id)["history"]]


def test_tokens_and_roles(landscape, operator):
    assert operator.call("GET", "/jobs", token="").status == 401
    assert operator.call("GET", "/jobs", token="not.a.jwt").status == 401
    # A manager's CRM token is for another audience and another role.
    manager_token = token(landscape, "maria.manager", landscape.secret("MANAGER_PASSWORD"), client="crm-web")
    assert operator.call("GET", "/jobs", token=manager_token).status in (401, 403)
    # The operator's user through the MES client, but a customer's account is refused.
    customer_token = token(landscape, "carl.customer", landscape.secret("CUSTOMER_PASSWORD"), client="mes-web")
    refused = operator.call("GET", "/jobs", token=customer_token)
    assert refused.status == 403 and refused.body["error"]["code"] == "role_missing", refused
    assert operator.call("GET", "/jobs").status == 200


def test_the_job_has_its_estimate_and_its_sheet_in_the_storage(operator, queued_job):
    job = operator.job(queued_job["id"])
    estimate = job["estimate"]
    assert estimate["volume_cm3"] > 0 and estimate["print_minutes"] > 0 and estimate["layers"] > 0
    assert len(estimate["bbox_mm"]) == 3 and estimate["triangles"] >= 12
    assert job["technology"] == "FDM" and job["compatible_printers"], job
    assert [e["status"] for e in job["events"]] == ["QUEUED"] and job["events"][0]["actor"] == "mes-api"
    sheet = operator.get(f"/jobs/{job['id']}/sheet")
    assert sheet["job_id"] == job["id"] and sheet["order_id"] == job["order_id"]
    assert sheet["estimate"] == estimate and sheet["compatible_printers"] == job["compatible_printers"]
    model = operator.call("GET", f"/jobs/{job['id']}/model")
    assert model.status == 200


def test_a_redelivered_approval_makes_no_second_job(landscape, jaeger, operator, manager, queued_job):
    order_id = queued_job["order_id"]
    record = next(r for r in consume(landscape, "orders.approved") if r.key == str(order_id))
    trace_id = "%032x" % int(time.time_ns())
    produce(landscape, "orders.approved", record.key, record.value, {"traceparent": f"00-{trace_id}-{'1' * 16}-01"})
    spans = jaeger.trace(trace_id, min_spans=2)
    process = next(s for s in spans if s.service == "mes-api" and s.name == "process orders.approved")
    assert process.tags["mes.job.id"] == queued_job["id"] and "error" not in process.tags
    assert len(jobs_of(operator, order_id)) == 1
    assert order_statuses(manager, order_id).count("IN_PRODUCTION") == 1


def test_a_job_lives_fails_is_reprinted_and_crm_follows(operator, manager, queued_job):
    job_id, order_id = queued_job["id"], queued_job["order_id"]
    assert operator.move(job_id, "PRINTING").body["error"]["code"] == "job_not_scheduled"
    assert operator.schedule(job_id).status == 200
    assert operator.move(job_id, "DONE").body["error"]["code"] == "job_transition_not_allowed"
    assert operator.move(job_id, "PRINTING").status == 200
    again = operator.move(job_id, "PRINTING")  # a retried click changes nothing
    assert again.status == 200 and again.body["unchanged"] is True
    assert operator.move(job_id, "FAILED").status == 400  # a failure needs its reason
    failed = operator.move(job_id, "FAILED", "warped corners")
    assert failed.status == 200 and failed.body["reason"] == "warped corners"
    wait_for("CRM shows the failure", lambda: manager.order(order_id)["status"] == "PRODUCTION_FAILED")
    reprint = operator.move(job_id, "QUEUED", "reprint")
    assert reprint.status == 200 and reprint.body["attempt"] == 2 and reprint.body["printer_id"] is None
    wait_for("CRM shows the reprint", lambda: manager.order(order_id)["status"] == "IN_PRODUCTION")
    operator.run_to_done(job_id)
    wait_for("CRM shows DONE", lambda: manager.order(order_id)["status"] == "DONE")
    events = [e["status"] for e in operator.job(job_id)["events"]]
    assert events == ["QUEUED", "PRINTING", "FAILED", "QUEUED", "PRINTING", "POST_PROCESSING", "QUALITY_CHECK",
                      "DONE"], events


def test_one_job_per_printer_and_maintenance(operator, queued_job, job_factory):
    other = job_factory()
    printer = queued_job["compatible_printers"][0] if "compatible_printers" in queued_job else \
        operator.job(queued_job["id"])["compatible_printers"][0]
    assert operator.schedule(queued_job["id"], printer).status == 200
    assert operator.schedule(other["id"], printer).status == 200
    assert operator.move(queued_job["id"], "PRINTING").status == 200
    busy = operator.move(other["id"], "PRINTING")
    assert busy.status == 409 and busy.body["error"]["code"] == "printer_busy", busy
    printing = {p["id"]: p for p in operator.get("/printers")["printers"]}[printer]
    assert printing["state"] == "PRINTING" and printing["job_id"] == queued_job["id"]
    assert operator.call("PUT", f"/printers/{printer}/state", {"state": "MAINTENANCE"}).status == 409
    assert operator.move(queued_job["id"], "POST_PROCESSING").status == 200
    maintenance = operator.call("PUT", f"/printers/{printer}/state", {"state": "MAINTENANCE"})
    assert maintenance.status == 200 and maintenance.body["state"] == "MAINTENANCE"
    try:
        blocked = operator.move(other["id"], "PRINTING")
        assert blocked.status == 409 and blocked.body["error"]["code"] == "printer_unavailable", blocked
        third = job_factory()
        refused = operator.schedule(third["id"], printer)
        assert refused.status == 409 and refused.body["error"]["code"] == "printer_unavailable"
    finally:
        assert operator.call("PUT", f"/printers/{printer}/state", {"state": "IDLE"}).status == 200
    assert operator.move(other["id"], "PRINTING").status == 200
    assert operator.move(other["id"], "POST_PROCESSING").status == 200
    incompatible = operator.schedule(job_factory()["id"], "sla-1")  # a PLA job on the resin printer
    assert incompatible.status == 409 and incompatible.body["error"]["code"] == "printer_incompatible"


def approve_all(manager, orders: list[int]) -> None:
    for order_id in orders:
        outcome = manager.approve(order_id)
        assert outcome.status == 200, outcome


def assert_one_job_each(operator, manager, orders: list[int]) -> None:
    for order_id in orders:
        wait_for(f"a job for order {order_id}", lambda o=order_id: jobs_of(operator, o))
    for order_id in orders:
        assert len(jobs_of(operator, order_id)) == 1, order_id
        wait_for(f"CRM hears of order {order_id}'s job",
                 lambda o=order_id: "IN_PRODUCTION" in order_statuses(manager, o))
        assert order_statuses(manager, order_id).count("IN_PRODUCTION") == 1, order_statuses(manager, order_id)


def test_kill_minus_9_while_consuming_loses_nothing_and_doubles_nothing(landscape, toxiproxy, operator, manager):
    orders = [place_order(landscape).order_id for _ in range(12)]
    before = int(landscape.supervisorctl("pid", "mes-api").strip())
    # Storage answers slowly, so the batch takes seconds and the kill lands in its middle.
    with toxiproxy.delayed("minio", 300):
        approve_all(manager, orders)
        made_before_kill = wait_for("MES API's first jobs",
                                    lambda: sum(bool(jobs_of(operator, o)) for o in orders) >= 2 and
                                    sum(bool(jobs_of(operator, o)) for o in orders), interval=0.1)
        os.kill(before, signal.SIGKILL)
    assert made_before_kill < len(orders), "the batch finished before the kill: nothing was proven"
    after = wait_for("MES API restarted", lambda: int(landscape.supervisorctl("pid", "mes-api").strip() or 0))
    assert after != before
    wait_for("MES API ready again", lambda: ready(landscape.url("MES_API", "/readyz")))
    assert_one_job_each(operator, manager, orders)


def test_mesdb_down_while_consuming_the_approval_waits_and_is_not_lost(landscape, toxiproxy, operator, manager):
    orders = [place_order(landscape).order_id for _ in range(2)]
    with toxiproxy.disabled("mesdb"):
        approve_all(manager, orders)  # CRM API and ShopDB are fine: only MES DB is away
        time.sleep(4)  # MES API reads the messages, fails on MES DB, keeps them for a retry
        assert not any(manager.order(o)["status"] == "IN_PRODUCTION" for o in orders)
    assert_one_job_each(operator, manager, orders)


def test_kafka_down_midway_through_a_job_loses_nothing(landscape, toxiproxy, operator, manager):
    order_id = place_order(landscape).order_id
    with toxiproxy.delayed("minio", 1500):  # the model takes 1.5 s to read: MES API is mid-way
        approve_all(manager, [order_id])
        time.sleep(0.7)
        with toxiproxy.disabled("kafka"):  # ... when Kafka goes: its QUEUED event cannot be sent
            time.sleep(5)
            assert not jobs_of(operator, order_id)  # rolled back with the failed send
    assert_one_job_each(operator, manager, [order_id])


def test_a_message_for_a_model_that_is_gone_is_dead_lettered_with_the_storage_error(landscape, jaeger, operator,
                                                                                     queued_job):
    sheet = operator.get(f"/jobs/{queued_job['id']}/sheet")
    message = {"order_id": 10**12 + int(time.time()), "customer_id": queued_job["customer_id"],
               "model_id": sheet["model"]["id"], "model_key": sheet["model"]["key"] + ".gone",
               "material_id": "pla-white", "quantity": 1}
    key = f"gone-{message['order_id']}"
    trace_id = "%032x" % int(time.time_ns())
    produce(landscape, "orders.approved", key, json.dumps(message), {"traceparent": f"00-{trace_id}-{'2' * 16}-01"})
    record = wait_for("the dead letter", lambda: next((r for r in consume(landscape, "orders.approved.dlq", 4000)
                                                      if r.key == key), None))
    assert "NoSuchKey" in record.headers["dlq.reason.message"], record.headers
    spans = jaeger.trace(trace_id, min_spans=3)
    get = next(s for s in spans if s.tags.get("rpc.method") == "GetObject")
    assert get.tags["error.type"] == "NoSuchKey" and get.service == "mes-api"
    assert not jobs_of(operator, message["order_id"])
