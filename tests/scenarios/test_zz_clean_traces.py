"""After the scenario suite (this file runs last): no e-mail, password, token or
Authorization header the tests used, and no secret generated for this install, appears in
any span Jaeger stored."""

import json

from support.landscape import http_json
from support.shop import USED_SECRETS


def test_no_secret_in_any_stored_trace(landscape, jaeger):
    assert USED_SECRETS, "the scenario tests used no customer: nothing was checked"
    stored = []
    for service in jaeger.services():
        status, body = http_json("GET", f"{jaeger.base}/api/traces?service={service}&lookback=2h&limit=2000")
        assert status == 200, body
        stored.append(json.dumps(body["data"]).lower())
    everything = "\n".join(stored)
    assert "shop-api" in jaeger.services()
    for secret in USED_SECRETS:
        assert secret.lower() not in everything, "a value used by the tests is stored in Jaeger"
    for name, secret in landscape.generated_secrets().items():
        assert secret.lower() not in everything, f"{name} is stored in Jaeger"
    assert "http.request.header.authorization" not in everything
    assert "bearer " not in everything
