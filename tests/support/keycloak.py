"""Tokens of the landscape's Keycloak realm `fabtrace`, as scripts get them."""

from __future__ import annotations

import json
import urllib.parse

from .landscape import Landscape, http


def token(landscape: Landscape, user: str, password: str, client: str = "jaeger-gate") -> str:
    """An access token of `user` issued to `client` (password grant)."""
    form = {"grant_type": "password", "client_id": client, "username": user, "password": password}
    if client == "jaeger-gate":
        form["client_secret"] = landscape.secret("GATE_CLIENT_SECRET")
    status, _, body = http("POST", landscape.url("KEYCLOAK", "/realms/fabtrace/protocol/openid-connect/token"),
                           urllib.parse.urlencode(form).encode(), {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200, body
    return json.loads(body)["access_token"]
