"""Fixtures of the end-to-end tests; they run against the instance ./fabtrace test starts."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from support.browser import shared_browser  # noqa: E402
from support.employees import CrmManager, MesOperator  # noqa: E402
from support.jaeger import Jaeger  # noqa: E402
from support.landscape import Landscape, current  # noqa: E402
from support.shop import PlacedOrder, place_order  # noqa: E402
from support.toxiproxy import Toxiproxy  # noqa: E402


@pytest.fixture(scope="session")
def landscape() -> Landscape:
    return current()


def spki_sha256(certificate: str) -> str:
    """base64 SHA-256 of a certificate's public key: what Chromium's
    --ignore-certificate-errors-spki-list names."""
    key = subprocess.run(["openssl", "x509", "-in", certificate, "-noout", "-pubkey"], capture_output=True, check=True)
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "der"], input=key.stdout, capture_output=True,
                         check=True)
    digest = subprocess.run(["openssl", "dgst", "-sha256", "-binary"], input=der.stdout, capture_output=True, check=True)
    return subprocess.run(["base64", "-w0"], input=digest.stdout, capture_output=True, check=True).stdout.decode()


@pytest.fixture(scope="session", autouse=True)
def tls_trust_for_browsers(landscape):
    """In TLS mode the browser tests (Node and Chromium) trust the landscape's CA and server key."""
    if landscape.tls:
        os.environ["NODE_EXTRA_CA_CERTS"] = os.environ["FT_TLS_CA"]
        os.environ["FT_TLS_SPKI"] = spki_sha256(os.environ["FT_TLS_CERT"])


@pytest.fixture(scope="session", autouse=True)
def browser_for_journeys(tls_trust_for_browsers):
    """The journeys of the session share one Chromium (started once, with the TLS trust)."""
    with shared_browser():
        yield


@pytest.fixture(scope="session")
def jaeger(landscape) -> Jaeger:
    return Jaeger(landscape)


@pytest.fixture(scope="session")
def toxiproxy(landscape) -> Toxiproxy:
    return Toxiproxy(landscape)


@pytest.fixture
def placed(landscape) -> PlacedOrder:
    """A NEW order that a new customer of the shop just placed."""
    return place_order(landscape)


@pytest.fixture(scope="session")
def operator(landscape) -> MesOperator:
    """A production operator on MES API (Keycloak user otto.operator)."""
    return MesOperator(landscape)


def make_job(landscape, operator: MesOperator) -> dict:
    """A QUEUED production job: a new customer's order, approved in CRM, taken by MES API."""
    order = place_order(landscape)
    approved = CrmManager(landscape).approve(order.order_id)
    assert approved.status == 200, approved
    return operator.job_of_order(order.order_id)


@pytest.fixture
def queued_job(landscape, operator) -> dict:
    return make_job(landscape, operator)


@pytest.fixture
def job_factory(landscape, operator):
    """Makes more QUEUED jobs on demand."""
    return lambda: make_job(landscape, operator)


def pytest_collection_modifyitems(items):
    """The check that no stored trace holds a secret runs after every test that makes traces."""
    items.sort(key=lambda item: item.path.name == "test_zz_clean_traces.py")


# Numbers the loss and burst tests measured, printed at the end of the run whatever the
# outcome (the issue asks for them in ./fabtrace test's output).
MEASURED: list[str] = []


@pytest.fixture
def measured():
    return MEASURED.append


def pytest_terminal_summary(terminalreporter):
    if MEASURED:
        terminalreporter.section("measured by the reliability tests")
        for line in MEASURED:
            terminalreporter.write_line(line)
