"""SQL, S3 and Kafka round trips, each through its toxiproxy proxy: they work while the
proxy is enabled and fail while it is disabled, which proves the traffic passes through it."""

import hashlib
import os
import subprocess
import uuid

import pytest

from support import kafka
from support.landscape import http


def sql(landscape, statement: str) -> subprocess.CompletedProcess[str]:
    dsn = (f"host=127.0.0.1 port={landscape.port('POSTGRES_PROXY')} dbname=shopdb "
           f"user={landscape.secret('SHOPDB_USER')} connect_timeout=3")
    return subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", dsn, "-c", statement],
                          env={**os.environ, "PGPASSWORD": landscape.secret("SHOPDB_PASSWORD")},
                          capture_output=True, text=True, timeout=30, check=False)


def test_sql_round_trip_through_proxy(landscape, toxiproxy):
    marker = uuid.uuid4().hex
    result = sql(landscape, "CREATE TABLE IF NOT EXISTS smoke (marker text primary key);"
                            f"INSERT INTO smoke VALUES ('{marker}');"
                            f"SELECT marker FROM smoke WHERE marker = '{marker}';")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == marker

    with toxiproxy.disabled("postgres"):
        down = sql(landscape, "SELECT 1")
    assert down.returncode != 0
    assert "connection" in down.stderr.lower() or "refused" in down.stderr.lower()

    assert sql(landscape, "SELECT 1").stdout.strip() == "1"


def test_each_database_only_admits_its_own_role(landscape):
    dsn = (f"host=127.0.0.1 port={landscape.port('POSTGRES_PROXY')} dbname=mesdb "
           f"user={landscape.secret('SHOPDB_USER')} connect_timeout=3")
    result = subprocess.run(["psql", "-X", "-At", dsn, "-c", "SELECT 1"],
                            env={**os.environ, "PGPASSWORD": landscape.secret("SHOPDB_PASSWORD")},
                            capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode != 0
    assert "permission denied for database" in result.stderr


def s3(landscape, method: str, key: str, data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    url = landscape.url("MINIO_PROXY", f"/{landscape.secret('MODELS_BUCKET')}/{key}")
    args = ["-sS", "-m", "5", "-X", method, "-w", "\n%{http_code}", url]
    if data is not None:
        # curl 7.88 signs a body sent with --data-binary wrongly unless it is told the
        # payload's hash, which S3 then verifies.
        args += ["-H", f"x-amz-content-sha256: {hashlib.sha256(data).hexdigest()}", "--data-binary", "@-"]
    return landscape.s3_curl(*args, data=data)


def test_s3_round_trip_through_proxy(landscape, toxiproxy):
    key = f"smoke/{uuid.uuid4().hex}.stl"
    payload = b"solid smoke\nendsolid smoke\n"
    put = s3(landscape, "PUT", key, payload)
    assert put.returncode == 0 and put.stdout.endswith(b"200"), put
    get = s3(landscape, "GET", key)
    assert get.returncode == 0 and get.stdout == payload + b"\n200"

    with toxiproxy.disabled("minio"):
        down = s3(landscape, "GET", key)
    assert down.returncode != 0  # curl: connection refused

    assert s3(landscape, "DELETE", key).stdout.endswith(b"204")
    missing = s3(landscape, "GET", key)
    assert missing.stdout.endswith(b"404") and b"NoSuchKey" in missing.stdout


def test_minio_rejects_unsigned_requests(landscape):
    status, _, body = http("GET", landscape.url("MINIO_PROXY", f"/{landscape.secret('MODELS_BUCKET')}/"))
    assert status == 403 and b"AccessDenied" in body


def test_kafka_round_trip_through_proxy(landscape, toxiproxy):
    # libtest.events: a topic of the tests' own, which no service consumes.
    value = f"smoke-{uuid.uuid4().hex}"
    kafka.produce(landscape, "libtest.events", "smoke", value, {})
    assert value in [record.value for record in kafka.consume(landscape, "libtest.events")]

    with toxiproxy.disabled("kafka"):
        down = kafka.deliver(landscape, "libtest.events", "smoke", value + "-down", timeout_ms=3000)
    assert down is not None


@pytest.mark.parametrize("topic", ["orders.approved", "orders.approved.dlq", "jobs.status", "jobs.status.dlq"])
def test_kafka_topics_exist_and_unknown_ones_are_not_created(landscape, topic):
    listed = kafka.topics(landscape)
    assert topic in listed
    assert "no.such.topic" not in listed
