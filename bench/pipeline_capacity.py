#!/usr/bin/env python3
"""Pipeline capacity: spans/s that the landscape's Collector (with its real processors:
scrubbing, redaction, tail sampling, span metrics) and Jaeger with Badger take with zero
loss. telemetrygen sends a known number of spans at each rate (in traces of SPANS_PER_TRACE,
all with status Error so tail sampling keeps every one); after the pipeline has drained, the
spans are counted on every side: accepted by the Collector (its counters include whatever
else the landscape sends meanwhile, so they may exceed what telemetrygen sent), sent by it to Jaeger, accepted
by Jaeger, written by Jaeger to storage (each from its own metrics), and found in storage
(Jaeger's query API, a second at a time). CPU and peak memory of both processes are read
from /proc. Run through bench/pipeline_capacity.sh, which sets the environment.
"""

import os
import re
import resource
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

# The same counting as the reliability tests (metrics text, spans in storage).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from support.collector import metric_sum as metric, pipeline_counters, stored_spans as stored_in  # noqa: E402
from support.landscape import Landscape  # noqa: E402

ENV = os.environ
TELEMETRYGEN = ENV["TELEMETRYGEN"]
LANDSCAPE = Landscape(root=Path(ENV["FT_ROOT"]), state=Path(ENV["FT_STATE"]), build_dir=Path("."), kafka_libs=Path("."))
GATEWAYS = int(ENV["FT_GATEWAYS"])
JAEGER_METRICS = f"http://127.0.0.1:{ENV['FT_PORT_JAEGER_TELEMETRY']}/metrics"
JAEGER_QUERY = f"http://127.0.0.1:{ENV['FT_PORT_JAEGER_QUERY_HTTP']}"
# Requested spans/s; "max" sends as fast as telemetrygen can (no pacing), which on a small
# machine mostly measures telemetrygen: its SDK drops what its own queue cannot hold,
# before sending, so those spans show as lost without any component of ours losing them
# (compare "sent" with "accepted").
RATES = ENV.get("BENCH_SPAN_RATES", "5000 10000 20000 30000").split()
SECONDS = int(ENV.get("BENCH_SECONDS", "10"))
SPANS_PER_TRACE = int(ENV.get("BENCH_SPANS_PER_TRACE", "10"))
WORKERS = int(ENV.get("BENCH_WORKERS", "4"))
TICKS = os.sysconf("SC_CLK_TCK")


def get(url, timeout=60):
    with urllib.request.urlopen(url, timeout=timeout) as answer:
        return answer.read().decode()


def counters():
    """The pipeline's counters as the reliability tests read them, and Jaeger's own."""
    counts = pipeline_counters(LANDSCAPE)
    jaeger = get(JAEGER_METRICS)
    counts["queue"] = counts["agent_queue"] + counts["gateway_queue"]
    counts["jaeger_accepted"] = metric(jaeger, "otelcol_receiver_accepted_spans_total")
    counts["jaeger_written"] = metric(jaeger, "otelcol_exporter_sent_spans_total")
    counts["jaeger_failed"] = metric(jaeger, "otelcol_exporter_send_failed_spans_total")
    return counts


class Process:
    """CPU seconds and resident memory of processes (with their threads), summed."""

    def __init__(self, pids):
        self.pids = pids
        self.start = self.cpu()

    def cpu(self):
        total = 0
        for pid in self.pids:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICKS
        return total

    def rss_mib(self):
        return sum(int(re.search(r"VmRSS:\s+(\d+)", open(f"/proc/{pid}/status").read()).group(1))
                   for pid in self.pids) / 1024


def drain(before):
    """Waits until the Collector's queue is empty and Jaeger's counts stop moving."""
    last, still = None, 0
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        time.sleep(2)
        now = counters()
        key = (now["to_jaeger"], now["jaeger_written"])
        if now["queue"] == 0 and key == last and now["accepted"] > before["accepted"]:
            still += 1
            if still >= 2:
                return now
        else:
            still = 0
        last = key
    return counters()


def step(rate, collector_pids, jaeger_pid):
    service = f"capacity-{rate}-{uuid.uuid4().hex[:6]}"
    # telemetrygen's --rate paces the spans of each worker (0: no pacing); --traces counts traces.
    paced = rate != "max"
    spans_per_worker_s = int(rate) / WORKERS if paced else 0
    traces_per_worker = round((spans_per_worker_s if paced else 40000 / WORKERS) * SECONDS / SPANS_PER_TRACE)
    sent = traces_per_worker * WORKERS * SPANS_PER_TRACE
    before = counters()
    collector, jaeger = Process(collector_pids), Process([jaeger_pid])
    peak = {"collector": collector.rss_mib(), "jaeger": jaeger.rss_mib()}
    since = int(time.time() * 1e6)
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    generator = subprocess.Popen(
        [TELEMETRYGEN, "traces", "--otlp-endpoint", f"127.0.0.1:{ENV['FT_PORT_COLLECTOR_OTLP_GRPC']}", "--otlp-insecure",
         "--otlp-header", f'authorization="Bearer {ENV["FT_OTLP_TOKEN"]}"', "--service", service,
         "--workers", str(WORKERS), "--rate", f"{spans_per_worker_s:.3f}", "--traces", str(traces_per_worker),
         "--child-spans", str(SPANS_PER_TRACE - 1), "--status-code", "Error"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    started = time.monotonic()
    while generator.poll() is None:
        time.sleep(0.5)
        peak = {"collector": max(peak["collector"], collector.rss_mib()), "jaeger": max(peak["jaeger"], jaeger.rss_mib())}
    took = time.monotonic() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    generator_cpu = (children.ru_utime + children.ru_stime - children_before.ru_utime - children_before.ru_stime) / took
    errors = generator.stderr.read()
    # What telemetrygen itself could not deliver (the Collector refused, or did not answer).
    send_errors = len(re.findall(r"(?im)^.*(failed to export|exporting failed|error).*$", errors))
    after = drain(before)
    until = int(time.time() * 1e6)
    delta = {key: after[key] - before[key] for key in after if key != "queue"}
    cpu = {"collector": (collector.cpu() - collector.start) / took, "jaeger": (jaeger.cpu() - jaeger.start) / took}
    stored = stored_in(JAEGER_QUERY, service, since, until)
    return {"rate": rate, "achieved": sent / took, "sent": sent, "stored": stored, "lost": sent - stored,
            "generator_rc": generator.returncode, "generator_errors": send_errors, **delta,
            "collector_cpu": cpu["collector"], "jaeger_cpu": cpu["jaeger"], "generator_cpu": generator_cpu,
            "collector_mib": peak["collector"], "jaeger_mib": peak["jaeger"]}


def main():
    jaeger_pid, collector_pids = int(sys.argv[1]), [int(pid) for pid in sys.argv[2:]]
    print(f"telemetrygen -> agent Collector (OTLP/gRPC, {WORKERS} workers, traces of {SPANS_PER_TRACE} spans, "
          f"{SECONDS} s a step) -> {GATEWAYS} gateway(s) -> Jaeger (Badger); counts after the pipeline drained")
    header = ("spans/s", "achieved", "sent", "accepted", "refused", "to gateway", "gateway in", "to Jaeger", "Jaeger in", "written", "stored", "lost", "gen errs",
              "colls cpu", "colls MiB", "jaeg cpu", "jaeg MiB", "gen cpu")
    print("  " + " ".join(f"{h:>10}" for h in header))
    ceiling = 0
    for rate in RATES:
        row = step(rate, collector_pids, jaeger_pid)
        print("  " + " ".join(f"{v:>10}" for v in (
            row["rate"], f"{row['achieved']:.0f}", row["sent"], f"{row['accepted']:.0f}", f"{row['refused']:.0f}",
            f"{row['to_gateways']:.0f}", f"{row['gateways_accepted']:.0f}", f"{row['to_jaeger']:.0f}", f"{row['jaeger_accepted']:.0f}", f"{row['jaeger_written']:.0f}", row["stored"],
            row["lost"], row["generator_errors"], f"{row['collector_cpu']:.2f}", f"{row['collector_mib']:.0f}", f"{row['jaeger_cpu']:.2f}",
            f"{row['jaeger_mib']:.0f}", f"{row['generator_cpu']:.2f}")), flush=True)
        if row["lost"] != 0:
            break
        ceiling = max(ceiling, row["achieved"])
    print(f"  highest rate achieved with zero loss: {ceiling:.0f} spans/s "
          f"(CPU in cores used on average while sending, MiB = peak resident memory; {os.cpu_count()} cores here)")


if __name__ == "__main__":
    main()
