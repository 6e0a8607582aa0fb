"""Fixtures of the end-to-end tests; they run against the instance ./fabtrace test starts."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from support.jaeger import Jaeger  # noqa: E402
from support.landscape import Landscape, current  # noqa: E402
from support.shop import PlacedOrder, place_order  # noqa: E402
from support.toxiproxy import Toxiproxy  # noqa: E402


@pytest.fixture(scope="session")
def landscape() -> Landscape:
    return current()


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


def pytest_collection_modifyitems(items):
    """The check that no stored trace holds a secret runs after every test that makes traces."""
    items.sort(key=lambda item: item.path.name == "test_zz_clean_traces.py")
