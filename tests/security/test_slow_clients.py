"""Clients that open connections and never finish their request (slowloris: a header line
every second, forever) at each application's public door. nginx holds them; the API behind
it only sees whole requests, so its workers stay free and real users are answered at once.

The APIs' own ports are for the machine's tools only: cpp-httplib times each read, not a
whole request, so a client dripping header lines holds one of an API's 16 workers for as
long as it keeps dripping (docs/security.md, "Slow clients")."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from support.landscape import http, tls_context

# Four times an API's worker threads (libs/http ServerOptions::worker_threads).
SLOW_CLIENTS = 64
PROBES = 5

# A door, a request through it that reaches the API, and the answer the API gives.
DOORS = [
    ("INTERNET_SHOP_WEB", "/api/materials", 200),
    ("CRM_WEB", "/api/orders", 401),
    ("MES_WEB", "/api/jobs", 401),
]


class SlowClients:
    """SLOW_CLIENTS connections that each send a request line and then one header line a
    second, never the blank line that ends a request."""

    def __init__(self, landscape, port_name: str):
        self._sockets = []
        context = tls_context() if landscape.tls else None
        for _ in range(SLOW_CLIENTS):
            raw = socket.create_connection(("127.0.0.1", landscape.port(port_name)), timeout=5)
            sock = context.wrap_socket(raw, server_hostname="127.0.0.1") if context else raw
            sock.sendall(b"GET /api/materials HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            self._sockets.append(sock)
        self._stop = threading.Event()
        self.still_open = SLOW_CLIENTS
        self._dripper = threading.Thread(target=self._drip, daemon=True)
        self._dripper.start()

    def _drip(self) -> None:
        line = 0
        while not self._stop.wait(1.0):
            line += 1
            open_now = 0
            for sock in self._sockets:
                try:
                    sock.sendall(f"X-Slow-{line}: x\r\n".encode())
                    open_now += 1
                except OSError:
                    pass
            self.still_open = open_now

    def close(self) -> None:
        self._stop.set()
        self._dripper.join(timeout=5)
        for sock in self._sockets:
            sock.close()


@pytest.mark.parametrize("port_name, path, expected", DOORS, ids=[door[0] for door in DOORS])
def test_slow_clients_at_the_door_do_not_hold_the_api(landscape, port_name, path, expected):
    slow = SlowClients(landscape, port_name)
    try:
        time.sleep(2)  # every slow client has sent header lines since its request line
        for probe in range(PROBES):
            started = time.monotonic()
            status, headers, _ = http("GET", landscape.url(port_name, path), timeout=10)
            took = time.monotonic() - started
            assert status == expected, f"probe {probe} through {port_name}: {status}"
            assert headers.get("X-Support-Code"), "the answer comes from the API (it carries a support code)"
            assert took < 1.0, f"probe {probe} through {port_name} took {took:.2f} s beside {SLOW_CLIENTS} slow clients"
            time.sleep(0.5)
        assert slow.still_open == SLOW_CLIENTS, "nginx kept every slow client's connection while they dripped"
    finally:
        slow.close()
