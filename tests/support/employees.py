"""Employees of the company calling their API with a Keycloak token: a manager on CRM API
(client crm-web), a production operator on MES API (client mes-web)."""

from __future__ import annotations

import json
import time

from .evidence import UserOutcome, outcome_of
from .keycloak import token
from .landscape import Landscape, http
from .shop import USED_SECRETS


TOKEN_RENEWAL_S = 180  # the realm's access tokens live 300 s


class Employee:
    def __init__(self, landscape: Landscape, api_port: str, client: str, user: str, password: str):
        self.base = landscape.url(api_port)
        self._sign_in = lambda: token(landscape, user, password, client=client)
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

    def get(self, path: str) -> dict:
        outcome = self.call("GET", path)
        assert outcome.status == 200, outcome
        return outcome.body


class CrmManager(Employee):
    def __init__(self, landscape: Landscape, user: str = "maria.manager", password: str | None = None):
        super().__init__(landscape, "CRM_API", "crm-web", user, password or landscape.secret("MANAGER_PASSWORD"))

    def approve(self, order_id: int) -> UserOutcome:
        return self.call("POST", f"/orders/{order_id}/approve")

    def order(self, order_id: int) -> dict:
        return self.get(f"/orders/{order_id}")


class MesOperator(Employee):
    def __init__(self, landscape: Landscape, user: str = "otto.operator", password: str | None = None):
        super().__init__(landscape, "MES_API", "mes-web", user, password or landscape.secret("OPERATOR_PASSWORD"))

    def job(self, job_id: int) -> dict:
        return self.get(f"/jobs/{job_id}")

    def job_of_order(self, order_id: int, timeout: float = 30) -> dict:
        """The job MES API made from the approved order (it arrives over Kafka)."""
        deadline = time.monotonic() + timeout
        while True:
            jobs = self.get(f"/jobs?order_id={order_id}")["jobs"]
            if jobs:
                return jobs[0]
            assert time.monotonic() < deadline, f"no job for order {order_id} after {timeout} s"
            time.sleep(0.3)

    def move(self, job_id: int, status: str, reason: str = "") -> UserOutcome:
        body = {"status": status, **({"reason": reason} if reason else {})}
        return self.call("POST", f"/jobs/{job_id}/status", body)

    def schedule(self, job_id: int, printer_id: str | None = None) -> UserOutcome:
        """Onto `printer_id`, or the first compatible printer that is idle."""
        if printer_id is None:
            idle = {p["id"] for p in self.get("/printers")["printers"] if p["state"] == "IDLE"}
            compatible = self.job(job_id)["compatible_printers"]
            printer_id = next((p for p in compatible if p in idle), compatible[0])
        return self.call("POST", f"/jobs/{job_id}/schedule", {"printer_id": printer_id})

    def run_to_done(self, job_id: int) -> None:
        """Schedules the job and takes it through every stage to DONE."""
        assert self.schedule(job_id).status == 200
        for status in ("PRINTING", "POST_PROCESSING", "QUALITY_CHECK", "DONE"):
            outcome = self.move(job_id, status)
            assert outcome.status == 200, outcome
