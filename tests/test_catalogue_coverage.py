"""docs/catalogue-coverage.md stays true to the shared catalogue: every scenario ID of
../shared/CATALOGUE.md (or FABTRACE_CATALOGUE) appears once, with a test that exists and
carries the scenario's marker. Without the catalogue the check fails: it never passes by
skipping."""

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCENARIO_ID = r"[A-Z]+(?:-[A-Z0-9]+)+"


def catalogue_path() -> Path:
    return Path(os.environ.get("FABTRACE_CATALOGUE", ROOT.parent / "shared" / "CATALOGUE.md"))


@pytest.fixture(scope="module")
def catalogue_ids() -> list[str]:
    """The IDs of the catalogue's table of scenario IDs (| system | ID, ID, ... |)."""
    path = catalogue_path()
    assert path.is_file(), (f"the shared catalogue {path} is missing: the coverage cannot be checked "
                            "(set FABTRACE_CATALOGUE to its path)")
    text = path.read_text()
    table = text.split("## Scenario IDs", 1)[1].split("\n## ", 1)[0]
    ids = []
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 2:
            ids += re.findall(rf"\b{SCENARIO_ID}\b", cells[1])
    return ids


def coverage_rows() -> list[tuple[str, str, str]]:
    rows = []
    for line in (ROOT / "docs/catalogue-coverage.md").read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and re.fullmatch(SCENARIO_ID, cells[0]):
            rows.append((cells[0], cells[1].strip("`"), cells[2]))
    return rows


def test_the_shared_catalogue_lists_39_scenarios(catalogue_ids):
    assert len(catalogue_ids) == len(set(catalogue_ids)) == 39, catalogue_ids


def test_every_scenario_appears_exactly_once_and_is_covered(catalogue_ids):
    rows = coverage_rows()
    assert sorted(row[0] for row in rows) == sorted(catalogue_ids)
    uncovered = [scenario for scenario, test, _ in rows if not test]
    assert not uncovered, f"scenarios without a test: {uncovered}"


def test_every_named_test_exists_and_is_marked_with_its_scenario():
    for scenario, tests, _ in coverage_rows():
        for test in re.split(r"`?,\s*`?", tests):
            path, _, name = test.partition("::")
            source = (ROOT / path).read_text()
            match = re.search(rf"((?:@pytest\.mark\.[^\n]*\n)*)def {re.escape(name)}\(", source)
            assert match, f"{scenario}: {test} not found"
            assert f'scenario("{scenario}")' in match.group(1), f"{scenario}: {test} lacks its marker"
