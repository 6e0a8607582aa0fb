// Quotes and orders: a price for a model in a material, an order at that price (only
// while the model's file is still stored), the customer's orders with their history.
#include "fabtrace/http/validation.h"
#include "fabtrace/telemetry/annotate.h"
#include "pricing.h"
#include "shop_api.h"

namespace shop {

using fabtrace::http::HttpError;
using fabtrace::http::Request;
using fabtrace::http::Response;
using fabtrace::telemetry::Annotate;

ShopApi::Priced ShopApi::PriceRequest(std::int64_t customer, const nlohmann::json& body) const {
  Priced priced{fabtrace::http::RequiredInt(body, "model_id", {1, INT64_MAX}),
                fabtrace::http::RequiredString(body, "material_id", 64),
                fabtrace::http::OptionalInt(body, "quantity", 1, {1, 1'000'000}), 0, 0};
  Annotate("shop.model.id", priced.model_id);
  const auto volume = store_.ModelVolumeMm3(customer, priced.model_id);
  if (!volume) throw HttpError(404, "model_not_found", "no such model");
  const auto material = store_.Material(priced.material_id);
  if (!material) throw HttpError(404, "material_not_found", "no such material");
  if (deps_.faults.enabled(kPricingDefect)) {
    // A real defect on the real path: the price table disagrees with itself.
    throw std::logic_error("pricing table inconsistent for material " + priced.material_id);
  }
  try {
    const auto quote = PriceModel(*volume / 1000.0, material->per_cm3_cents,
                                  material->minimum_cents, static_cast<int>(priced.quantity));
    priced.unit_cents = quote.unit_price_cents;
    priced.total_cents = quote.total_cents;
  } catch (const PricingError& error) {
    throw HttpError(400, "cannot_price", error.what());
  }
  return priced;
}

void ShopApi::AddOrderRoutes(fabtrace::http::Router& router) {
  router.Post("/quotes", [this](Request& request) {
    const auto priced = PriceRequest(SignedIn(request), request.json());
    return Response::Json(200, {{"model_id", priced.model_id},
                                {"material_id", priced.material_id},
                                {"quantity", priced.quantity},
                                {"unit_price_cents", priced.unit_cents},
                                {"total_cents", priced.total_cents}});
  });

  router.Post("/orders", [this](Request& request) {
    const auto customer = SignedIn(request);
    const auto priced = PriceRequest(customer, request.json());
    // Only a model whose file is still in the store can be printed.
    const auto model = store_.Model(customer, priced.model_id);
    if (!model ||
        !deps_.models.s3.Head(deps_.models.bucket, (*model)["s3_key"].get<std::string>())) {
      throw HttpError(409, "model_file_missing",
                      "the model's file is no longer stored; upload it again");
    }
    const auto order = store_.CreateOrder({customer, priced.model_id, priced.material_id,
                                           priced.quantity, priced.unit_cents, priced.total_cents});
    Annotate("shop.order.id", order);
    return Response::Json(201, *store_.Order(customer, order));
  });

  router.Get("/orders", [this](Request& request) {
    const auto customer = SignedIn(request);
    return Response::Json(200, {{"orders", store_.Orders(customer, 50)}});
  });

  router.Get("/orders/{id}", [this](Request& request) {
    const auto customer = SignedIn(request);
    const auto id = fabtrace::http::PathId(request, "id");
    Annotate("shop.order.id", id);
    auto order = store_.Order(customer, id);
    if (!order) throw HttpError(404, "order_not_found", "no such order");
    return Response::Json(200, *order);
  });
}

}  // namespace shop
