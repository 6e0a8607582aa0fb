"""Bad input on every route of the APIs: wrong JSON types, missing fields, malformed,
huge and non-UTF-8 bodies, bad ids. Each gets a 4xx with a message and the support code,
never a 500, and its trace holds no ERROR span (error traces are what support searches
for). The service keeps serving afterwards."""

from __future__ import annotations

import json

import pytest

from support.jaeger import Jaeger
from support.landscape import http
from support.shop import ShopCustomer, cube_stl

NESTED = b"[" * 100_000 + b"]" * 100_000

# (method, path, body) for every JSON route of Shop API, with what makes each one wrong.
SHOP_JSON_CASES = [
    ("POST", "/customers", {"email": 5, "password": "longenough1", "name": "A"}),
    ("POST", "/customers", {"email": "a@example.com", "password": ["x"], "name": "A"}),
    ("POST", "/customers", {"email": "a@example.com", "password": "longenough1"}),
    ("POST", "/customers", {"email": "a@example.com", "password": "longenough1", "name": "x" * 500}),
    ("POST", "/sessions", {"email": True, "password": "x"}),
    ("POST", "/sessions", {}),
    ("POST", "/quotes", {"model_id": "1", "material_id": "pla-white"}),
    ("POST", "/quotes", {"model_id": 1, "material_id": 7}),
    ("POST", "/quotes", {"model_id": 1.5, "material_id": "pla-white"}),
    ("POST", "/quotes", {"model_id": 1, "material_id": "pla-white", "quantity": "2"}),
    ("POST", "/quotes", {"model_id": 1, "material_id": "pla-white", "quantity": 0}),
    ("POST", "/quotes", {"model_id": 1, "material_id": "pla-white", "quantity": 10**20}),
    ("POST", "/orders", {"model_id": None, "material_id": "pla-white"}),
    ("POST", "/orders", {"model_id": 1, "material_id": "pla-white", "quantity": -3}),
    ("POST", "/orders", {"model_id": 1, "material_id": "pla-white", "quantity": {"n": 2}}),
]
SHOP_RAW_BODIES = [b"{not json", b"[1, 2]", b'"text"', b'{"email": "\xff\xfe"}', b"\x00\x01\x02", NESTED]
SHOP_JSON_ROUTES = ["/customers", "/sessions", "/quotes", "/orders"]
SHOP_BAD_IDS = ["abc", "0", "-1", "1e3", "99999999999999999999", "%00", "1;DROP"]
SHOP_ID_ROUTES = ["/models/{id}", "/models/{id}/file", "/orders/{id}"]


@pytest.fixture(scope="module")
def customer(landscape):
    return ShopCustomer(landscape.url("SHOP_API")).sign_up()


def send(customer: ShopCustomer, method: str, path: str, body: bytes, content_type="application/json"):
    headers = {"Content-Type": content_type, "Authorization": f"Bearer {customer.token}"}
    status, answer_headers, raw = http(method, customer.base + path, body, headers, timeout=30)
    return status, answer_headers, raw


def assert_client_error(status, headers, raw, what) -> str:
    assert 400 <= status < 500, (what, status, raw[:300])
    code = headers.get("X-Support-Code", "")
    assert len(code) == 32, (what, headers)
    if status != 413:  # cpp-httplib answers oversized bodies itself, before a trace starts
        body = json.loads(raw)
        assert body["error"]["support_code"] == code and body["error"]["message"], (what, body)
    return code


def assert_no_error_span(jaeger: Jaeger, codes: list[str]) -> None:
    for code in codes:
        spans = jaeger.trace(code, timeout=30)
        failed = [(s.service, s.name, s.tags.get("error.type")) for s in spans
                  if s.tags.get("otel.status_code") == "ERROR"]
        assert not failed, (code, failed)


def test_wrong_types_and_missing_fields_on_every_json_route(customer, jaeger):
    codes = []
    for method, path, payload in SHOP_JSON_CASES:
        status, headers, raw = send(customer, method, path, json.dumps(payload).encode())
        assert status == 400, (path, payload, status, raw[:300])
        message = json.loads(raw)["error"]["message"]
        named = [field for field in payload if f"'{field}'" in message] or ["name", "password", "email",
                                                                             "model_id", "material_id"]
        assert any(f"'{field}'" in message for field in named), (payload, message)
        codes.append(assert_client_error(status, headers, raw, (path, payload)))
    assert_no_error_span(jaeger, codes)


def test_malformed_and_non_utf8_bodies_on_every_json_route(customer, jaeger):
    codes = []
    for path in SHOP_JSON_ROUTES:
        for raw_body in SHOP_RAW_BODIES:
            status, headers, raw = send(customer, "POST", path, raw_body)
            codes.append(assert_client_error(status, headers, raw, (path, raw_body[:20])))
    assert_no_error_span(jaeger, codes[:8])


def test_huge_bodies_are_refused(customer):
    for path in SHOP_JSON_ROUTES + ["/models"]:
        status, headers, raw = send(customer, "POST", path, b"x" * (21 << 20))
        assert status == 413, (path, status)


def test_bad_model_uploads(customer, jaeger):
    codes = []
    for upload in [b"", b"solid x\nendsolid x\n", b"\xff" * 84, cube_stl()[:-10], b"not an stl at all" * 10]:
        status, headers, raw = send(customer, "POST", "/models", upload, "model/stl")
        codes.append(assert_client_error(status, headers, raw, upload[:20]))
        assert status == 400
    assert_no_error_span(jaeger, codes)


def test_bad_ids_on_every_route_with_an_id(customer, jaeger):
    codes = []
    for route in SHOP_ID_ROUTES:
        for bad in SHOP_BAD_IDS:
            status, headers, raw = send(customer, "GET", route.replace("{id}", bad), b"")
            codes.append(assert_client_error(status, headers, raw, (route, bad)))
    assert_no_error_span(jaeger, codes[:6])


def test_the_api_still_serves_after_all_that(customer):
    assert customer.call("GET", "/materials").status == 200
    assert customer.call("GET", "/orders").status == 200


# CRM API: the same rules, with a manager's token.
CRM_JSON_CASES = [
    ("/orders/{id}/notes", {"text": 5}),
    ("/orders/{id}/notes", {"text": ""}),
    ("/orders/{id}/notes", {"text": "x" * 3000}),
    ("/orders/{id}/notes", {}),
    ("/orders/{id}/reject", {"reason": ["no"]}),
    ("/orders/{id}/reject", {"reason": None}),
]
CRM_ID_ROUTES = [("GET", "/orders/{id}"), ("GET", "/orders/{id}/model"), ("POST", "/orders/{id}/approve"), ("POST", "/orders/{id}/reject"),
                 ("POST", "/orders/{id}/notes")]


@pytest.fixture(scope="module")
def crm_manager(landscape):
    from support.employees import CrmManager
    return CrmManager(landscape)


@pytest.fixture(scope="module")
def some_order(customer):
    model = customer.upload()
    assert model.status == 201, model
    order = customer.order(model.body["id"])
    assert order.status == 201, order
    return order.body["id"]


def crm_send(manager, method: str, path: str, body: bytes):
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {manager.token}"}
    return http(method, manager.base + path, body, headers, timeout=30)


def test_crm_wrong_types_missing_fields_and_malformed_bodies(crm_manager, some_order, jaeger):
    codes = []
    for path, payload in CRM_JSON_CASES:
        status, headers, raw = crm_send(crm_manager, "POST", path.replace("{id}", str(some_order)),
                                        json.dumps(payload).encode())
        assert status == 400, (path, payload, status, raw[:200])
        codes.append(assert_client_error(status, headers, raw, (path, payload)))
    for path in ("/orders/{id}/notes", "/orders/{id}/reject"):
        for raw_body in SHOP_RAW_BODIES:
            status, headers, raw = crm_send(crm_manager, "POST", path.replace("{id}", str(some_order)), raw_body)
            codes.append(assert_client_error(status, headers, raw, (path, raw_body[:20])))
        status, _, _ = crm_send(crm_manager, "POST", path.replace("{id}", str(some_order)), b"x" * (2 << 20))
        assert status == 413
    assert_no_error_span(jaeger, codes[:10])
    assert crm_manager.order(some_order)["status"] == "NEW"  # nothing changed


def test_crm_bad_ids_on_every_route_with_an_id(crm_manager, jaeger):
    codes = []
    for method, route in CRM_ID_ROUTES:
        for bad in SHOP_BAD_IDS:
            status, headers, raw = crm_send(crm_manager, method, route.replace("{id}", bad), b'{"text": "x"}')
            codes.append(assert_client_error(status, headers, raw, (route, bad)))
    assert_no_error_span(jaeger, codes[:6])


# MES API: the same rules, with a production operator's token.
MES_JSON_CASES = [
    ("/jobs/{id}/status", {"status": 5}),
    ("/jobs/{id}/status", {"status": "printing"}),
    ("/jobs/{id}/status", {"status": "DONE", "reason": ["x"]}),
    ("/jobs/{id}/status", {"status": "FAILED", "reason": "x" * 600}),
    ("/jobs/{id}/status", {}),
    ("/jobs/{id}/schedule", {"printer_id": 3}),
    ("/jobs/{id}/schedule", {"printer_id": "FDM 1; DROP"}),
    ("/jobs/{id}/schedule", {"printer_id": ""}),
    ("/jobs/{id}/schedule", {}),
]
MES_ID_ROUTES = [("GET", "/jobs/{id}"), ("GET", "/jobs/{id}/model"), ("GET", "/jobs/{id}/sheet"),
                 ("POST", "/jobs/{id}/schedule"), ("POST", "/jobs/{id}/status")]
MES_BAD_QUERIES = ["status=printing", "status=", "limit=0", "limit=201", "limit=x", "offset=-1", "order_id=abc",
                   "order_id=0", "printer_id=../x", "printer_id=" + "a" * 50]


def test_mes_wrong_types_missing_fields_and_malformed_bodies(operator, queued_job, jaeger):
    job = queued_job["id"]
    codes = []
    for path, payload in MES_JSON_CASES:
        status, headers, raw = crm_send(operator, "POST", path.replace("{id}", str(job)), json.dumps(payload).encode())
        assert status == 400, (path, payload, status, raw[:200])
        codes.append(assert_client_error(status, headers, raw, (path, payload)))
    for path in ("/jobs/{id}/status", "/jobs/{id}/schedule"):
        for raw_body in SHOP_RAW_BODIES:
            status, headers, raw = crm_send(operator, "POST", path.replace("{id}", str(job)), raw_body)
            codes.append(assert_client_error(status, headers, raw, (path, raw_body[:20])))
        status, _, _ = crm_send(operator, "POST", path.replace("{id}", str(job)), b"x" * (2 << 20))
        assert status == 413
    for query in MES_BAD_QUERIES:
        status, headers, raw = crm_send(operator, "GET", f"/jobs?{query}", b"")
        assert status == 400, (query, status, raw[:200])
        codes.append(assert_client_error(status, headers, raw, query))
    status, headers, raw = crm_send(operator, "PUT", "/printers/fdm-1/state", b'{"state": "BROKEN"}')
    assert status == 400, raw
    codes.append(assert_client_error(status, headers, raw, "printer state"))
    assert_no_error_span(jaeger, codes[:10] + codes[-4:])
    after = operator.job(job)
    assert after["status"] == "QUEUED" and after["printer_id"] is None  # nothing changed


def test_mes_bad_ids_on_every_route_with_an_id(operator, jaeger):
    codes = []
    for method, route in MES_ID_ROUTES:
        for bad in SHOP_BAD_IDS:
            status, headers, raw = crm_send(operator, method, route.replace("{id}", bad), b'{"status": "DONE"}')
            codes.append(assert_client_error(status, headers, raw, (route, bad)))
    for printer in ("nope", "FDM-1", "a" * 60):
        status, headers, raw = crm_send(operator, "PUT", f"/printers/{printer}/state", b'{"state": "IDLE"}')
        assert status == 404, (printer, status)
        codes.append(assert_client_error(status, headers, raw, printer))
    assert_no_error_span(jaeger, codes[:6] + codes[-3:])
