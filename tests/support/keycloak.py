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


class KeycloakAdmin:
    def __init__(self, landscape):
        self.base = landscape.url("KEYCLOAK", "/admin/realms/fabtrace")
        form = {"grant_type": "password", "client_id": "admin-cli", "username": landscape.secret("KEYCLOAK_ADMIN"),
                "password": landscape.secret("KEYCLOAK_ADMIN_PASSWORD")}
        status, _, body = http("POST", landscape.url("KEYCLOAK", "/realms/master/protocol/openid-connect/token"),
                               urllib.parse.urlencode(form).encode(),
                               {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 200, body
        self.headers = {"Authorization": f"Bearer {json.loads(body)['access_token']}",
                        "Content-Type": "application/json"}

    def get(self, path: str):
        status, _, body = http("GET", self.base + path, headers=self.headers)
        assert status == 200, body
        return json.loads(body)

    def call(self, method: str, path: str, payload=None) -> None:
        status, _, body = http(method, self.base + path, json.dumps(payload).encode() if payload is not None else None,
                               self.headers)
        assert status in (200, 204), body

    def user_id(self, username: str) -> str:
        return self.get(f"/users?username={username}&exact=true")[0]["id"]

    def group_id(self, name: str) -> str:
        return next(g["id"] for g in self.get("/groups") if g["name"] == name)

    def short_lived_token(self, client_id: str, issue) -> str:
        """A token that `issue()` gets while the client's tokens live only 2 seconds."""
        client = self.get(f"/clients?clientId={client_id}")[0]
        attributes = dict(client.get("attributes", {}))
        self.call("PUT", f"/clients/{client['id']}",
                  {**client, "attributes": {**attributes, "access.token.lifespan": "2"}})
        try:
            return issue()
        finally:
            # Keycloak keeps an attribute that a PUT leaves out: restore it explicitly, to
            # the realm's own lifespan when the client had none.
            realm_lifespan = str(self.get("")["accessTokenLifespan"])
            restored = {**attributes, "access.token.lifespan": attributes.get("access.token.lifespan", realm_lifespan)}
            self.call("PUT", f"/clients/{client['id']}", {**client, "attributes": restored})
            assert self.get(f"/clients/{client['id']}")["attributes"]["access.token.lifespan"] == \
                restored["access.token.lifespan"]
