"""One order's life across the three systems, each step done by its user in the browser:
a customer signs up and orders in InternetShop, a manager approves it in CRM, MES API makes
the production job from Kafka, an operator runs it to DONE in MES, and the customer sees
DONE in InternetShop. Then, through Jaeger's query API only: every Kafka hop's consumer
continues its producer's span; from the customer's order every later trace of the order is
reachable (by links and by the business ids as tags); and Jaeger's service graph shows the
hops between the applications, their APIs and, over Kafka, between the APIs."""

import pytest

from support.browser import CrmJourney, Journey, MesJourney
from support.employees import CrmManager


def consumer_of(topic: str, service: str):
    return lambda s: s.service == service and s.name == f"process {topic}"


def test_one_order_from_the_shop_to_production_and_back(landscape, jaeger, operator, tmp_path):
    # InternetShop: the customer orders and keeps the page open.
    customer = Journey(landscape.url("INTERNET_SHOP_WEB"), "order", tmp_path, follow=True)
    customer.wait_ready()
    placed = customer.order_placed()
    order_id = placed["orderId"]
    order_call = [c for c in placed["apiSupportCodes"] if c["path"] == "/api/orders" and c["status"] == 201]
    assert order_call, placed
    order_trace = order_call[0]["code"]

    # CRM: the manager approves it.
    approval = CrmJourney(landscape, "approve", order_id)
    approval.wait_ready()
    approved = approval.act()
    assert not approved["errorShown"], approved
    approve_call = [c for c in approved["apiSupportCodes"] if c["path"].endswith("/approve") and c["status"] == 200]
    assert approve_call, approved
    approval_trace = approve_call[0]["code"]

    # MES: the job arrives from Kafka; the operator runs it to DONE.
    job_id = operator.job_of_order(order_id)["id"]
    production = MesJourney(landscape, "run", job_id)
    production.wait_ready()
    ran = production.act(timeout=120)
    assert not ran["errorShown"] and ran["detailStatus"] == "DONE", ran
    operator_traces = [c["code"] for c in ran["apiSupportCodes"] if c["path"].endswith("/status") and c["status"] == 200]
    assert len(operator_traces) == 4, ran  # PRINTING, POST_PROCESSING, QUALITY_CHECK, DONE

    # CRM took every production event; the customer comes back and sees DONE.
    manager = CrmManager(landscape)
    history = [h["status"] for h in manager.order(order_id)["history"]]
    assert history[:2] == ["NEW", "APPROVED"] and history[-1] == "DONE", history
    seen = customer.act()
    assert seen["orderStatus"] == "DONE", seen

    # The order's own trace: the customer's click down to Shop API, with the order id.
    spans = jaeger.trace(order_trace, min_spans=3)
    assert any(s.service == "internet-shop" and s.name.startswith("click ") for s in spans)
    assert any(s.service == "shop-api" and s.tags.get("shop.order.id") == order_id for s in spans)

    # The approval's trace crosses Kafka twice: CRM API -> MES API (orders.approved), and
    # MES API -> CRM API (jobs.status, the job QUEUED); each consumer is the child of its
    # producer's span, found through the message headers.
    spans = jaeger.trace_until(approval_trace, consumer_of("jobs.status", "crm-api"), "CRM API's consumer")
    by_id = {s.span_id: s for s in spans}
    mes_consumer = next(s for s in spans if consumer_of("orders.approved", "mes-api")(s))
    producer = by_id[mes_consumer.parent_id]
    assert producer.service == "crm-api" and producer.tags["span.kind"] == "producer"
    assert producer.tags["messaging.destination.name"] == "orders.approved"
    assert mes_consumer.tags["shop.order.id"] == order_id and mes_consumer.tags["mes.job.id"] == job_id
    crm_consumer = next(s for s in spans if consumer_of("jobs.status", "crm-api")(s))
    producer = by_id[crm_consumer.parent_id]
    assert producer.service == "mes-api" and producer.tags["messaging.destination.name"] == "jobs.status"
    s3 = [s for s in spans if s.service == "mes-api" and s.tags.get("rpc.method") in ("GetObject", "PutObject")]
    assert {s.tags["rpc.method"] for s in s3} == {"GetObject", "PutObject"}  # model read, job sheet stored

    # Each operator action: MES click -> MES API -> jobs.status -> CRM API in one trace,
    # and a link back to the trace that created the job.
    for trace_id in operator_traces:
        spans = jaeger.trace_until(trace_id, consumer_of("jobs.status", "crm-api"), "CRM API's consumer")
        assert any(s.service == "mes" and s.name == "click advance job" for s in spans)
        step = next(s for s in spans if s.service == "mes-api" and s.name == "publish job status")
        assert [t for t, _ in step.links] == [approval_trace], step.raw["references"]

    # From the order, by its business ids, support finds every trace of its life.
    by_order = (jaeger.search("shop-api", {"shop.order.id": order_id})
                | jaeger.search("crm-api", {"shop.order.id": order_id})
                | jaeger.search("mes-api", {"shop.order.id": order_id}))
    assert {order_trace, approval_trace, *operator_traces} <= by_order, by_order
    assert set(operator_traces) <= jaeger.search("mes-api", {"mes.job.id": job_id})

    # Jaeger's service graph: applications -> APIs, and the APIs through Kafka both ways.
    edges = jaeger.dependencies()
    for edge in [("internet-shop", "shop-api"), ("crm", "crm-api"), ("mes", "mes-api"),
                 ("crm-api", "mes-api"), ("mes-api", "crm-api")]:
        assert edge in edges, (edge, edges)
