// Every SQL statement of Shop API (but the accounts'), on ShopDB. Rows come back in the
// shape the API answers with.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "fabtrace/db/postgres.h"

namespace shop {

struct NewModel {
  std::int64_t customer_id;
  std::string filename, s3_key, format;
  std::size_t size_bytes;
  std::int64_t triangles;
  double volume_mm3, surface_mm2;
  double bbox_mm[3];
};

struct NewOrder {
  std::int64_t customer_id, model_id;
  std::string material_id;
  std::int64_t quantity, unit_price_cents, total_cents;
};

struct MaterialPrice {
  std::int64_t per_cm3_cents, minimum_cents;
};

class ShopStore {
 public:
  explicit ShopStore(fabtrace::db::PgPool& db) : db_(db) {}

  nlohmann::json Materials() const;
  std::optional<MaterialPrice> Material(const std::string& id) const;

  nlohmann::json CreateModel(const NewModel& model) const;
  nlohmann::json Models(std::int64_t customer) const;
  // The customer's model with its object key (under "s3_key"), if it is theirs.
  std::optional<nlohmann::json> Model(std::int64_t customer, std::int64_t id) const;
  std::optional<double> ModelVolumeMm3(std::int64_t customer, std::int64_t id) const;

  std::int64_t CreateOrder(const NewOrder& order) const;  // status NEW, with its history
  // The customer's orders, newest first, each with its status history: two statements
  // whatever the number of orders.
  nlohmann::json Orders(std::int64_t customer, int limit) const;
  std::optional<nlohmann::json> Order(std::int64_t customer, std::int64_t id) const;

 private:
  nlohmann::json OrdersWhere(const std::string& condition,
                             const std::vector<fabtrace::db::Param>& params, int limit) const;
  fabtrace::db::PgPool& db_;
};

}  // namespace shop
