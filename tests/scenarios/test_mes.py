"""MES lines of the design: errors in MES; MES API unavailable, slow, failing. A
production operator in headless Chromium signs in through Keycloak's real form and works
on a job made from a customer's approved order; the test injects the fault; the operator
acts; the evidence rules are proven on the trace in Jaeger; healed, the next action
succeeds. The last test runs a job to DONE in the browser and keeps the screenshot."""

import os
import shutil
from pathlib import Path

import pytest

from support import faults
from support.browser import MesJourney
from support.evidence import Evidence, UserOutcome, click_span, shown
from support.landscape import http_json

SERVICE = "mes"
OBJECTIVE_S = 1.0  # ACTION_OBJECTIVE_MS of the browser applications
DOCS = Path(__file__).resolve().parent.parent.parent / "docs"


def start(landscape, action, job=None, screenshot=None) -> MesJourney:
    journey = MesJourney(landscape, action, job, screenshot=screenshot)
    journey.wait_ready()
    return journey


@pytest.mark.scenario("MES-FE-ERROR")
def test_frontend_error(landscape, jaeger, queued_job):
    job_id = queued_job["id"]
    with faults.web_fault(landscape, "mes", "board_render_defect"):
        journey = start(landscape, "open", job_id)  # the page loads with the defect switched on
        outcome = shown(journey.act())
    evidence = Evidence(jaeger, outcome, SERVICE).findable(min_spans=2)
    culprit = evidence.culprit({"TypeError"})
    assert culprit.service == SERVICE and culprit.name == "click open job"
    evidence.exception_event(culprit, "TypeError")
    assert evidence.chain(culprit) is culprit  # the operator's click is the root
    assert culprit.process_tags.get("service.version")
    # The API answered well: the defect is the browser application's own.
    server = [s for s in evidence.spans if s.service == "mes-api" and s.tags.get("span.kind") == "server"]
    assert server and server[0].tags["http.response.status_code"] == 200
    assert server[0].tags["mes.job.id"] == job_id
    assert not start(landscape, "open", job_id).act()["errorShown"]


@pytest.mark.scenario("MES-API-DOWN")
def test_api_down(landscape, jaeger):
    journey = start(landscape, "refresh")
    with faults.process_stopped(landscape, "mes-api"):
        outcome = shown(journey.act())
    evidence = Evidence(jaeger, outcome, SERVICE).findable(min_spans=2)
    culprit = evidence.culprit({"502"}, **{"span.kind": "client"})
    assert culprit.service == SERVICE
    assert "/api/jobs" in culprit.tags["url.full"] or "/api/printers" in culprit.tags["url.full"]
    assert culprit.tags["http.response.status_code"] == 502
    assert evidence.chain(culprit).name == "click refresh board"
    assert not [s for s in evidence.spans if s.service == "mes-api"], "MES API was down: no span of it"
    status, _ = http_json("GET", landscape.url("MES_API", "/readyz"))
    assert status == 200
    assert not start(landscape, "refresh").act()["errorShown"]


@pytest.mark.scenario("MES-API-SLOW")
def test_api_slow(landscape, jaeger, toxiproxy):
    journey = start(landscape, "refresh")
    with faults.slow(toxiproxy, "mesdb", 1300):  # one statement, under its 2 s timeout
        result = journey.act()
    assert not result["errorShown"], result
    # The board also refreshes itself in the background: take the answer of the click.
    calls = [c for c in result["apiSupportCodes"] if c["path"] == "/api/jobs" and c["code"]]
    assert calls and all(c["status"] == 200 for c in calls), result
    evidence = None
    for candidate in calls:
        outcome = UserOutcome(200, candidate["code"], result["ms"] / 1000.0)
        evidence = Evidence(jaeger, outcome, SERVICE)
        evidence.spans = jaeger.trace(outcome.support_code, min_spans=3)
        evidence.by_id = {s.span_id: s for s in evidence.spans}
        if any(s.name == "click refresh board" for s in evidence.spans):
            break
    click = click_span(evidence, "refresh board")
    click_s = click.raw["duration"] / 1e6
    assert click_s > OBJECTIVE_S and click.tags.get("ui.slow") is True, f"click took {click_s:.2f}s"
    server = next(s for s in evidence.spans if s.service == "mes-api" and s.tags.get("span.kind") == "server")
    assert evidence.chain(server) is click
    db = [s for s in evidence.spans if s.tags.get("db.system.name") == "postgresql"]
    assert db and max(s.raw["duration"] for s in db) / 1e6 >= 1.2  # MES DB took the time
    assert all(s.tags.get("db.namespace") == "mesdb|public" for s in db)
    status, body = http_json("GET", f"{jaeger.base}/api/traces?service={SERVICE}&minDuration=1s&lookback=1h&limit=200")
    assert status == 200 and outcome.support_code in {t["traceID"] for t in body["data"]}
    assert not start(landscape, "refresh").act()["errorShown"]


@pytest.mark.scenario("MES-API-ERROR")
def test_api_error(landscape, jaeger, queued_job):
    job_id = queued_job["id"]
    journey = start(landscape, "open", job_id)
    with faults.fault_flag(landscape.url("MES_API_ADMIN"), "job_detail_defect"):
        outcome = shown(journey.act(), status=500)
    evidence = Evidence(jaeger, outcome, SERVICE).findable()
    culprit = evidence.culprit({"std::logic_error"})
    assert culprit.service == "mes-api" and culprit.tags["span.kind"] == "server"
    evidence.exception_event(culprit, "std::logic_error")
    assert culprit.tags["http.route"] == "/jobs/{id}" and culprit.tags["http.response.status_code"] == 500
    assert evidence.chain(culprit).name == "click open job"
    failed_fetch = [s for s in evidence.spans if s.service == SERVICE and s.tags.get("error.type") == "500"]
    assert failed_fetch, "the browser's fetch span of the failing call is not marked"
    assert not start(landscape, "open", job_id).act()["errorShown"]


def test_operator_runs_a_job_to_done_in_the_browser(landscape, jaeger, operator, queued_job, tmp_path):
    screenshot = tmp_path / "mes.png"
    journey = start(landscape, "run", queued_job["id"], screenshot)
    result = journey.act(timeout=120)
    assert not result["errorShown"], result
    assert result["detailStatus"] == "DONE", result
    assert result["statuses"][-4:] == ["PRINTING", "POST_PROCESSING", "QUALITY_CHECK", "DONE"], result
    assert "WebGL" not in result["previewNote"], result  # the 3D preview rendered
    events = [e["status"] for e in operator.job(queued_job["id"])["events"]]
    assert events == ["QUEUED", "PRINTING", "POST_PROCESSING", "QUALITY_CHECK", "DONE"], events
    done = [c for c in result["apiSupportCodes"] if c["path"].endswith("/status") and c["status"] == 200][-1]
    # CRM took the news (its consumer's span) in the same trace as the click.
    jaeger.whole_trace_with(done["code"], {(SERVICE, "click advance job"), ("mes-api", "POST /jobs/{id}/status"),
                                           ("crm-api", "process jobs.status")})
    assert screenshot.stat().st_size > 10_000
    if os.environ.get("FABTRACE_UPDATE_SCREENSHOTS") == "1":
        shutil.copy(screenshot, DOCS / "mes.png")
