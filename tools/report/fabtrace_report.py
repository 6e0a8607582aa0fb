#!/usr/bin/env python3
"""The design's technical metrics of every service over a window, from Prometheus:
availability, response speed, error count and recovery time (docs/metrics.md).

    fabtrace_report.py --prometheus URL [--since 1h] [--json]

Counts are exact increases of the span-metric counters over the window (also for series
born inside it, which PromQL's increase() would miss), so they match the spans sent."""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

CALLS = "traces_span_metrics_calls_total"
BUCKETS = "traces_span_metrics_duration_milliseconds_bucket"
SERVER = 'span_kind="SPAN_KIND_SERVER"'
BROWSER = 'span_kind="SPAN_KIND_CLIENT", telemetry_sdk_language="webjs"'
ERROR = 'status_code="STATUS_CODE_ERROR"'
INCIDENT_STEP_S = 15  # the rules' evaluation interval


class NotRunning(Exception):
    pass


@dataclass
class Prometheus:
    url: str
    at: float

    def _get(self, path: str, params: dict[str, str]) -> list:
        query = urllib.parse.urlencode(params)
        try:
            with urllib.request.urlopen(f"{self.url}{path}?{query}", timeout=30) as response:
                body = json.load(response)
        except urllib.error.HTTPError as error:
            raise SystemExit(f"fabtrace report: Prometheus refused a query ({error.code}): {error.read()[:300]!r}")
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            raise NotRunning(str(error)) from error
        return body["data"]["result"]

    def query(self, promql: str) -> list:
        return self._get("/api/v1/query", {"query": promql, "time": f"{self.at:.3f}"})

    def query_range(self, promql: str, start: float, step: int) -> list:
        return self._get("/api/v1/query_range",
                         {"query": promql, "start": f"{start:.3f}", "end": f"{self.at:.3f}", "step": str(step)})


def exact_increase(selector: str, window: str) -> str:
    """PromQL for each series' increase over the window: the difference of its two ends;
    its whole value when it was born inside the window; increase() after a counter reset."""
    return (f"(({selector} - {selector} offset {window}) unless resets({selector}[{window}]) > 0)"
            f" or ({selector} unless {selector} offset {window})"
            f" or increase({selector}[{window}])")


def counts(prom: Prometheus, selector: str, window: str, by: str) -> list[tuple[dict, float]]:
    rows = prom.query(f"sum by ({by}) ({exact_increase(selector, window)})")
    return [(row["metric"], float(row["value"][1])) for row in rows]


def quantiles(prom: Prometheus, selector: str, window: str, by: str) -> dict[tuple, dict[str, float]]:
    result: dict[tuple, dict[str, float]] = {}
    for name, q in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99)):
        rows = prom.query(f"histogram_quantile({q}, sum by ({by}, le) ({exact_increase(selector, window)}))")
        for row in rows:
            value = float(row["value"][1])
            if value == value:  # NaN: no request in the window
                key = tuple(row["metric"].get(label, "") for label in by.split(", "))
                result.setdefault(key, {})[name] = round(value, 1)
    return result


def incidents(prom: Prometheus, start: float) -> dict[str, list[dict]]:
    """Periods in which fabtrace:incident:active was 1, per service."""
    found: dict[str, list[dict]] = {}
    for series in prom.query_range("fabtrace:incident:active", start, INCIDENT_STEP_S):
        service = series["metric"].get("service_name", "")
        opened = None
        last_seen = None
        for stamp, value in series["values"]:
            stamp = float(stamp)
            # A gap in the series (no traffic) ends an incident too.
            gap = last_seen is not None and stamp - last_seen > INCIDENT_STEP_S * 1.5
            if opened is not None and (value != "1" or gap):
                end = stamp if not gap else last_seen + INCIDENT_STEP_S
                found.setdefault(service, []).append(_incident(opened, end, start))
                opened = None
            if value == "1" and opened is None:
                opened = stamp
            last_seen = stamp
        if opened is not None:
            found.setdefault(service, []).append(_incident(opened, None, start))
    return found


def _incident(opened: float, end: float | None, window_start: float) -> dict:
    return {"start": _iso(opened), "end": _iso(end) if end else None,
            "duration_s": round(end - opened) if end else None,
            "started_before_window": opened <= window_start + INCIDENT_STEP_S}


def _iso(stamp: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(stamp))


def objectives(prom: Prometheus) -> dict[str, float]:
    found = {}
    for name in ("availability", "latency_p95_ms", "incident_error_ratio"):
        rows = prom.query(f"fabtrace:objective:{name}")
        if rows:
            found[name] = float(rows[0]["value"][1])
    return found


def report(prom: Prometheus, seconds: int) -> dict:
    window = f"{seconds}s"
    services: dict[str, dict] = {}

    def service(name: str) -> dict:
        return services.setdefault(name, {})

    for metric, n in counts(prom, f"{CALLS}{{{SERVER}}}", window, "service_name"):
        service(metric["service_name"])["requests"] = round(n)
    for metric, n in counts(prom, f'{CALLS}{{{SERVER}, http_response_status_code=~"5.."}}', window, "service_name"):
        service(metric["service_name"])["answered_5xx"] = round(n)
    for metric, n in counts(prom, f"{CALLS}{{{SERVER}, {ERROR}}}", window, "service_name, span_name, error_type"):
        entry = service(metric["service_name"]).setdefault("errors", {"total": 0, "by_route": []})
        if round(n):
            entry["total"] += round(n)
            entry["by_route"].append({"route": metric.get("span_name", ""), "error_type": metric.get("error_type", ""),
                                      "count": round(n)})
    for metric, n in counts(prom, f"{CALLS}{{{BROWSER}}}", window, "service_name"):
        service(metric["service_name"])["browser_requests"] = round(n)
    for metric, n in counts(prom, f"{CALLS}{{{BROWSER}, {ERROR}}}", window, "service_name"):
        service(metric["service_name"])["browser_failed"] = round(n)

    per_service = quantiles(prom, f"{BUCKETS}{{{SERVER}}}", window, "service_name")
    per_route = quantiles(prom, f"{BUCKETS}{{{SERVER}}}", window, "service_name, span_name")
    start = prom.at - seconds
    found_incidents = incidents(prom, start)

    for name, entry in services.items():
        if "requests" in entry:
            entry.setdefault("answered_5xx", 0)
            entry.setdefault("errors", {"total": 0, "by_route": []})
            entry["availability"] = (1 - entry["answered_5xx"] / entry["requests"]) if entry["requests"] else None
            entry["latency_ms"] = dict(per_service.get((name,), {}))
            entry["latency_ms"]["by_route"] = [{"route": key[1], **values} for key, values in sorted(per_route.items())
                                               if key[0] == name]
            entry["incidents"] = found_incidents.get(name, [])
            ended = [i["duration_s"] for i in entry["incidents"] if i["duration_s"] is not None]
            entry["mttr_s"] = round(sum(ended) / len(ended)) if ended else None
        if "browser_requests" in entry:
            entry.setdefault("browser_failed", 0)
            entry["browser_availability"] = ((1 - entry["browser_failed"] / entry["browser_requests"])
                                             if entry["browser_requests"] else None)

    business = {}
    for key, service, route, code in (("customers_signed_up", "shop-api", "POST /customers", "201"),
                                      ("orders_placed", "shop-api", "POST /orders", "201"),
                                      ("orders_approved", "crm-api", "POST /orders/{id}/approve", "200")):
        rows = counts(prom, f'{CALLS}{{service_name="{service}", {SERVER}, span_name="{route}", '
                            f'http_response_status_code="{code}"}}', window, "service_name")
        business[key] = round(sum(n for _, n in rows))
    return {"window_s": seconds, "from": _iso(start), "to": _iso(prom.at), "objectives": objectives(prom),
            "services": dict(sorted(services.items())), "business": business}


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.2f} %"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def print_table(data: dict) -> None:
    print(f"fabtrace technical metrics from {data['from']} to {data['to']} ({data['window_s']} s)")
    if data["objectives"]:
        print("objectives: " + ", ".join(f"{k} {v:g}" for k, v in data["objectives"].items()))
    print()
    header = (f"{'service':<16} {'requests':>9} {'availability':>13} {'errors':>7} {'p50 ms':>7} {'p95 ms':>7} "
              f"{'p99 ms':>7} {'incidents':>9} {'MTTR':>7}")
    print(header)
    print("-" * len(header))
    for name, entry in data["services"].items():
        if "requests" not in entry:
            continue
        latency = entry["latency_ms"]
        mttr = "-" if entry["mttr_s"] is None else f"{entry['mttr_s']} s"
        print(f"{name:<16} {entry['requests']:>9} {_pct(entry['availability']):>13} {entry['errors']['total']:>7} "
              f"{_ms(latency.get('p50')):>7} {_ms(latency.get('p95')):>7} {_ms(latency.get('p99')):>7} "
              f"{len(entry['incidents']):>9} {mttr:>7}")
    browsers = {name: e for name, e in data["services"].items() if "browser_requests" in e}
    if browsers:
        print("\nthe user's view (requests made by the browser applications)")
        for name, entry in browsers.items():
            print(f"  {name:<16} {entry['browser_requests']:>7} requests, {entry['browser_failed']} failed, "
                  f"availability {_pct(entry['browser_availability'])}")
    errors = [(name, row) for name, e in data["services"].items() for row in e.get("errors", {}).get("by_route", [])]
    if errors:
        print("\nerrors by route and error.type")
        for name, row in sorted(errors, key=lambda item: -item[1]["count"]):
            print(f"  {row['count']:>6}  {name}  {row['route']}  {row['error_type'] or '(none)'}")
    incident_rows = [(name, i) for name, e in data["services"].items() for i in e.get("incidents", [])]
    if incident_rows:
        print("\nincidents (error ratio over 1 min above the threshold)")
        for name, incident in incident_rows:
            end = incident["end"] or "ongoing"
            took = "" if incident["duration_s"] is None else f"  recovered in {incident['duration_s']} s"
            print(f"  {name:<16} {incident['start']} -> {end}{took}")
    print(f"\nbusiness: {data['business']['customers_signed_up']} customers signed up, "
          f"{data['business']['orders_placed']} orders placed, "
          f"{data['business']['orders_approved']} approved into production")


def parse_window(text: str) -> int:
    match = re.fullmatch(r"(\d+)([smhd])", text.strip())
    if not match or int(match.group(1)) == 0:
        raise argparse.ArgumentTypeError(f"'{text}' is not a window such as 30m, 1h or 1d")
    return int(match.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./fabtrace report", description=__doc__.splitlines()[0])
    parser.add_argument("--prometheus", required=True, help="Prometheus base URL")
    parser.add_argument("--since", type=parse_window, default=3600, help="window: 30m, 1h (default), 1d ...")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    args = parser.parse_args(argv)
    prom = Prometheus(args.prometheus.rstrip("/"), time.time())
    try:
        data = report(prom, args.since)
    except NotRunning as error:
        print(f"fabtrace report: the landscape is not running (no Prometheus at {prom.url}: {error}); "
              "start it with ./fabtrace up", file=sys.stderr)
        return 2
    if args.json:
        json.dump(data, sys.stdout, indent=2)
        print()
    else:
        print_table(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
