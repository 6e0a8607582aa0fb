"""docs/catalogue-coverage.md stays true: all 39 scenario IDs, each test it names exists
and carries the scenario's marker."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO_IDS = [
    "SHOP-FE-ERROR", "SHOP-API-DOWN", "SHOP-API-SLOW", "SHOP-API-ERROR",
    "SHOPAPI-INTERNAL", "SHOPAPI-SHOPDB-HANG", "SHOPAPI-SHOPDB-DOWN", "SHOPAPI-SHOPDB-ERROR",
    "SHOPAPI-S3-HANG", "SHOPAPI-S3-DOWN", "SHOPAPI-S3-ERROR",
    "CRM-FE-ERROR", "CRM-API-DOWN", "CRM-API-SLOW", "CRM-API-ERROR",
    "CRMAPI-INTERNAL", "CRMAPI-SHOPDB-HANG", "CRMAPI-SHOPDB-DOWN", "CRMAPI-SHOPDB-ERROR",
    "CRMAPI-S3-HANG", "CRMAPI-S3-DOWN", "CRMAPI-S3-ERROR",
    "CRMAPI-MQ-HANG", "CRMAPI-MQ-DOWN", "CRMAPI-MQ-ERROR",
    "MES-FE-ERROR", "MES-API-DOWN", "MES-API-SLOW", "MES-API-ERROR",
    "MESAPI-INTERNAL", "MESAPI-MESDB-HANG", "MESAPI-MESDB-DOWN", "MESAPI-MESDB-ERROR",
    "MESAPI-S3-HANG", "MESAPI-S3-DOWN", "MESAPI-S3-ERROR",
    "MESAPI-MQ-HANG", "MESAPI-MQ-DOWN", "MESAPI-MQ-ERROR",
]


def coverage_rows() -> list[tuple[str, str, str]]:
    rows = []
    for line in (ROOT / "docs/catalogue-coverage.md").read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and re.fullmatch(r"[A-Z]+(?:-[A-Z0-9]+)+", cells[0]):
            rows.append((cells[0], cells[1].strip("`"), cells[2]))
    return rows


def test_the_catalogue_has_39_ids_matching_the_shared_catalogue():
    assert len(SCENARIO_IDS) == len(set(SCENARIO_IDS)) == 39
    shared = ROOT.parent / "shared" / "CATALOGUE.md"
    if shared.exists():  # beside the repository on developer machines and in CI
        listed = set(re.findall(r"\b[A-Z]+(?:-[A-Z0-9]+)+\b", shared.read_text()))
        assert set(SCENARIO_IDS) <= listed


def test_every_scenario_appears_exactly_once():
    ids = [row[0] for row in coverage_rows()]
    assert sorted(ids) == sorted(SCENARIO_IDS)


def test_every_named_test_exists_and_is_marked_with_its_scenario():
    for scenario, test, status in coverage_rows():
        if not test:
            assert status == "not yet covered", scenario
            continue
        path, _, name = test.partition("::")
        source = (ROOT / path).read_text()
        assert re.search(rf"def {re.escape(name)}\(", source), f"{scenario}: {test} not found"
        assert f'scenario("{scenario}")' in source, f"{scenario}: {test} lacks its marker"
