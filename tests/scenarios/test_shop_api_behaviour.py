"""What Shop API promises its users besides the scenarios: own data only, clear errors
with a support code for bad input, a rate-limited sign-in, its OpenAPI description."""

from support.shop import ShopCustomer, cube_stl


def test_customers_see_only_their_own(landscape):
    ann = ShopCustomer(landscape.url("SHOP_API")).sign_up()
    bob = ShopCustomer(landscape.url("SHOP_API")).sign_up()
    model = ann.upload().body["id"]
    order = ann.order(model).body["id"]
    assert bob.call("GET", f"/orders/{order}").status == 404
    assert bob.call("GET", f"/models/{model}").status == 404
    assert bob.order(model).status == 404
    assert order not in [o["id"] for o in bob.call("GET", "/orders").body["orders"]]
    assert ann.call("GET", f"/orders/{order}").body["history"][0]["status"] == "NEW"


def test_bad_input_is_a_clear_4xx_with_support_code(landscape):
    customer = ShopCustomer(landscape.url("SHOP_API")).sign_up()
    cases = [
        (customer.call("POST", "/models", b"not an stl at all", {"Content-Type": "model/stl"}),
         400, "invalid_model_not_stl"),
        (customer.call("POST", "/models", cube_stl()[:-20], {"Content-Type": "model/stl"}), 400,
         "invalid_model_truncated"),
        (customer.call("POST", "/quotes", {"model_id": "seven", "material_id": "pla-white"}), 400, "invalid_field"),
        (customer.call("POST", "/orders", b"{oops", {"Content-Type": "application/json"}), 400, "invalid_json"),
        (customer.call("GET", "/orders/abc"), 400, "invalid_id"),
        (ShopCustomer(landscape.url("SHOP_API")).call("GET", "/orders"), 401, "not_signed_in"),
    ]
    for outcome, status, code in cases:
        assert outcome.status == status, outcome
        assert outcome.body["error"]["code"] == code
        assert len(outcome.body["error"]["support_code"]) == 32
    model = customer.upload().body["id"]
    outcome = customer.order(model, quantity=5000)
    assert outcome.status == 400 and outcome.body["error"]["code"] == "cannot_price"
    assert customer.order(model, material="unobtainium").status == 404


def test_sign_in_is_rate_limited(landscape):
    customer = ShopCustomer(landscape.url("SHOP_API")).sign_up()
    customer.token = ""
    wrong = {"email": customer.email, "password": "not-the-password"}
    statuses = [customer.call("POST", "/sessions", wrong).status for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    right = {"email": customer.email, "password": customer.password}
    assert customer.call("POST", "/sessions", right).status == 429  # locked for a minute


def test_openapi_description_is_served(landscape):
    outcome = ShopCustomer(landscape.url("SHOP_API")).call("GET", "/openapi.yaml")
    assert outcome.status == 200
