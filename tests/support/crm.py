"""A manager of the company calling CRM API with a Keycloak token (client crm-web)."""

from __future__ import annotations

import json
import time

from .evidence import UserOutcome, outcome_of
from .keycloak import token
from .landscape import Landscape, http
from .shop import USED_SECRETS


TOKEN_RENEWAL_S = 180  # the realm's access tokens live 300 s


class CrmManager:
    def __init__(self, landscape: Landscape, user: str = "maria.manager", password: str | None = None):
        self.base = landscape.url("CRM_API")
        self._sign_in = lambda: token(landscape, user, password or landscape.secret("MANAGER_PASSWORD"),
                                      client="crm-web")
        self._renew()

    def _renew(self) -> None:
        self.token = self._sign_in()
        self._issued = time.monotonic()
        USED_SECRETS.append(self.token)  # tests/scenarios/test_zz_clean_traces.py looks for it

    def call(self, method: str, path: str, body: dict | bytes | None = None, token: str | None = None,
             timeout: float = 30) -> UserOutcome:
        if token is None and time.monotonic() - self._issued > TOKEN_RENEWAL_S:
            self._renew()  # a long test module outlives the realm's 5-minute tokens
        bearer = self.token if token is None else token  # "" sends no token at all
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        if isinstance(body, dict):
            body = json.dumps(body).encode()
        if method == "POST" and body is None:
            body = b""
        headers["Content-Type"] = "application/json"
        started = time.monotonic()
        status, answer_headers, raw = http(method, self.base + path, body, headers, timeout)
        return outcome_of(status, answer_headers, raw, time.monotonic() - started)

    def approve(self, order_id: int) -> UserOutcome:
        return self.call("POST", f"/orders/{order_id}/approve")

    def order(self, order_id: int) -> dict:
        outcome = self.call("GET", f"/orders/{order_id}")
        assert outcome.status == 200, outcome
        return outcome.body
