// The routes of Shop API and the business code behind them. Tracing is done by the
// shared libraries; handlers only add business identifiers (shop.*.id).
#pragma once

#include <optional>
#include <string>

#include "accounts.h"
#include "fabtrace/db/postgres.h"
#include "fabtrace/http/router.h"
#include "fabtrace/s3/s3_client.h"
#include "faults.h"

namespace shop {

struct ShopApiDeps {
  fabtrace::db::PgPool& db;
  fabtrace::s3::S3Client& s3;
  std::string bucket;
  Faults& faults;
  std::string openapi;  // the OpenAPI description served at /openapi.yaml
  std::size_t max_model_bytes = 20u << 20;
};

class ShopApi {
 public:
  explicit ShopApi(ShopApiDeps deps) : deps_(std::move(deps)), accounts_(deps_.db) {}
  fabtrace::http::Router Routes();

 private:
  // The signed-in customer (401 otherwise), named on the request's span.
  std::int64_t SignedIn(const fabtrace::http::Request& request);
  nlohmann::json ModelJson(const fabtrace::db::Result& rows, std::size_t row) const;
  nlohmann::json OrderJson(std::int64_t customer, std::int64_t order) const;
  struct Priced {
    std::int64_t model_id;
    std::string material_id;
    int quantity;
    std::int64_t unit_cents, total_cents;
  };
  Priced PriceRequest(std::int64_t customer, const nlohmann::json& body) const;

  ShopApiDeps deps_;
  Accounts accounts_;
};

// HTTP answers for failures of ShopDB and the model store (503, 504, 502, 500).
std::optional<fabtrace::http::HttpError> MapDependencyError(const std::exception& error);

}  // namespace shop
