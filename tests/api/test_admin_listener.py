"""Operator endpoints (fault flags) live on each service's admin listener, on a port of
its own on loopback: the public port and the browser applications' nginx never reach
them."""

from support.landscape import http, http_json

ATTEMPTS = ["/internal/faults/pricing_defect", "/faults/pricing_defect", "/admin/faults/pricing_defect"]


def test_fault_flags_are_not_reachable_through_nginx_or_the_public_port(landscape):
    for base in (landscape.url("INTERNET_SHOP_WEB", "/api"), landscape.url("SHOP_API"),
                 landscape.url("CRM_WEB", "/api"), landscape.url("CRM_API"),
                 landscape.url("MES_WEB", "/api"), landscape.url("MES_API")):
        for path in ATTEMPTS:
            status, _, _ = http("PUT", base + path, b'{"enabled": true}', {"Content-Type": "application/json"})
            assert status in (404, 405), (base + path, status)
            status, _, _ = http("GET", base + path.rsplit("/", 1)[0])
            assert status in (404, 405), (base + path, status)
    status, flags = http_json("GET", landscape.url("SHOP_API_ADMIN", "/faults"))
    assert status == 200 and flags == {"pricing_defect": False}, flags
    status, flags = http_json("GET", landscape.url("CRM_API_ADMIN", "/faults"))
    assert status == 200 and flags == {"order_detail_defect": False}, flags
    status, flags = http_json("GET", landscape.url("MES_API_ADMIN", "/faults"))
    assert status == 200 and flags == {"job_detail_defect": False}, flags


def test_admin_listener_switches_flags_and_validates_input(landscape):
    admin = landscape.url("SHOP_API_ADMIN")
    assert http_json("PUT", f"{admin}/faults/pricing_defect", {"enabled": "yes"})[0] == 400
    assert http_json("PUT", f"{admin}/faults/no_such_flag", {"enabled": True})[0] == 404
    try:
        status, flags = http_json("PUT", f"{admin}/faults/pricing_defect", {"enabled": True})
        assert status == 200 and flags["pricing_defect"] is True
    finally:
        status, flags = http_json("PUT", f"{admin}/faults/pricing_defect", {"enabled": False})
    assert status == 200 and flags["pricing_defect"] is False
