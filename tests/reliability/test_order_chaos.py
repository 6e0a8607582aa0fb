"""No order lost under chaos: whole order lives (InternetShop's API -> CRM -> MES -> done)
run while a fault injector (fixed seed) hangs and cuts PostgreSQL (ShopDB and MES DB), MinIO
and Kafka through their proxies, restarts the Kafka broker and kills each service with
kill -9, every fault once in a shuffled order. Then
everything is healed and the business invariants are checked:
- every order a customer was told was accepted exists;
- every order CRM holds as approved (or later) has exactly one production job;
- every job MES finished is DONE in its order;
- no message is left unprocessed (the consumer groups are at the end of their topics);
- every dead-letter record carries its trace context and its reason.
It prints the faults it injected and the counts."""

from __future__ import annotations

import os
import random
import signal
import threading
import time

import pytest
from confluent_kafka import Consumer, TopicPartition

from support.employees import CrmManager, MesOperator
from support.kafka import bootstrap, consume
from support.landscape import http
from support.shop import ShopCustomer
from support.toxiproxy import Toxiproxy

SEED, CHAOS_LIMIT_S = 20261130, 150
PROXIES = ("postgres", "mesdb", "minio", "kafka")
SERVICES = {"shop-api": "SHOP_API", "crm-api": "CRM_API", "mes-api": "MES_API"}
STAGES = ("SCHEDULE", "PRINTING", "POST_PROCESSING", "QUALITY_CHECK", "DONE")
APPROVED_OR_LATER = {"APPROVED", "IN_PRODUCTION", "DONE", "PRODUCTION_FAILED"}


class Injector(threading.Thread):
    """A fault every few seconds, each healed before the next: what and how long, logged."""

    def __init__(self, landscape, rng: random.Random):
        super().__init__(daemon=True)
        self.landscape, self.rng = landscape, rng
        self.toxiproxy = Toxiproxy(landscape)
        self.done = threading.Event()
        self.log: list[str] = []

    def run(self):
        # Every fault once, in an order and with durations drawn from the seed.
        plan = [(kind, proxy) for kind in ("hang", "down") for proxy in PROXIES]
        plan += [("kill", service) for service in sorted(SERVICES)] + [("restart", "kafka")]
        self.rng.shuffle(plan)
        started = time.monotonic()
        for kind, target in plan:
            if self.done.wait(self.rng.uniform(1, 2.5)):
                return
            seconds = round(self.rng.uniform(2, 4), 1)
            at = f"{time.monotonic() - started:5.1f}s"
            if kind == "kill":
                self.log.append(f"{at} kill -9 {target}")
                self.kill(target)
            elif kind == "restart":
                self.log.append(f"{at} restart the Kafka broker")
                assert "kafka: started" in self.landscape.supervisorctl("restart", "kafka")
            else:
                self.log.append(f"{at} {kind} {target} {seconds}s")
                fault = self.toxiproxy.hanging(target) if kind == "hang" else self.toxiproxy.disabled(target)
                with fault:
                    time.sleep(seconds)

    def kill(self, service: str):
        pid = self.landscape.supervisorctl("pid", service).strip()
        if pid.isdigit() and pid != "0":
            os.kill(int(pid), signal.SIGKILL)
        wait_ready(self.landscape, service, pid)


def answers_ready(landscape, service: str) -> bool:
    try:
        return http("GET", landscape.url(SERVICES[service], "/readyz"), timeout=3)[0] == 200
    except OSError:  # not listening yet
        return False


def wait_ready(landscape, service: str, old_pid: str = "", timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pid = landscape.supervisorctl("pid", service).strip()
        if pid.isdigit() and pid not in ("0", old_pid) and answers_ready(landscape, service):
            return
        time.sleep(0.3)
    raise AssertionError(f"{service} is not ready again")


def heal(landscape):
    toxiproxy = Toxiproxy(landscape)
    for name, proxy in toxiproxy.proxies().items():
        for toxic in proxy.get("toxics") or []:
            http("DELETE", f"{toxiproxy.base}/proxies/{name}/toxics/{toxic['name']}")
        if not proxy["enabled"]:
            toxiproxy.set_enabled(name, True)
    for service in SERVICES:
        if "RUNNING" not in landscape.supervisorctl("status", service):
            landscape.supervisorctl("start", service)
        wait_ready(landscape, service, old_pid="")


def lag(landscape, group: str, topic: str) -> int:
    """Messages of TOPIC the consumer GROUP has not committed yet."""
    consumer = Consumer({**bootstrap(landscape), "group.id": group, "enable.auto.commit": False})
    try:
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        behind = 0
        for tp in consumer.committed([TopicPartition(topic, p) for p in partitions], timeout=10):
            high = consumer.get_watermark_offsets(tp, timeout=10)[1]
            behind += high - max(tp.offset, 0)
        return behind
    finally:
        consumer.close()


def eventually(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while True:
        problems = check()
        if not problems:
            return
        assert time.monotonic() < deadline, f"{what}: {problems[:10]}"
        time.sleep(2)


@pytest.fixture
def jobs(landscape):
    """The jobs the test drives (job id -> next stage). Afterwards the printers they hold are
    freed (their jobs move on from PRINTING), so the tests after this one find idle printers."""
    driven: dict[int, int] = {}
    yield driven
    operator = MesOperator(landscape)
    for job_id in driven:
        if operator.job(job_id)["status"] == "PRINTING":
            assert operator.move(job_id, "POST_PROCESSING").status == 200, job_id


def test_no_order_is_lost_when_dependencies_hang_and_services_die(landscape, measured, jobs):
    rng = random.Random(SEED)
    customer = ShopCustomer(landscape.url("SHOP_API")).sign_up()
    model = customer.upload()
    assert model.status == 201, model
    manager, operator = CrmManager(landscape), MesOperator(landscape)
    accepted: list[int] = []
    approvals: set[int] = set()
    calls = {"orders": 0, "approvals": 0, "job steps": 0, "failed calls": 0}

    def attempt(call):
        try:
            outcome = call()
        except Exception:  # a connection cut by the fault: the user saw an error
            calls["failed calls"] += 1
            return None
        if outcome.status >= 400:
            calls["failed calls"] += 1
        return outcome

    injector = Injector(landscape, rng)
    injector.start()
    try:
        deadline = time.monotonic() + CHAOS_LIMIT_S
        while injector.is_alive() and time.monotonic() < deadline:
            calls["orders"] += 1
            placed = attempt(lambda: customer.call("POST", "/orders", {"model_id": model.body["id"],
                                                                      "material_id": "pla-white"}, timeout=10))
            if placed and placed.status == 201:
                accepted.append(placed.body["id"])
            for order_id in [o for o in accepted if o not in approvals][:2]:
                calls["approvals"] += 1
                answer = attempt(lambda: manager.call("POST", f"/orders/{order_id}/approve", timeout=10))
                if answer and answer.status in (200, 409):
                    approvals.add(order_id)
            for order_id in sorted(approvals)[-3:]:
                found = attempt(lambda: manager.call("GET", f"/orders/{order_id}", timeout=5))
                del found
                listed = attempt(lambda: operator.call("GET", f"/jobs?order_id={order_id}", timeout=5))
                if listed and listed.status == 200 and listed.body.get("jobs"):
                    jobs.setdefault(listed.body["jobs"][0]["id"], 0)
            for job_id, stage in list(jobs.items()):
                if stage >= len(STAGES):
                    continue
                calls["job steps"] += 1
                if STAGES[stage] == "SCHEDULE":
                    answer = attempt(lambda: operator.schedule(job_id))
                else:
                    answer = attempt(lambda: operator.move(job_id, STAGES[stage]))
                if answer and answer.status == 200:
                    jobs[job_id] = stage + 1
                break  # one step a round: printers stay free for the next jobs
    finally:
        injector.done.set()
        injector.join(timeout=30)
        heal(landscape)

    # Invariant 1: every accepted order exists.
    eventually(lambda: [o for o in accepted if customer.call("GET", f"/orders/{o}").status != 200], 60,
               "accepted orders missing from Shop API")

    # Invariant 2: every order CRM holds as approved or later has exactly one job.
    def statuses():
        return {o: manager.order(o)["status"] for o in accepted}

    def approved_without_one_job():
        return [(o, len(operator.get(f"/jobs?order_id={o}")["jobs"])) for o, s in statuses().items()
                if s in APPROVED_OR_LATER and len(operator.get(f"/jobs?order_id={o}")["jobs"]) != 1]
    eventually(approved_without_one_job, 120, "approved orders without exactly one job")

    # Invariant 3: every finished job is DONE in its order.
    def done_not_reflected():
        wrong = []
        for order_id, status in statuses().items():
            for job in operator.get(f"/jobs?order_id={order_id}")["jobs"]:
                if job["status"] == "DONE" and status != "DONE":
                    wrong.append((order_id, job["id"], status))
        return wrong
    eventually(done_not_reflected, 120, "finished jobs not DONE in their orders")

    # Invariant 4: nothing left unprocessed outside the dead-letter topics.
    eventually(lambda: [(g, t, n) for g, t in (("mes-api", "orders.approved"), ("crm-api", "jobs.status"))
                        if (n := lag(landscape, g, t)) > 0], 120, "messages not processed")

    # Invariant 5: every dead-letter record carries its trace context and its reason.
    dead = [(topic, r) for topic in ("orders.approved.dlq", "jobs.status.dlq") for r in consume(landscape, topic)]
    without = [(topic, r.headers) for topic, r in dead
               if not r.headers.get("traceparent") or not r.headers.get("dlq.reason.type")]
    assert not without, without

    final = statuses()
    done = sum(1 for s in final.values() if s == "DONE")
    measured(f"order chaos (seed {SEED}): faults {injector.log}")
    measured(f"order chaos: {calls}; accepted {len(accepted)}, approved {sum(s in APPROVED_OR_LATER for s in final.values())}, "
             f"jobs driven {len(jobs)}, done {done}; dead-letter records {len(dead)}")
    assert len(injector.log) == 12, f"every fault injected once: {injector.log}"
    assert accepted and approvals and jobs, (accepted, approvals, jobs)
