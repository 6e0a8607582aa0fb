"""TLS mode (FABTRACE_TLS=1): the gate, Keycloak and the browser applications speak HTTPS
with the certificate of the install's local CA, the Collector's OTLP doors speak TLS, the
gate's session cookie is Secure, and everything still works end to end: the login
through the gate, the services' spans, the browsers' spans, the employees' tokens.
./fabtrace test restarts its instance in this mode after the other tests and runs these,
with the gate and login tests of tests/access."""

import http.client as http_client
import json
import socket
import ssl
import subprocess
import urllib.error
from pathlib import Path

import pytest

from support import otlp
from support.browser import CrmJourney
from support.employees import CrmManager
from support.landscape import http, http_json
from support.shop import ShopCustomer

BROWSER_DIR = Path(__file__).resolve().parent.parent / "browser"
JSON = {"Content-Type": "application/json"}
TLS_DOORS = ["JAEGER_GATE", "KEYCLOAK", "INTERNET_SHOP_WEB", "CRM_WEB", "MES_WEB", "COLLECTOR_OTLP_HTTP",
             "COLLECTOR_OTLP_PUBLIC"]


@pytest.fixture(scope="module", autouse=True)
def tls_mode(landscape):
    assert landscape.tls, "these tests need the TLS instance: ./fabtrace test runs them in its TLS phase"


@pytest.fixture(scope="module")
def some_trace_id(landscape):
    status, body = http_json("GET", landscape.url("JAEGER_QUERY_HTTP", "/api/traces?service=shop-api&lookback=2h&limit=1"))
    assert status == 200 and body["data"], "no Shop API trace to look at"
    return body["data"][0]["traceID"]


def test_gate_login_over_https_sets_a_secure_session_cookie(landscape, some_trace_id):
    gate = landscape.url("JAEGER_GATE")
    assert gate.startswith("https://")
    result = subprocess.run(["node", str(BROWSER_DIR / "gate_login.mjs"), "--gate", gate, "--user", "sasha.support",
                             "--password", landscape.secret("SUPPORT_PASSWORD"), "--trace", some_trace_id],
                            cwd=BROWSER_DIR, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["loginOrigin"] == landscape.url("KEYCLOAK"), "Keycloak's login form is served over HTTPS"
    assert seen["landingUrl"].startswith(gate) and seen["landingStatus"] == 200
    assert seen["servicesStatus"] == 200 and seen["traceStatus"] == 200
    session = [cookie for cookie in seen["cookies"] if cookie["name"].startswith("_fabtrace_gate")]
    assert session, f"no session cookie of the gate among {seen['cookies']}"
    assert all(cookie["secure"] and cookie["httpOnly"] for cookie in session), session
    assert seen["afterLogoutStatus"] == 401


@pytest.mark.parametrize("door", TLS_DOORS)
def test_doors_refuse_plain_http_and_unknown_authorities(landscape, door):
    port = landscape.port(door)
    # Plain HTTP to a TLS port gets no answer it could use.
    try:
        status, _, _ = http("GET", f"http://127.0.0.1:{port}/", timeout=5)
    except (urllib.error.URLError, ConnectionError, http_client.HTTPException):
        status = None
    assert status in (None, 400), f"{door} answered plain HTTP with {status}"
    # A client that does not trust the install's CA refuses the certificate.
    with pytest.raises(ssl.SSLCertVerificationError):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
            with ssl.create_default_context().wrap_socket(raw, server_hostname="127.0.0.1"):
                pass
    # One that trusts it accepts the certificate for 127.0.0.1.
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        context = ssl.create_default_context(cafile=str(landscape.state / "tls" / "ca.crt"))
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            assert tls.version() in ("TLSv1.2", "TLSv1.3")


def test_services_export_their_spans_over_tls(landscape, jaeger):
    trace_id = otlp.new_trace_id()
    outcome = ShopCustomer(landscape.url("SHOP_API")).call(
        "GET", "/materials", headers={"traceparent": f"00-{trace_id}-{otlp.new_span_id()}-01"})
    assert outcome.status == 200, outcome
    assert any(span.service == "shop-api" for span in jaeger.trace(trace_id))


def test_internal_door_needs_the_token_over_tls_too(landscape):
    url = landscape.url("COLLECTOR_OTLP_HTTP", "/v1/traces")
    body = otlp.request("shop-api", [otlp.span("GET /materials", otlp.new_trace_id(), otlp.SERVER)], sdk_language="cpp")
    assert http("POST", url, body, JSON)[0] == 401
    assert http("POST", url, body, {**JSON, **landscape.otlp_headers()})[0] == 200


def test_browser_spans_pass_nginx_to_the_public_door_over_tls(landscape, jaeger):
    trace_id = otlp.new_trace_id()
    body = otlp.request("crm", [otlp.span("HTTP GET", trace_id, otlp.CLIENT,
                                          attributes={"http.request.method": "GET", "url.full": "https://127.0.0.1/api/orders"})])
    status, _, answer = http("POST", landscape.url("CRM_WEB", "/otlp/v1/traces"), body, JSON)
    assert status == 200, answer
    assert [span.service for span in jaeger.trace(trace_id)] == ["crm"]


def test_employee_tokens_from_https_keycloak_are_checked_by_the_apis(landscape):
    manager = CrmManager(landscape)  # its token comes from Keycloak over HTTPS
    assert manager.call("GET", "/orders").status == 200  # CRM API fetched the keys over HTTPS
    assert manager.call("GET", "/orders", token="not-a-token").status == 401


def test_manager_signs_in_to_crm_over_https_and_the_click_is_traced(landscape, jaeger, placed):
    """The browser application, Keycloak's login form, the token, CRM API's key fetch and the
    browser's spans through nginx and the Collector's public door, all over TLS."""
    assert landscape.url("CRM_WEB").startswith("https://")
    journey = CrmJourney(landscape, "approve", placed.order_id)
    journey.wait_ready()
    approved = journey.act()
    assert not approved["errorShown"] and not approved["pageErrors"], approved
    call = [c for c in approved["apiSupportCodes"] if c["path"].endswith("/approve") and c["status"] == 200]
    assert call, approved
    services = {span.service for span in jaeger.trace(call[0]["code"], min_spans=2)}
    assert {"crm", "crm-api"} <= services, services
