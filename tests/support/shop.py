"""A customer of Shop API, as the scenario tests and the traffic generator use it."""

from __future__ import annotations

from dataclasses import dataclass
import json
import struct
import time
import urllib.parse
import uuid

from .evidence import UserOutcome, outcome_of
from .landscape import http


def cube_stl(side: float = 10.0) -> bytes:
    """A closed cube as binary STL (12 triangles)."""
    s = side
    p = [(0, 0, 0), (s, 0, 0), (s, s, 0), (0, s, 0), (0, 0, s), (s, 0, s), (s, s, s), (0, s, s)]
    faces = [(0, 2, 1), (0, 3, 2), (4, 5, 6), (4, 6, 7), (0, 1, 5), (0, 5, 4),
             (1, 2, 6), (1, 6, 5), (2, 3, 7), (2, 7, 6), (3, 0, 4), (3, 4, 7)]
    data = b" " * 80 + struct.pack("<I", len(faces))
    for face in faces:
        data += struct.pack("<3f", 0, 0, 0)
        for index in face:
            data += struct.pack("<3f", *p[index])
        data += b"\0\0"
    return data


# Every e-mail, password and token the tests used: none may be stored in any trace.
USED_SECRETS: list[str] = []


class ShopCustomer:
    def __init__(self, base: str):
        self.base = base
        self.email = f"customer-{uuid.uuid4().hex[:12]}@example.com"
        self.password = f"pw-{uuid.uuid4().hex}"
        self.token = ""
        self.customer_id = 0
        USED_SECRETS.extend([self.email, self.password])

    def call(self, method: str, path: str, body: bytes | dict | None = None, headers: dict | None = None,
             timeout: float = 30) -> UserOutcome:
        sent = dict(headers or {})
        if isinstance(body, dict):
            body = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        started = time.monotonic()
        status, answer_headers, raw = http(method, self.base + path, body, sent, timeout)
        return outcome_of(status, answer_headers, raw, time.monotonic() - started)

    def sign_up(self) -> "ShopCustomer":
        outcome = self.call("POST", "/customers", {"email": self.email, "password": self.password, "name": "Test"})
        assert outcome.status == 201, outcome
        self.token, self.customer_id = outcome.body["token"], outcome.body["customer_id"]
        USED_SECRETS.append(self.token)
        return self

    def upload(self, stl: bytes | None = None) -> UserOutcome:
        return self.call("POST", "/models", stl or cube_stl(), {"X-Filename": "cube.stl",
                                                                 "Content-Type": "model/stl"})

    def model_key(self, model_id: int) -> str:
        outcome = self.call("GET", f"/models/{model_id}")
        assert outcome.status == 200, outcome
        path = urllib.parse.urlparse(outcome.body["download_url"]).path
        return path.split("/", 2)[2]  # after "/<bucket>/"

    def order(self, model_id: int, material: str = "pla-white", quantity: int = 1) -> UserOutcome:
        return self.call("POST", "/orders", {"model_id": model_id, "material_id": material, "quantity": quantity})


@dataclass
class PlacedOrder:
    order_id: int
    customer: ShopCustomer


def place_order(landscape) -> PlacedOrder:
    customer = ShopCustomer(landscape.url("SHOP_API")).sign_up()
    model = customer.upload()
    assert model.status == 201, model
    order = customer.order(model.body["id"])
    assert order.status == 201, order
    return PlacedOrder(order.body["id"], customer)
