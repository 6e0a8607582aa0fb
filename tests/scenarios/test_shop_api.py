"""Shop API lines of the design: errors inside the API; hangs, unavailability and errors
of ShopDB and of the 3d files storage. Each test injects the real fault, performs the
customer's action over HTTP, proves the evidence rules on the trace stored in Jaeger,
heals the fault and checks that the next action succeeds."""

import pytest

from support import faults
from support.evidence import Evidence
from support.shop import ShopCustomer

SERVICE = "shop-api"
DB_TIMEOUT_S = 2.0   # SHOPDB_STATEMENT_TIMEOUT_MS of the landscape
S3_TIMEOUT_S = 2.0   # S3_TIMEOUT_MS
BUDGET_S = 5.0       # SHOP_API_REQUEST_TIMEOUT_MS


@pytest.fixture
def customer(landscape):
    return ShopCustomer(landscape.url("SHOP_API")).sign_up()


@pytest.fixture
def model_id(customer):
    outcome = customer.upload()
    assert outcome.status == 201, outcome
    return outcome.body["id"]


def db_culprit(evidence, error_types):
    return evidence.culprit(error_types, **{"db.system.name": "postgresql", "db.namespace": "shopdb|public",
                                            "server.address": "127.0.0.1"})


@pytest.mark.scenario("SHOPAPI-INTERNAL")
def test_internal_error(landscape, jaeger, customer, model_id):
    with faults.fault_flag(landscape.url("SHOP_API_ADMIN"), "pricing_defect"):
        outcome = customer.call("POST", "/quotes", {"model_id": model_id, "material_id": "pla-white"})
    assert outcome.status == 500, outcome
    assert outcome.body["error"]["code"] == "internal_error"
    evidence = Evidence(jaeger, outcome, SERVICE).findable()
    culprit = evidence.culprit({"std::logic_error"})
    assert culprit.tags["span.kind"] == "server"
    evidence.exception_event(culprit, "std::logic_error")
    evidence.context(evidence.chain(culprit), "/quotes", "POST", ("shop.customer.id", "shop.model.id"))
    evidence.clean(customer.password, customer.token, customer.email)
    assert customer.call("POST", "/quotes", {"model_id": model_id, "material_id": "pla-white"}).status == 200


@pytest.mark.scenario("SHOPAPI-SHOPDB-HANG")
def test_shopdb_hang(landscape, jaeger, toxiproxy, customer):
    with faults.hang(toxiproxy, "postgres"):
        outcome = customer.call("GET", "/orders")
    assert outcome.status == 504, outcome
    evidence = Evidence(jaeger, outcome, SERVICE).findable()
    culprit = db_culprit(evidence, {"timeout"})
    evidence.bounded(culprit, DB_TIMEOUT_S, BUDGET_S)
    evidence.context(evidence.chain(culprit), "/orders", "GET")
    evidence.clean(customer.password, customer.token, customer.email)
    assert customer.call("GET", "/orders").status == 200


@pytest.mark.scenario("SHOPAPI-SHOPDB-DOWN")
def test_shopdb_down(landscape, jaeger, toxiproxy, customer):
    with faults.down(toxiproxy, "postgres"):
        outcome = customer.call("GET", "/orders")
    assert outcome.status == 503, outcome
    evidence = Evidence(jaeger, outcome, SERVICE).findable()
    culprit = db_culprit(evidence, {"connection_refused"})
    evidence.context(evidence.chain(culprit), "/orders", "GET")
    evidence.clean(customer.password, customer.token, customer.email)
    assert customer.call("GET", "/orders").status == 200


@pytest.mark.scenario("SHOPAPI-SHOPDB-ERROR")
def test_shopdb_error(landscape, jaeger, customer, model_id):
    with faults.sql_revoked(landscape, "shopdb", "REVOKE INSERT ON orders FROM shop",
                            "GRANT INSERT ON orders TO shop"):
        outcome = customer.order(model_id)
    assert outcome.status == 502, outcome  # the database refused the statement
    assert outcome.body["error"]["code"] == "shopdb_error"
    evidence = Evidence(jaeger, outcome, SERVICE).findable()
    culprit = db_culprit(evidence, {"42501"})
    assert culprit.tags["db.response.status_code"] == "42501"
    assert culprit.tags["db.collection.name"] == "orders"
    evidence.context(evidence.chain(culprit), "/orders", "POST", ("shop.customer.id", "shop.model.id"))
    evidence.clean(customer.password, customer.token, customer.email)
    assert customer.order(model_id).status == 201


@pytest.mark.scenario("SHOPAPI-S3-HANG")
def test_s3_hang(landscape, jaeger, toxiproxy, customer):
    with faults.hang(toxiproxy, "minio"):
        outcome = customer.upload()
    assert outcome.status == 504, outcome
    evidence = Evidence(jaeger, outcome, SERVICE).findable()
    culprit = evidence.culprit({"timeout"}, **{"aws.s3.bucket": landscape.secret("MODELS_BUCKET"),
                                               "rpc.method": "PutObject"})
    evidence.bounded(culprit, S3_TIMEOUT_S, BUDGET_S)
    evidence.context(evidence.chain(culprit), "/models", "POST", ("shop.customer.id",))
    evidence.clean(customer.password, customer.token, customer.email)
    assert customer.upload().status == 201


@pytest.mark.scenario("SHOPAPI-S3-DOWN")
def test_s3_down(landscape, jaeger, toxiproxy, customer):
    with faults.down(toxiproxy, "minio"):
        outcome = customer.upload()
    assert outcome.status == 503, outcome
    evidence = Evidence(jaeger, outcome, SERVICE).findable()
    culprit = evidence.culprit({"connection_refused"}, **{"aws.s3.bucket": landscape.secret("MODELS_BUCKET")})
    evidence.context(evidence.chain(culprit), "/models", "POST", ("shop.customer.id",))
    evidence.clean(customer.password, customer.token, customer.email)
    assert customer.upload().status == 201


@pytest.mark.scenario("SHOPAPI-S3-ERROR")
def test_s3_error(landscape, jaeger, customer, model_id):
    key = customer.model_key(model_id)
    faults.s3_delete_behind_the_api(landscape, key)
    outcome = customer.call("GET", f"/models/{model_id}/file")
    assert outcome.status == 502, outcome
    evidence = Evidence(jaeger, outcome, SERVICE).findable()
    culprit = evidence.culprit({"NoSuchKey"}, **{"aws.s3.bucket": landscape.secret("MODELS_BUCKET"),
                                                 "aws.s3.key": key})
    evidence.context(evidence.chain(culprit), "/models/{id}/file", "GET", ("shop.customer.id", "shop.model.id"))
    evidence.clean(customer.password, customer.token, customer.email)
    fresh = customer.upload()
    assert fresh.status == 201
    assert customer.call("GET", f"/models/{fresh.body['id']}/file").status == 200
