"""Real fault injection for scenario tests. FABTRACE_SCENARIO_DRY_RUN=1 skips every
injection (the tests must then fail: that shows they cannot pass without the fault)."""

from __future__ import annotations

import contextlib
import os
import subprocess

from .kafka import alter_topic
from .landscape import Landscape, http_json
from .toxiproxy import Toxiproxy

DRY_RUN = os.environ.get("FABTRACE_SCENARIO_DRY_RUN") == "1"


@contextlib.contextmanager
def _unless_dry_run(fault):
    """Enters the fault's context manager, or nothing in a dry run."""
    if DRY_RUN:
        yield
        return
    with fault:
        yield


def hang(toxiproxy: Toxiproxy, proxy: str):
    return _unless_dry_run(toxiproxy.hanging(proxy))


def down(toxiproxy: Toxiproxy, proxy: str):
    return _unless_dry_run(toxiproxy.disabled(proxy))


def slow(toxiproxy: Toxiproxy, proxy: str, latency_ms: int):
    return _unless_dry_run(toxiproxy.delayed(proxy, latency_ms))


@contextlib.contextmanager
def process_stopped(landscape: Landscape, program: str):
    """DOWN for a service: its process is stopped, nothing listens."""
    if not DRY_RUN:
        assert f"{program}: stopped" in landscape.supervisorctl("stop", program)
    try:
        yield
    finally:
        if not DRY_RUN:
            landscape.supervisorctl("start", program)


@contextlib.contextmanager
def web_fault(landscape: Landscape, app: str, name: str):
    """Switches a browser application's fault flag in the config.js it reads at every load."""
    config = landscape.state / "web" / app / "config.js"
    original = config.read_text()
    if not DRY_RUN:
        config.write_text(original.replace("faults: {}", f'faults: {{"{name}": true}}'))
    try:
        yield
    finally:
        config.write_text(original)


def superuser_sql(landscape: Landscape, database: str, statement: str) -> None:
    """Runs SQL as PostgreSQL's superuser over the server's own socket (not the proxy)."""
    command = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(landscape.state / "postgres/socket"),
               "-p", str(landscape.port("POSTGRES")), "-U", "postgres", "-d", database, "-c", statement]
    if os.getuid() == 0:
        command = ["runuser", "-u", "postgres", "--"] + command
    subprocess.run(command, check=True, capture_output=True, text=True, timeout=30)


@contextlib.contextmanager
def sql_revoked(landscape: Landscape, database: str, revoke: str, grant: str):
    if not DRY_RUN:
        superuser_sql(landscape, database, revoke)
    try:
        yield
    finally:
        if not DRY_RUN:
            superuser_sql(landscape, database, grant)


@contextlib.contextmanager
def fault_flag(admin_base: str, name: str):
    """Switches a service's fault flag on its admin listener (loopback, not public)."""
    if not DRY_RUN:
        status, body = http_json("PUT", f"{admin_base}/faults/{name}", {"enabled": True})
        assert status == 200, body
    try:
        yield
    finally:
        http_json("PUT", f"{admin_base}/faults/{name}", {"enabled": False})


@contextlib.contextmanager
def kafka_topic_config(landscape: Landscape, topic: str, setting: str):
    """Changes a topic's configuration on the broker for a while (e.g. max.message.bytes)."""
    name, _, value = setting.partition("=")
    if not DRY_RUN:
        alter_topic(landscape, topic, name, value)
    try:
        yield
    finally:
        if not DRY_RUN:
            alter_topic(landscape, topic, name, None)


def s3_delete_behind_the_api(landscape: Landscape, key: str) -> None:
    """Removes an object directly in MinIO, as an operator's mistake would."""
    if DRY_RUN:
        return
    url = landscape.url("MINIO", f"/{landscape.secret('MODELS_BUCKET')}/{key}")
    deleted = landscape.s3_curl("-fsS", "-X", "DELETE", url, "-H",
                                "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    assert deleted.returncode == 0, deleted.stderr


def poison(poisoned: str, healthy: str) -> str:
    """ERROR for a consumer: the message a poison test sends, or a healthy one in a dry run."""
    return healthy if DRY_RUN else poisoned
