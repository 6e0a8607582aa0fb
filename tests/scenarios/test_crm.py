"""CRM lines of the design: errors in CRM; CRM API unavailable, slow, failing. A manager
in headless Chromium signs in through Keycloak's real form and works on a customer's
order; the test injects the fault; the manager acts; the evidence rules are proven on the
trace in Jaeger; healed, the next action succeeds."""

import os
import shutil
from pathlib import Path

import pytest

from support import faults
from support.browser import CrmJourney
from support.evidence import Evidence, UserOutcome, click_span, shown
from support.landscape import http_json

SERVICE = "crm"
OBJECTIVE_S = 1.0  # ACTION_OBJECTIVE_MS of the browser applications
DOCS = Path(__file__).resolve().parent.parent.parent / "docs"


@pytest.fixture
def new_order(placed):
    return placed.order_id


def start(landscape, action, order=None, screenshot=None) -> CrmJourney:
    journey = CrmJourney(landscape, action, order, screenshot)
    journey.wait_ready()
    return journey




@pytest.mark.scenario("CRM-FE-ERROR")
def test_frontend_error(landscape, jaeger, new_order):
    with faults.web_fault(landscape, "crm", "detail_render_defect"):
        journey = start(landscape, "open", new_order)  # the page loads with the defect switched on
        outcome = shown(journey.act())
    evidence = Evidence(jaeger, outcome, SERVICE).findable(min_spans=2)
    culprit = evidence.culprit({"TypeError"})
    assert culprit.service == SERVICE and culprit.name == "click open order"
    evidence.exception_event(culprit, "TypeError")
    assert evidence.chain(culprit) is culprit  # the manager's click is the root
    assert culprit.process_tags.get("service.version")
    # The API answered well: the defect is the browser application's own.
    server = [s for s in evidence.spans if s.service == "crm-api" and s.tags.get("span.kind") == "server"]
    assert server and server[0].tags["http.response.status_code"] == 200
    assert not start(landscape, "open", new_order).act()["errorShown"]


@pytest.mark.scenario("CRM-API-DOWN")
def test_api_down(landscape, jaeger):
    journey = start(landscape, "refresh")
    with faults.process_stopped(landscape, "crm-api"):
        outcome = shown(journey.act())
    evidence = Evidence(jaeger, outcome, SERVICE).findable(min_spans=2)
    culprit = evidence.culprit({"502"}, **{"span.kind": "client"})
    assert culprit.service == SERVICE
    assert "/api/orders" in culprit.tags["url.full"]
    assert culprit.tags["http.response.status_code"] == 502
    assert evidence.chain(culprit).name == "click refresh orders"
    assert not [s for s in evidence.spans if s.service == "crm-api"], "CRM API was down: no span of it"
    status, _ = http_json("GET", landscape.url("CRM_API", "/readyz"))
    assert status == 200
    assert not start(landscape, "refresh").act()["errorShown"]


@pytest.mark.scenario("CRM-API-SLOW")
def test_api_slow(landscape, jaeger, toxiproxy):
    journey = start(landscape, "refresh")
    with faults.slow(toxiproxy, "postgres", 1300):  # one statement, under its 2 s timeout
        result = journey.act()
    assert not result["errorShown"], result
    # The list also refreshes itself in the background: take the answer of the click.
    orders = [c for c in result["apiSupportCodes"] if c["path"] == "/api/orders" and c["code"]]
    assert orders and all(c["status"] == 200 for c in orders), result
    evidence = None
    for candidate in orders:
        outcome = UserOutcome(200, candidate["code"], result["ms"] / 1000.0)
        evidence = Evidence(jaeger, outcome, SERVICE)
        evidence.spans = jaeger.trace(outcome.support_code, min_spans=3)
        evidence.by_id = {s.span_id: s for s in evidence.spans}
        if any(s.name == "click refresh orders" for s in evidence.spans):
            break
    click = click_span(evidence, "refresh orders")
    click_s = click.raw["duration"] / 1e6
    assert click_s > OBJECTIVE_S and click.tags.get("ui.slow") is True, f"click took {click_s:.2f}s"
    server = next(s for s in evidence.spans if s.service == "crm-api" and s.tags.get("span.kind") == "server")
    assert evidence.chain(server) is click
    db = [s for s in evidence.spans if s.tags.get("db.system.name") == "postgresql"]
    assert max(s.raw["duration"] for s in db) / 1e6 >= 1.2
    status, body = http_json("GET", f"{jaeger.base}/api/traces?service={SERVICE}&minDuration=1s&lookback=1h&limit=200")
    assert status == 200 and outcome.support_code in {t["traceID"] for t in body["data"]}
    assert not start(landscape, "refresh").act()["errorShown"]


@pytest.mark.scenario("CRM-API-ERROR")
def test_api_error(landscape, jaeger, new_order):
    journey = start(landscape, "open", new_order)
    with faults.fault_flag(landscape.url("CRM_API_ADMIN"), "order_detail_defect"):
        outcome = shown(journey.act(), status=500)
    evidence = Evidence(jaeger, outcome, SERVICE).findable()
    culprit = evidence.culprit({"std::logic_error"})
    assert culprit.service == "crm-api" and culprit.tags["span.kind"] == "server"
    evidence.exception_event(culprit, "std::logic_error")
    assert culprit.tags["http.route"] == "/orders/{id}" and culprit.tags["http.response.status_code"] == 500
    assert evidence.chain(culprit).name == "click open order"
    failed_fetch = [s for s in evidence.spans if s.service == SERVICE and s.tags.get("error.type") == "500"]
    assert failed_fetch, "the browser's fetch span of the failing call is not marked"
    assert not start(landscape, "open", new_order).act()["errorShown"]


def test_manager_approves_in_the_browser_in_one_trace(landscape, jaeger, new_order, tmp_path):
    screenshot = tmp_path / "crm.png"
    journey = start(landscape, "approve", new_order, screenshot)
    result = journey.act()
    assert not result["errorShown"], result
    # MES API may already have taken the job (jobs.status QUEUED: IN_PRODUCTION).
    assert result["detailStatus"] in ("APPROVED", "IN_PRODUCTION"), result
    approve = [c for c in result["apiSupportCodes"] if c["path"].endswith("/approve") and c["status"] == 200]
    assert approve, result
    # One tree (every parent stored) from the click to the API's handler.
    spans = jaeger.whole_trace_with(approve[0]["code"], {(SERVICE, "click approve order"),
                                                         ("crm-api", "POST /orders/{id}/approve")})
    assert any(s.service == "crm-api" and s.tags.get("span.kind") == "producer" for s in spans)
    assert screenshot.stat().st_size > 10_000
    if os.environ.get("FABTRACE_UPDATE_SCREENSHOTS") == "1":
        shutil.copy(screenshot, DOCS / "crm.png")
