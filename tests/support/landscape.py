"""The landscape under test, as described by the FT_* environment of ./fabtrace test."""

from __future__ import annotations

import base64
import functools
import json
import os
import ssl
import subprocess
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set: run the tests through ./fabtrace test")
    return value


# What FABTRACE_TLS=1 puts behind TLS (scripts/tls.sh); the rest stays plain on loopback.
TLS_PORTS = frozenset({"KEYCLOAK", "KEYCLOAK_MANAGEMENT", "JAEGER_GATE", "INTERNET_SHOP_WEB", "CRM_WEB", "MES_WEB",
                       "COLLECTOR_OTLP_HTTP", "COLLECTOR_OTLP_GRPC", "COLLECTOR_OTLP_PUBLIC"})


def _json_or_text(body: bytes):
    """An answer's JSON, or its text (errors of some servers are plain text)."""
    try:
        return json.loads(body or b"{}")
    except ValueError:
        return {"text": body.decode(errors="replace")}


@dataclass(frozen=True)
class Landscape:
    root: Path
    state: Path
    build_dir: Path
    kafka_libs: Path

    def port(self, name: str) -> int:
        return int(_env(f"FT_PORT_{name}"))

    def env(self, name: str) -> str:
        """A setting ./fabtrace test exported (FT_*), e.g. FT_GATEWAYS or FT_BIN_TELEMETRYGEN."""
        return _env(name)

    @property
    def tls(self) -> bool:
        """FABTRACE_TLS=1: the doors of TLS_PORTS speak HTTPS with the CA in FT_TLS_CA."""
        return os.environ.get("FT_TLS") == "1"

    def url(self, port_name: str, path: str = "") -> str:
        scheme = "https" if self.tls and port_name in TLS_PORTS else "http"
        return f"{scheme}://127.0.0.1:{self.port(port_name)}{path}"

    def generated_secrets(self) -> dict[str, str]:
        """The secrets ./fabtrace generated for this state directory (secrets/landscape.env)."""
        return dict(_secrets_of(self.state))

    def secret(self, name: str) -> str:
        """A generated secret of this install, or a documented setting (account names, the
        example people's passwords) from the environment of ./fabtrace test."""
        return self.generated_secrets().get(name) or _env(f"FT_{name}")

    def otlp_headers(self) -> dict[str, str]:
        """What a service sends the Collector's internal door: this install's bearer token."""
        return {"Authorization": f"Bearer {self.secret('OTLP_TOKEN')}"}

    def otlp_env(self) -> dict[str, str]:
        """The environment of a program exporting to the internal door (OTLP's standard form;
        lower-case key, as gRPC metadata requires)."""
        return {**os.environ, "OTEL_EXPORTER_OTLP_HEADERS": f"authorization=Bearer%20{self.secret('OTLP_TOKEN')}"}

    def s3_curl(self, *args: str, data: bytes | None = None, timeout: float = 30) -> subprocess.CompletedProcess[bytes]:
        """curl with MinIO's credentials signing the request (SigV4); the credentials go
        in a config file of curl's (owner only), never on its command line."""
        with tempfile.NamedTemporaryFile("w", suffix=".curlrc") as config:
            config.write(f'user = "{self.secret("MINIO_USER")}:{self.secret("MINIO_PASSWORD")}"\n')
            config.flush()
            return subprocess.run(["curl", "-K", config.name, "--aws-sigv4", "aws:amz:us-east-1:s3", *args],
                                  input=data, capture_output=True, timeout=timeout, check=False)

    def opensearch(self, method: str, path: str, body: dict | None = None, timeout: float = 10) -> tuple[int, dict]:
        """A request to OpenSearch (FABTRACE_STORAGE=opensearch) as Jaeger makes it: HTTPS
        checked against the landscape's CA, user jaeger with the generated password."""
        password = Path(self.env("FT_OPENSEARCH_PASSWORD_FILE")).read_text().strip()
        request = urllib.request.Request(
            self.env("FT_OPENSEARCH_URL") + path, method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": "Basic " + base64.b64encode(f"jaeger:{password}".encode()).decode(),
                     "Content-Type": "application/json"})
        context = ssl.create_default_context(cafile=self.env("FT_OPENSEARCH_CA"))
        try:
            with urllib.request.urlopen(request, timeout=timeout, context=context) as answer:
                return answer.status, _json_or_text(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, _json_or_text(error.read())

    def opensearch_ready(self) -> bool:
        try:
            status, health = self.opensearch("GET", "/_cluster/health")
        except OSError:
            return False
        return status == 200 and health.get("status") in ("green", "yellow")

    def supervisorctl(self, *args: str) -> str:
        result = subprocess.run(
            ["supervisorctl", "-c", str(self.state / "supervisord.conf"), *args],
            capture_output=True, text=True, timeout=60, check=False)
        return result.stdout


@functools.cache
def _secrets_of(state: Path) -> tuple[tuple[str, str], ...]:
    """Read once per run: the file does not change while the landscape runs."""
    pairs = (line.split("=", 1) for line in (state / "secrets" / "landscape.env").read_text().splitlines()
             if "=" in line)
    return tuple((key.removeprefix("FT_"), value) for key, value in pairs)


def current() -> Landscape:
    return Landscape(root=Path(_env("FT_ROOT")), state=Path(_env("FT_STATE")),
                     build_dir=Path(_env("FT_BUILD_DIR")), kafka_libs=Path(_env("FT_KAFKA_LIBS")))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def tls_context() -> ssl.SSLContext | None:
    """Trusts the landscape's CA (TLS mode) besides the system's."""
    ca = os.environ.get("FT_TLS_CA")
    return ssl.create_default_context(cafile=ca) if ca else None


_OPENER = urllib.request.build_opener(_NoRedirect, urllib.request.HTTPSHandler(context=tls_context()))


def http(method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None,
         timeout: float = 10) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request (redirects are returned, not followed); returns (status, headers,
    body) for any status, raises when no answer comes."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def http_json(method: str, url: str, payload: object | None = None, timeout: float = 10):
    body = None if payload is None else json.dumps(payload).encode()
    status, _, raw = http(method, url, body, {"Content-Type": "application/json"}, timeout)
    return status, (json.loads(raw) if raw else None)
