#include "shop_store.h"

#include <cmath>
#include <map>

namespace shop {
namespace {

using fabtrace::db::Result;
using nlohmann::json;

double Round(double value, int digits) {
  const double scale = std::pow(10.0, digits);
  return std::round(value * scale) / scale;
}

constexpr const char* kModelColumns =
    "id, filename, format, size_bytes, triangles, volume_mm3, surface_mm2, bbox_mm::text AS bbox, "
    "created_at, s3_key";

json ModelJson(const Result& rows, std::size_t row) {
  const auto bbox = rows.text(row, "bbox");  // "{x,y,z}"
  return {{"id", std::stoll(rows.text(row, "id"))},
          {"filename", rows.text(row, "filename")},
          {"format", rows.text(row, "format")},
          {"size_bytes", std::stoll(rows.text(row, "size_bytes"))},
          {"triangles", std::stoll(rows.text(row, "triangles"))},
          {"volume_cm3", Round(std::stod(rows.text(row, "volume_mm3")) / 1000.0, 3)},
          {"surface_mm2", Round(std::stod(rows.text(row, "surface_mm2")), 1)},
          {"bbox_mm", json::parse("[" + bbox.substr(1, bbox.size() - 2) + "]")},
          {"created_at", rows.text(row, "created_at")}};
}

}  // namespace

json ShopStore::Materials() const {
  const auto rows = db_.Execute(
      "SELECT id, name, price_per_cm3_cents, minimum_cents FROM materials ORDER BY "
      "price_per_cm3_cents");
  json materials = json::array();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    materials.push_back({{"id", rows.text(i, "id")},
                         {"name", rows.text(i, "name")},
                         {"price_per_cm3_cents", std::stoll(rows.text(i, "price_per_cm3_cents"))},
                         {"minimum_cents", std::stoll(rows.text(i, "minimum_cents"))}});
  }
  return materials;
}

std::optional<MaterialPrice> ShopStore::Material(const std::string& id) const {
  const auto rows =
      db_.Execute("SELECT price_per_cm3_cents, minimum_cents FROM materials WHERE id = $1", {id});
  if (rows.empty()) return std::nullopt;
  return MaterialPrice{std::stoll(rows.text(0, "price_per_cm3_cents")),
                       std::stoll(rows.text(0, "minimum_cents"))};
}

json ShopStore::CreateModel(const NewModel& model) const {
  const auto bbox = "{" + std::to_string(model.bbox_mm[0]) + "," +
                    std::to_string(model.bbox_mm[1]) + "," + std::to_string(model.bbox_mm[2]) + "}";
  const auto rows = db_.Execute(
      std::string("INSERT INTO models (customer_id, filename, s3_key, size_bytes, format, "
                  "triangles, volume_mm3, surface_mm2, bbox_mm) "
                  "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ") +
          kModelColumns,
      {std::to_string(model.customer_id), model.filename, model.s3_key,
       std::to_string(model.size_bytes), model.format, std::to_string(model.triangles),
       std::to_string(model.volume_mm3), std::to_string(model.surface_mm2), bbox});
  return ModelJson(rows, 0);
}

json ShopStore::Models(std::int64_t customer) const {
  return db_
      .Execute(std::string("SELECT ") + kModelColumns +
                   " FROM models WHERE customer_id = $1 ORDER BY id DESC LIMIT 100",
               {std::to_string(customer)})
      .Map(ModelJson);
}

std::optional<json> ShopStore::Model(std::int64_t customer, std::int64_t id) const {
  const auto rows = db_.Execute(
      std::string("SELECT ") + kModelColumns + " FROM models WHERE id = $1 AND customer_id = $2",
      {std::to_string(id), std::to_string(customer)});
  if (rows.empty()) return std::nullopt;
  auto model = ModelJson(rows, 0);
  model["s3_key"] = rows.text(0, "s3_key");
  return model;
}

std::optional<double> ShopStore::ModelVolumeMm3(std::int64_t customer, std::int64_t id) const {
  const auto rows = db_.Execute("SELECT volume_mm3 FROM models WHERE id = $1 AND customer_id = $2",
                                {std::to_string(id), std::to_string(customer)});
  if (rows.empty()) return std::nullopt;
  return std::stod(rows.text(0, "volume_mm3"));
}

std::int64_t ShopStore::CreateOrder(const NewOrder& order) const {
  std::int64_t id = 0;
  db_.Transaction([&](fabtrace::db::PgConnection& db) {
    const auto rows = db.Execute(
        "INSERT INTO orders (customer_id, model_id, material_id, quantity, unit_price_cents, "
        "total_cents, status) VALUES ($1, $2, $3, $4, $5, $6, 'NEW') RETURNING id",
        {std::to_string(order.customer_id), std::to_string(order.model_id), order.material_id,
         std::to_string(order.quantity), std::to_string(order.unit_price_cents),
         std::to_string(order.total_cents)});
    id = std::stoll(rows.text(0, "id"));
    db.Execute(
        "INSERT INTO order_status_history (order_id, status, note) "
        "VALUES ($1, 'NEW', 'ordered online')",
        {std::to_string(id)});
  });
  return id;
}

json ShopStore::OrdersWhere(const std::string& condition,
                            const std::vector<fabtrace::db::Param>& params, int limit) const {
  const auto rows = db_.Execute(
      "SELECT id, model_id, material_id, quantity, unit_price_cents, total_cents, status, "
      "created_at FROM orders WHERE " +
          condition + " ORDER BY id DESC LIMIT " + std::to_string(limit),
      params);
  json orders = json::array();
  if (rows.empty()) return orders;
  std::string ids;
  for (std::size_t i = 0; i < rows.size(); ++i) ids += (i ? "," : "") + rows.text(i, "id");
  const auto history = db_.Execute(
      "SELECT order_id, status, changed_at, note FROM order_status_history "
      "WHERE order_id = ANY($1::bigint[]) ORDER BY id",
      {"{" + ids + "}"});
  std::map<std::string, json> events;
  for (std::size_t i = 0; i < history.size(); ++i) {
    auto& list = events[history.text(i, "order_id")];
    if (list.is_null()) list = json::array();
    list.push_back({{"status", history.text(i, "status")},
                    {"changed_at", history.text(i, "changed_at")},
                    {"note", history.text(i, "note")}});
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto id = rows.text(i, "id");
    orders.push_back({{"id", std::stoll(id)},
                      {"model_id", std::stoll(rows.text(i, "model_id"))},
                      {"material_id", rows.text(i, "material_id")},
                      {"quantity", std::stoi(rows.text(i, "quantity"))},
                      {"unit_price_cents", std::stoll(rows.text(i, "unit_price_cents"))},
                      {"total_cents", std::stoll(rows.text(i, "total_cents"))},
                      {"status", rows.text(i, "status")},
                      {"created_at", rows.text(i, "created_at")},
                      {"history", events.count(id) ? events[id] : json::array()}});
  }
  return orders;
}

json ShopStore::Orders(std::int64_t customer, int limit) const {
  return OrdersWhere("customer_id = $1", {std::to_string(customer)}, limit);
}

std::optional<json> ShopStore::Order(std::int64_t customer, std::int64_t id) const {
  auto orders = OrdersWhere("id = $1 AND customer_id = $2",
                            {std::to_string(id), std::to_string(customer)}, 1);
  if (orders.empty()) return std::nullopt;
  return orders[0];
}

}  // namespace shop
