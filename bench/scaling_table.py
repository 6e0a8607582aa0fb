#!/usr/bin/env python3
"""Prints docs/scaling.md's sizing table from measured inputs: the bytes and CPU a span
costs on each tier of the distributed profile (tests/distributed/test_kafka_path.py prints
them at the end of ./fabtrace test). Pure arithmetic; change an input, print again.

    bench/scaling_table.py --kafka-bytes 241 --opensearch-bytes 982 --gateway-us 116 ...
"""

from __future__ import annotations

import argparse
import math

DAY = 86_400


def sizing(peak: float, stored: float, a: argparse.Namespace) -> dict[str, str]:
    """One row: PEAK spans/s arriving at the gateways, STORED share kept by tail sampling."""
    kept = peak * stored
    gateway_cores = peak * a.gateway_us / 1e6 / a.utilisation
    gateways = max(2, math.ceil(gateway_cores / 2))
    ingester_cores = kept * a.ingester_us / 1e6 / a.utilisation
    ingesters = max(2, math.ceil(ingester_cores / 2))
    kafka_mb_s = kept * a.kafka_bytes / 1e6
    kafka_cores = kept * a.kafka_us / 1e6 / a.utilisation
    partitions = max(2 * ingesters, math.ceil(kafka_mb_s / 5))
    partitions = 3 * math.ceil(partitions / 3)
    kafka_disk_gb = kafka_mb_s / 3 * DAY * a.kafka_retention_days * 3 / 1e3
    os_cores = kept * a.opensearch_us / 1e6 / a.utilisation
    nodes = max(3, math.ceil(os_cores / 8))
    daily_primary_gb = kept / 3 * DAY * a.opensearch_bytes / 1e9
    os_disk_gb = daily_primary_gb * a.retention_days * 2 * 1.25
    shards = max(1, math.ceil(daily_primary_gb / 30))
    shards = nodes * math.ceil(shards / nodes)
    return {
        "traffic": f"{peak / a.today:,.0f}x",
        "peak spans/s (stored)": f"{peak:,.0f} ({kept:,.0f})",
        "gateways (cores)": f"{gateways} ({gateway_cores:.1f})",
        "Kafka in, MB/s": f"{kafka_mb_s:.2f}",
        "Kafka brokers (cores)": f"3 ({kafka_cores:.1f})",
        "partitions": str(partitions),
        "Kafka disk, GB": f"{kafka_disk_gb:,.0f}",
        "ingesters (cores)": f"{ingesters} ({ingester_cores:.1f})",
        "OpenSearch nodes (cores)": f"{nodes} ({os_cores:.1f})",
        "primary shards per day": str(shards),
        "OpenSearch disk, GB": f"{os_disk_gb:,.0f}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--today", type=float, default=100, help="today's peak spans/s (an assumption, docs/scaling.md)")
    parser.add_argument("--kafka-bytes", type=float, required=True, help="bytes per span on the topic (compressed)")
    parser.add_argument("--opensearch-bytes", type=float, required=True, help="bytes per stored span, primary copy")
    parser.add_argument("--gateway-us", type=float, required=True, help="gateway CPU µs per span (all gateways)")
    parser.add_argument("--kafka-us", type=float, required=True, help="broker CPU µs per span (in and out)")
    parser.add_argument("--ingester-us", type=float, required=True, help="ingester CPU µs per span (all ingesters)")
    parser.add_argument("--opensearch-us", type=float, required=True, help="OpenSearch CPU µs per span")
    parser.add_argument("--utilisation", type=float, default=0.5, help="share of its CPU a component may use at peak")
    parser.add_argument("--retention-days", type=float, default=7)
    parser.add_argument("--kafka-retention-days", type=float, default=1)
    args = parser.parse_args()
    rows = [sizing(args.today * factor, stored, args) for factor, stored in ((10, 1.0), (100, 0.15), (1000, 0.15))]
    print("| " + " | ".join(rows[0]) + " |")
    print("|" + "---|" * len(rows[0]))
    for row in rows:
        print("| " + " | ".join(row.values()) + " |")


if __name__ == "__main__":
    main()
