"""Only the role Support_tracing may view traces: Keycloak issues identities and roles,
oauth2-proxy in front of Jaeger's query port admits only that role, and logs who viewed
what. Everything here goes through the real login form, tokens and admin API."""

import base64
import json
import subprocess
import time
import urllib.parse
from pathlib import Path

import pytest

from support.keycloak import KeycloakAdmin, token
from support.landscape import http, http_json

BROWSER_DIR = Path(__file__).resolve().parent.parent / "browser"
SUPPORT, MANAGER = "sasha.support", "maria.manager"


def gate(landscape, path: str, bearer: str | None = None) -> int:
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
    status, _, _ = http("GET", landscape.url("JAEGER_GATE", path), headers=headers)
    return status


@pytest.fixture(scope="module")
def some_trace_id(landscape, jaeger):
    status, body = http_json("GET", landscape.url("JAEGER_QUERY_HTTP", "/api/traces?service=shop-api&lookback=2h&limit=1"))
    assert status == 200 and body["data"], "no Shop API trace to look at"
    return body["data"][0]["traceID"]


def test_anonymous_request_is_sent_to_keycloak_login(landscape):
    status, headers, _ = http("GET", landscape.url("JAEGER_GATE", "/search"))
    assert status == 302
    location = urllib.parse.urlparse(headers["Location"])
    assert location.netloc == f"127.0.0.1:{landscape.port('KEYCLOAK')}"
    assert location.path == "/realms/fabtrace/protocol/openid-connect/auth"
    assert gate(landscape, "/api/services") == 401  # scripts get a 401, not a login page


def test_bearer_tokens_of_the_role_only(landscape, some_trace_id):
    support = token(landscape, SUPPORT, landscape.secret("SUPPORT_PASSWORD"))
    assert gate(landscape, "/api/services", support) == 200
    status, _, body = http("GET", landscape.url("JAEGER_GATE", f"/api/traces/{some_trace_id}"),
                           headers={"Authorization": f"Bearer {support}"})
    assert status == 200 and json.loads(body)["data"][0]["traceID"] == some_trace_id

    manager = token(landscape, MANAGER, landscape.secret("MANAGER_PASSWORD"))
    assert gate(landscape, f"/api/traces/{some_trace_id}", manager) == 403

    header, payload, signature = support.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["realm_access"] = {"roles": ["Support_tracing", "admin"]}
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    assert gate(landscape, "/api/services", f"{header}.{forged}.{signature}") == 401
    other_audience = token(landscape, SUPPORT, landscape.secret("SUPPORT_PASSWORD"), client="crm-web")
    assert gate(landscape, "/api/services", other_audience) == 401


def test_expired_token_is_refused(landscape):
    short = KeycloakAdmin(landscape).short_lived_token(
        "jaeger-gate", lambda: token(landscape, SUPPORT, landscape.secret("SUPPORT_PASSWORD")))
    assert gate(landscape, "/api/services", short) == 200
    time.sleep(3)
    assert gate(landscape, "/api/services", short) == 401


def browser_login(landscape, user: str, password: str, trace_id: str) -> dict:
    result = subprocess.run(["node", str(BROWSER_DIR / "gate_login.mjs"), "--gate", landscape.url("JAEGER_GATE"),
                             "--user", user, "--password", password, "--trace", trace_id],
                            cwd=BROWSER_DIR, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_browser_login_through_keycloak(landscape, some_trace_id):
    support = browser_login(landscape, SUPPORT, landscape.secret("SUPPORT_PASSWORD"), some_trace_id)
    assert support["loginFormSeen"] and support["loginPage"].startswith("/realms/fabtrace/")
    assert support["landingUrl"].startswith(landscape.url("JAEGER_GATE")) and support["landingStatus"] == 200
    assert support["servicesStatus"] == 200 and "shop-api" in support["services"]
    assert support["searchStatus"] == 200 and support["searchCount"] >= 1
    assert support["traceStatus"] == 200
    assert support["afterLogoutStatus"] == 401  # signed out: the session cookie no longer admits

    manager = browser_login(landscape, MANAGER, landscape.secret("MANAGER_PASSWORD"), some_trace_id)
    assert manager["landingStatus"] == 403
    assert manager["servicesStatus"] in (401, 403) and manager["services"] == []
    assert manager["traceStatus"] in (401, 403)


def test_granting_and_revoking_the_role_is_one_step(landscape):
    admin = KeycloakAdmin(landscape)
    membership = f"/users/{admin.user_id(MANAGER)}/groups/{admin.group_id('third-line-support')}"
    admin.call("PUT", membership)
    try:
        assert gate(landscape, "/api/services", token(landscape, MANAGER, landscape.secret("MANAGER_PASSWORD"))) == 200
    finally:
        admin.call("DELETE", membership)
    assert gate(landscape, "/api/services", token(landscape, MANAGER, landscape.secret("MANAGER_PASSWORD"))) == 403


def test_audit_log_names_who_viewed_what(landscape, some_trace_id):
    support = token(landscape, SUPPORT, landscape.secret("SUPPORT_PASSWORD"))
    assert gate(landscape, f"/api/traces/{some_trace_id}", support) == 200
    audit = (landscape.state / "logs" / "jaeger-gate-audit.log").read_text()
    lines = [line for line in audit.splitlines() if " AUDIT " in line]
    assert any(f"user={SUPPORT}" in line and f"/api/traces/{some_trace_id}" in line and "status=200" in line
               for line in lines)
    assert any(f"user={MANAGER}" in line and "status=403" in line for line in lines)
