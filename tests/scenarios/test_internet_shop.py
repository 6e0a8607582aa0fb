"""InternetShop lines of the design: errors in InternetShop; Shop API unavailable, slow,
failing. A customer in headless Chromium signs up and uploads a model; the test injects
the fault; the customer acts; the evidence rules are proven on the trace in Jaeger."""

import os
import shutil
import time
from pathlib import Path

import pytest

from support import faults
from support.browser import Journey
from support.evidence import Evidence, UserOutcome, click_span, shown
from support.landscape import http_json

SERVICE = "internet-shop"
OBJECTIVE_S = 1.0  # ACTION_OBJECTIVE_MS of InternetShop
DOCS = Path(__file__).resolve().parent.parent.parent / "docs"


def start(landscape, action, tmp_path, screenshot=None):
    journey = Journey(landscape.url("INTERNET_SHOP_WEB"), action, tmp_path, screenshot)
    journey.wait_ready()
    return journey




@pytest.mark.scenario("SHOP-FE-ERROR")
def test_frontend_error(landscape, jaeger, tmp_path):
    with faults.web_fault(landscape, "internet-shop", "orders_render_defect"):
        journey = start(landscape, "refresh", tmp_path)  # the page loads with the defect switched on
        outcome = shown(journey.act())
    evidence = Evidence(jaeger, outcome, SERVICE).findable(min_spans=1)
    culprit = evidence.culprit({"TypeError"})
    assert culprit.service == SERVICE and culprit.name == "click refresh orders"
    evidence.exception_event(culprit, "TypeError")
    assert evidence.chain(culprit) is culprit  # the user's click is the root
    assert culprit.process_tags.get("service.version")
    # Healed: the same action works.
    journey = start(landscape, "refresh", tmp_path)
    assert not journey.act()["errorShown"]


@pytest.mark.scenario("SHOP-API-DOWN")
def test_api_down(landscape, jaeger, tmp_path):
    journey = start(landscape, "refresh", tmp_path)
    with faults.process_stopped(landscape, "shop-api"):
        outcome = shown(journey.act())
    evidence = Evidence(jaeger, outcome, SERVICE).findable()
    culprit = evidence.culprit({"502"}, **{"span.kind": "client"})
    assert culprit.service == SERVICE
    assert culprit.tags["url.full"].endswith("/api/orders")
    assert culprit.tags["http.response.status_code"] == 502
    root = evidence.chain(culprit)
    assert root.name == "click refresh orders"
    assert not [s for s in evidence.spans if s.service == "shop-api"], "Shop API was down: no span of it"
    wait_ready(landscape)
    assert not start(landscape, "refresh", tmp_path).act()["errorShown"]


@pytest.mark.scenario("SHOP-API-SLOW")
def test_api_slow(landscape, jaeger, toxiproxy, tmp_path):
    journey = start(landscape, "refresh", tmp_path)
    with faults.slow(toxiproxy, "postgres", 700):
        result = journey.act()
    assert not result["errorShown"], result
    orders = [c for c in result["apiSupportCodes"] if c["path"] == "/api/orders"]
    assert orders and orders[-1]["status"] == 200, result
    outcome = UserOutcome(200, orders[-1]["code"], result["ms"] / 1000.0)
    evidence = Evidence(jaeger, outcome, SERVICE)
    evidence.spans = jaeger.trace(outcome.support_code, min_spans=4)
    evidence.by_id = {s.span_id: s for s in evidence.spans}
    click = click_span(evidence, "refresh orders")
    click_s = click.raw["duration"] / 1e6
    assert click_s > OBJECTIVE_S and click.tags.get("ui.slow") is True, f"click took {click_s:.2f}s"
    # The trace explains it: the server span of Shop API holds database spans that took the time.
    server = next(s for s in evidence.spans if s.service == "shop-api" and s.tags.get("span.kind") == "server")
    assert evidence.chain(server) is click
    db = [s for s in evidence.spans if s.tags.get("db.system.name") == "postgresql"]
    slowest = max(db, key=lambda s: s.raw["duration"])
    assert slowest.raw["duration"] / 1e6 >= 0.6
    assert sum(s.raw["duration"] for s in db) / 1e6 >= 0.6 * click_s
    # Findable as slow: by service and minimum duration.
    status, body = http_json("GET", f"{jaeger.base}/api/traces?service={SERVICE}&minDuration=1s&lookback=1h&limit=200")
    assert status == 200 and outcome.support_code in {t["traceID"] for t in body["data"]}
    assert start(landscape, "refresh", tmp_path).act()["ms"] < 1500 + 2500  # healed (page settle time included)


@pytest.mark.scenario("SHOP-API-ERROR")
def test_api_error(landscape, jaeger, tmp_path):
    journey = start(landscape, "upload", tmp_path)
    with faults.fault_flag(landscape.url("SHOP_API_ADMIN"), "pricing_defect"):
        outcome = shown(journey.act(), status=500)
    evidence = Evidence(jaeger, outcome, SERVICE).findable()
    culprit = evidence.culprit({"std::logic_error"})
    assert culprit.service == "shop-api" and culprit.tags["span.kind"] == "server"
    evidence.exception_event(culprit, "std::logic_error")
    assert culprit.tags["http.route"] == "/quotes" and culprit.tags["http.response.status_code"] == 500
    assert evidence.chain(culprit).name == "click upload model"
    failed_fetch = [s for s in evidence.spans if s.service == SERVICE and s.tags.get("error.type") == "500"]
    assert failed_fetch, "the browser's fetch span of the failing call is not marked"
    assert not start(landscape, "upload", tmp_path).act()["errorShown"]


def test_happy_order_is_one_trace_from_click_to_database_and_store(landscape, jaeger, tmp_path):
    screenshot = tmp_path / "internet-shop.png"
    result = start(landscape, "order", tmp_path, screenshot).act()
    assert not result["errorShown"], result
    order = [c for c in result["apiSupportCodes"] if c["path"] == "/api/orders" and c["status"] == 201]
    assert order, result
    # One tree (every parent stored) from the click to the database and the store.
    jaeger.whole_trace_with(order[0]["code"], {(SERVICE, "click order"), ("shop-api", "POST /orders"),
                                               ("shop-api", "INSERT orders"), ("shop-api", "S3.HeadObject")})
    assert screenshot.stat().st_size > 10_000
    if os.environ.get("FABTRACE_UPDATE_SCREENSHOTS") == "1":
        shutil.copy(screenshot, DOCS / "internet-shop.png")


def test_uncaught_errors_are_recorded_with_a_support_code(landscape, jaeger, tmp_path):
    outcome = shown(start(landscape, "throw", tmp_path).act())
    evidence = Evidence(jaeger, outcome, SERVICE).findable(min_spans=1)
    culprit = evidence.culprit({"RangeError"})
    assert culprit.name == "uncaught error" and culprit.service == SERVICE
    evidence.exception_event(culprit, "RangeError")


def wait_ready(landscape, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, _ = http_json("GET", landscape.url("SHOP_API", "/readyz"))
        if status == 200:
            return
        time.sleep(0.5)
    raise AssertionError("Shop API did not come back")
