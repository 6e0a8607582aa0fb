#!/usr/bin/env python3
"""Prepares what bench/shop_routes.sh requests: a new customer of the Shop API at BASE with
one uploaded model (a 10 mm cube) and ORDERS orders of it, and wrk scripts for the routes.

    bench/shop_fixture.py BASE ORDERS DIR     (writes DIR/orders.lua and DIR/quotes.lua)
"""

import json
import struct
import sys
import urllib.request
import uuid


def call(base, method, path, body=None, token="", headers=None):
    sent = dict(headers or {})
    if isinstance(body, dict):
        body = json.dumps(body).encode()
        sent["Content-Type"] = "application/json"
    if token:
        sent["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(base + path, data=body, headers=sent, method=method)
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


def cube_stl(side=10.0):
    p = [(0, 0, 0), (side, 0, 0), (side, side, 0), (0, side, 0),
         (0, 0, side), (side, 0, side), (side, side, side), (0, side, side)]
    faces = [(0, 2, 1), (0, 3, 2), (4, 5, 6), (4, 6, 7), (0, 1, 5), (0, 5, 4),
             (1, 2, 6), (1, 6, 5), (2, 3, 7), (2, 7, 6), (3, 0, 4), (3, 4, 7)]
    data = b" " * 80 + struct.pack("<I", len(faces))
    for face in faces:
        data += struct.pack("<3f", 0, 0, 0) + b"".join(struct.pack("<3f", *p[i]) for i in face) + b"\0\0"
    return data


def lua(method, token, body=None):
    lines = [f'wrk.method = "{method}"', f'wrk.headers["Authorization"] = "Bearer {token}"']
    if body is not None:
        lines += ['wrk.headers["Content-Type"] = "application/json"', f"wrk.body = {json.dumps(json.dumps(body))}"]
    return "\n".join(lines) + "\n"


def main():
    base, orders, directory = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    customer = call(base, "POST", "/customers", {"email": f"bench-{uuid.uuid4().hex[:12]}@example.com",
                                                  "password": f"pw-{uuid.uuid4().hex}", "name": "Bench"})
    token = customer["token"]
    model = call(base, "POST", "/models", cube_stl(), token, {"X-Filename": "cube.stl", "Content-Type": "model/stl"})
    order = {"model_id": model["id"], "material_id": "pla-white", "quantity": 1}
    for _ in range(orders):
        call(base, "POST", "/orders", order, token)
    assert len(call(base, "GET", "/orders", token=token)["orders"]) == orders
    with open(f"{directory}/orders.lua", "w") as script:
        script.write(lua("GET", token))
    with open(f"{directory}/quotes.lua", "w") as script:
        script.write(lua("POST", token, order))


if __name__ == "__main__":
    main()
