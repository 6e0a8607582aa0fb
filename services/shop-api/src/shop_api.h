// The routes of Shop API, one file per resource (materials, customers and sessions,
// models, quotes and orders). Tracing is done by the shared libraries; handlers only
// add business identifiers (shop.*.id).
#pragma once

#include <string>

#include "accounts.h"
#include "fabtrace/http/router.h"
#include "fabtrace/service/fault_flags.h"
#include "fabtrace/service/service.h"
#include "shop_store.h"

namespace shop {

// Quotes and orders throw std::logic_error while it is on (SHOPAPI-INTERNAL).
inline constexpr const char* kPricingDefect = "pricing_defect";

struct ShopApiDeps {
  fabtrace::db::PgPool& db;
  fabtrace::service::ModelFiles models;
  fabtrace::service::FaultFlags& faults;
  std::size_t max_model_bytes = 20u << 20;
};

class ShopApi {
 public:
  explicit ShopApi(ShopApiDeps deps)
      : deps_(std::move(deps)), store_(deps_.db), accounts_(deps_.db) {}
  fabtrace::http::Router Routes();

 private:
  void AddMaterialRoutes(fabtrace::http::Router& router);
  void AddCustomerRoutes(fabtrace::http::Router& router);
  void AddModelRoutes(fabtrace::http::Router& router);
  void AddOrderRoutes(fabtrace::http::Router& router);

  // The signed-in customer (401 otherwise), named on the request's span.
  std::int64_t SignedIn(const fabtrace::http::Request& request);
  // The signed-in customer's model named by the path's {id} (404 when not theirs).
  nlohmann::json OwnedModel(const fabtrace::http::Request& request);
  struct Priced {
    std::int64_t model_id;
    std::string material_id;
    std::int64_t quantity, unit_cents, total_cents;
  };
  Priced PriceRequest(std::int64_t customer, const nlohmann::json& body) const;

  ShopApiDeps deps_;
  ShopStore store_;
  Accounts accounts_;
};

}  // namespace shop
