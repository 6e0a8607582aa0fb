"""The landscape itself: every component ready, loopback only, bounded telemetry requests."""

import os
import re
import subprocess

from support.landscape import http


def test_every_component_ready(landscape, jaeger, toxiproxy):
    status, _, _ = http("GET", landscape.url("COLLECTOR_HEALTH", "/"))
    assert status == 200
    status, _, _ = http("GET", landscape.url("MINIO", "/minio/health/ready"))
    assert status == 200
    assert isinstance(jaeger.services(), list)
    proxies = toxiproxy.proxies()
    assert set(proxies) == {"postgres", "mesdb", "minio", "kafka"}
    assert all(proxy["enabled"] for proxy in proxies.values())
    for proxy in ("POSTGRES_PROXY", "MESDB_PROXY"):
        ready = subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", str(landscape.port(proxy))],
                               capture_output=True, text=True, check=False)
        assert ready.returncode == 0, (proxy, ready.stdout)
    status = {line.split()[0]: line.split()[1] for line in landscape.supervisorctl("status").splitlines()}
    expected = {"postgres", "minio", "kafka", "toxiproxy", "jaeger", "collector", "gateway-1", "gateway-2", "shop-api", "internet-shop",
                "keycloak", "jaeger-gate", "prometheus", "crm-api", "crm", "mes-api", "mes"}
    if landscape.env("FT_STORAGE") == "opensearch":  # the distributed profile's own components
        expected |= {"opensearch", "jaeger-ingester-1", "jaeger-ingester-2", "jaeger-dependencies"}
    assert {name for name, state in status.items() if state == "RUNNING" and name != "traffic"} == expected, status
    # The simulated customers run only in `./fabtrace up`, never under the tests' feet.
    assert status["traffic"] == ("RUNNING" if os.environ.get("FT_PROFILE") == "up" else "STOPPED"), status


def _descendants(root_pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = set(), [root_pid]
    while todo:
        pid = todo.pop()
        found.add(pid)
        todo.extend(children.get(pid, []))
    return found


def test_nothing_listens_beyond_loopback(landscape):
    supervisor_pid = int(landscape.supervisorctl("pid").strip())
    ours = _descendants(supervisor_pid)
    listening = subprocess.run(["ss", "-Hltnp"], capture_output=True, text=True, check=True).stdout
    seen_ports = set()
    for line in listening.splitlines():
        pids = {int(pid) for pid in re.findall(r"pid=(\d+)", line)}
        if not pids & ours:
            continue
        local = line.split()[3]
        address, port = local.rsplit(":", 1)
        assert address in ("127.0.0.1", "[::1]", "[::ffff:127.0.0.1]"), f"listens beyond loopback: {line}"
        seen_ports.add(int(port))
    expected = {landscape.port(name) for name in (
        "POSTGRES", "POSTGRES_PROXY", "MINIO", "MINIO_PROXY", "KAFKA_CLIENT", "KAFKA_PROXY",
        "COLLECTOR_OTLP_GRPC", "COLLECTOR_OTLP_HTTP", "COLLECTOR_OTLP_PUBLIC", "JAEGER_QUERY_HTTP", "TOXIPROXY_API", "KEYCLOAK",
        "KEYCLOAK_MANAGEMENT", "JAEGER_GATE", "SHOP_API", "INTERNET_SHOP_WEB", "MESDB_PROXY", "CRM_API",
        "CRM_API_ADMIN", "CRM_WEB", "MES_API", "MES_API_ADMIN", "MES_WEB")}
    assert expected <= seen_ports, f"missing listeners: {expected - seen_ports}"


def test_collector_rejects_oversized_requests(landscape):
    status, _, _ = http("POST", landscape.url("COLLECTOR_OTLP_HTTP", "/v1/traces"),
                        body=b"\0" * (5 * 1024 * 1024),
                        headers={"Content-Type": "application/x-protobuf", **landscape.otlp_headers()})
    assert status in (400, 413)


def test_up_warns_when_the_machine_lacks_memory(landscape):
    """The check `up` runs before a first start: a warning when less memory is available
    than the landscape needs, silence when there is enough."""
    script = ('. scripts/common.sh; . scripts/install.sh; . scripts/landscape.sh; '
              'FT_MEMORY_NEEDED_MIB=$NEEDED ft_memory_check')
    for needed, warned in (("100000000", True), ("1", False)):
        done = subprocess.run(["bash", "-c", script], cwd=landscape.root, capture_output=True, text=True, timeout=30,
                              env={**os.environ, "FT_ROOT": str(landscape.root), "NEEDED": needed}, check=False)
        assert (done.returncode != 0) == warned and ("WARNING" in done.stderr) == warned, done.stderr
        if warned:
            assert "MiB of memory available" in done.stderr and "./fabtrace status" in done.stderr
