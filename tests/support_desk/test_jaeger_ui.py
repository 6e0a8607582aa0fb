"""The support engineer's Jaeger UI, behind the trace access gate: a real login through
Keycloak's form in headless Chromium, the support code of a failing request pasted into
"Lookup by Trace ID", the culprit span with its error mark and error.type, trace
comparison, the Monitor tab (RED metrics from Prometheus) and System Architecture.
Every request the UI made is then replayed without a session and must be refused."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from support import faults
from support.browser import Journey
from support.evidence import Evidence
from support.keycloak import token
from support.landscape import http, http_json
from support.prometheus import Prometheus
from support.shop import ShopCustomer

BROWSER_DIR = Path(__file__).resolve().parent.parent / "browser"
DOCS = Path(__file__).resolve().parent.parent.parent / "docs"
SHOP_ERRORS = ('traces_span_metrics_calls_total{service_name="shop-api", span_kind="SPAN_KIND_SERVER", '
               'status_code="STATUS_CODE_ERROR"}')


def walk(landscape, *args: str) -> dict:
    command = ["node", str(BROWSER_DIR / "jaeger_ui.mjs"), "--gate", landscape.url("JAEGER_GATE"), *args]
    done = subprocess.run(command, cwd=BROWSER_DIR, capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def failing_orders_request(toxiproxy, customer):
    with faults.down(toxiproxy, "postgres"):
        outcome = customer.call("GET", "/orders")
    assert outcome.status == 503, outcome
    return outcome


def browser_to_api_edge(landscape) -> bool:
    # As the UI asks: the day up to now.
    now_ms = int(time.time() * 1000)
    url = landscape.url("JAEGER_QUERY_HTTP", f"/api/dependencies?endTs={now_ms}&lookback=86400000")
    status, body = http_json("GET", url)
    assert status == 200, body
    return any(d["parent"] == "internet-shop" and d["child"] == "shop-api" for d in body["data"] or [])


@pytest.fixture(scope="module")
def incident(landscape, jaeger, toxiproxy):
    """A failing request (ShopDB down) and a healthy one of the same route; the span
    metrics in Prometheus have seen errors of shop-api rise, so the Monitor tab has an
    error rate; the browser application has called shop-api (System Architecture)."""
    customer = ShopCustomer(landscape.url("SHOP_API")).sign_up()
    prometheus = Prometheus(landscape)
    before = prometheus.value(SHOP_ERRORS)
    failing = failing_orders_request(toxiproxy, customer)
    # A counter series born with its first error has no rate yet: a second error after
    # Prometheus has seen the first gives the Monitor tab a rate above zero.
    seen = prometheus.wait_until(SHOP_ERRORS, lambda value: value > before)
    failing_orders_request(toxiproxy, customer)
    prometheus.wait_until(SHOP_ERRORS, lambda value: value > seen)
    healthy = customer.call("GET", "/orders")
    assert healthy.status == 200, healthy
    evidence = Evidence(jaeger, failing, "shop-api").findable()
    culprit = evidence.culprit({"connection_refused"}, **{"db.system.name": "postgresql"})
    jaeger.trace(healthy.support_code, min_spans=2)
    if not browser_to_api_edge(landscape):
        journey = Journey(landscape.url("INTERNET_SHOP_WEB"), "upload", Path("/tmp"))
        journey.wait_ready()
        assert not journey.act()["errorShown"]
    # Badger computes the edges when asked; on OpenSearch they arrive with the next round of
    # the dependencies writer (tools/jaeger-dependencies: every 10 s in the test profile,
    # after the gateways' service graph has reached Prometheus).
    deadline = time.monotonic() + 120
    while not browser_to_api_edge(landscape):
        assert time.monotonic() < deadline, "no internet-shop -> shop-api edge in Jaeger's dependencies"
        time.sleep(3)
    return {"failing": failing.support_code, "healthy": healthy.support_code, "culprit": culprit}


@pytest.fixture(scope="module")
def support_walk(landscape, incident, tmp_path_factory):
    shots = tmp_path_factory.mktemp("jaeger-ui")
    culprit = incident["culprit"]
    result = walk(landscape, "--user", "sasha.support", "--password", landscape.secret("SUPPORT_PASSWORD"),
                  "--trace", incident["failing"], "--healthy", incident["healthy"],
                  "--culprit-operation", culprit.name, "--culprit-service", culprit.service, "--shots", str(shots))
    assert "error" not in result, result.get("error")
    result["shots"] = shots
    return result


def test_support_code_lookup_shows_the_culprit_with_its_error_type(support_walk, incident):
    assert support_walk["loginFormSeen"] and support_walk["landingStatus"] == 200
    assert support_walk["title"] == "Jaeger UI"
    assert support_walk["traceApi"] == 200
    assert support_walk["traceUrl"] == f"/trace/{incident['failing']}"
    assert support_walk["spanRows"] >= 2
    assert support_walk["culpritRowFound"], support_walk["culpritRowText"]
    assert "shop-api" in support_walk["culpritRowText"]
    detail = support_walk["culpritDetail"]
    assert "error.type" in detail and "connection_refused" in detail, detail
    assert "db.system.name" in detail and "postgresql" in detail
    # The UI's linkPatterns: the span offers its whole trace by the support code.
    assert support_walk["criticalPathSegments"] >= 1


def test_search_and_compare_with_a_healthy_trace(support_walk, incident):
    assert support_walk["searchApi"] == 200 and support_walk["searchFound"]
    assert support_walk["compareApi"] == 200
    assert incident["failing"][:7] in support_walk["compareText"]
    assert incident["healthy"][:7] in support_walk["compareText"]


def test_monitor_tab_shows_the_error_rate_of_shop_api(support_walk):
    assert support_walk["monitorErrorsApi"] == 200, support_walk["monitorErrorsUrl"]
    assert "service=shop-api" in support_walk["monitorErrorsUrl"]
    assert any(rate > 0 for rate in support_walk["monitorErrorRates"]), support_walk["monitorErrorRates"]
    assert "shop-api" in support_walk["monitorText"]


def test_system_architecture_has_the_browser_to_api_edge(landscape, support_walk):
    assert support_walk["dependenciesApi"] == 200
    assert "internet-shop->shop-api" in support_walk["edges"], support_walk["edges"]


def test_operations_guide_is_behind_the_same_gate(landscape, support_walk):
    assert support_walk["guideStatus"] == 200 and support_walk["guideHasSection"]
    status, _, _ = http("GET", landscape.url("JAEGER_GATE", "/docs/operations.html"))
    assert status in (302, 401, 403)


def test_every_request_of_the_ui_is_refused_without_the_role(landscape, support_walk):
    # What the UI loaded for the support engineer (the first page, before the login, was
    # a redirect to Keycloak).
    requests = [r for r in support_walk["requests"] if r["status"] in (200, 304)]
    kinds = {r["type"] for r in requests}
    paths = {r["url"].split("?")[0].removeprefix(landscape.url("JAEGER_GATE")) for r in requests}
    assert {"document", "script", "fetch"} <= kinds, kinds
    assert any(p.startswith("/static/") for p in paths) and "/api/services" in paths
    assert any(p.startswith("/api/metrics/") for p in paths) and "/api/dependencies" in paths
    manager = {"Authorization": f"Bearer {token(landscape, 'maria.manager', landscape.secret('MANAGER_PASSWORD'))}"}
    replayed = set()
    for request in requests:
        # Without a session: a login redirect (pages) or 401 (API), never the content.
        status, headers, body = http(request["method"], request["url"])
        assert status in (302, 401, 403), (request["url"], status)
        assert b"Jaeger UI" not in body and b"jsxRuntime" not in body and b'"data"' not in body
        if status == 302:
            assert "/oauth2/" in headers["Location"] or "/realms/fabtrace/" in headers["Location"]
        # With a valid token of a user who lacks the role: 403.
        status, _, body = http(request["method"], request["url"], headers=manager)
        assert status == 403, (request["url"], status)
        assert b"jsxRuntime" not in body and b'"data"' not in body
        replayed.add(request["url"])
    assert len(replayed) >= 10, replayed


def test_screenshots_of_the_walk(landscape, support_walk):
    names = ["jaeger-trace", "jaeger-compare", "jaeger-search", "jaeger-monitor", "jaeger-architecture"]
    for name in names:
        assert (support_walk["shots"] / f"{name}.png").stat().st_size > 20_000, name
    if os.environ.get("FABTRACE_UPDATE_SCREENSHOTS") == "1":
        for name in names:
            shutil.copy(support_walk["shots"] / f"{name}.png", DOCS / f"{name}.png")


def test_manager_gets_403_and_no_ui_asset(landscape):
    result = walk(landscape, "--user", "maria.manager", "--password", landscape.secret("MANAGER_PASSWORD"), "--refused")
    assert "error" not in result, result.get("error")
    assert result["loginFormSeen"]
    assert result["landingStatus"] == 403, result
    assert result["assets"] == [], result["assets"]
    assert all(r["status"] in (302, 401, 403) for r in result["requests"]), result["requests"]
    assert "Jaeger UI" not in result["landingText"]
