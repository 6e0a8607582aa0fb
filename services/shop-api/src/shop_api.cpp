#include "shop_api.h"

#include <sodium.h>

#include <cmath>

#include "fabtrace/telemetry/annotate.h"
#include "pricing.h"
#include "stl_reader.h"

namespace shop {
namespace {

using fabtrace::http::HttpError;
using fabtrace::http::Request;
using fabtrace::http::Response;
using fabtrace::telemetry::Annotate;
using nlohmann::json;

std::string RequireString(const json& body, const char* field, std::size_t max = 200) {
  if (!body.contains(field) || !body[field].is_string()) {
    throw HttpError(400, "missing_field", std::string("'") + field + "' (a string) is required");
  }
  auto value = body[field].get<std::string>();
  if (value.size() > max)
    throw HttpError(400, "field_too_long", std::string("'") + field + "' is too long");
  return value;
}

std::int64_t RequireInt(const json& body, const char* field) {
  if (!body.contains(field) || !body[field].is_number_integer()) {
    throw HttpError(400, "missing_field", std::string("'") + field + "' (an integer) is required");
  }
  return body[field].get<std::int64_t>();
}

std::int64_t IdParam(const Request& request, const std::string& name) {
  const auto& text = request.param(name);
  if (text.empty() || text.size() > 18 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    throw HttpError(400, "invalid_id", name + " must be a positive integer");
  }
  return std::stoll(text);
}

double Round(double value, int digits) {
  const double scale = std::pow(10.0, digits);
  return std::round(value * scale) / scale;
}

std::string NewObjectKey(std::int64_t customer) {
  unsigned char random[12];
  randombytes_buf(random, sizeof random);
  char hex[25];
  sodium_bin2hex(hex, sizeof hex, random, sizeof random);
  return "models/" + std::to_string(customer) + "/" + hex + ".stl";
}

std::string SafeFilename(const Request& request) {
  std::string name(request.header("x-filename").value_or("model.stl"));
  std::string safe;
  for (char c : name.substr(0, 100)) {
    safe.push_back(
        std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' ? c : '_');
  }
  return safe.empty() ? "model.stl" : safe;
}

}  // namespace

std::optional<HttpError> MapDependencyError(const std::exception& error) {
  if (const auto* db = dynamic_cast<const fabtrace::db::DbError*>(&error)) {
    if (db->error_type() == "timeout")
      return HttpError(504, "shopdb_timeout", "ShopDB did not answer in time");
    if (db->sqlstate().empty())
      return HttpError(503, "shopdb_unavailable", "ShopDB is unavailable");
    return HttpError(500, "shopdb_error", "ShopDB refused the operation");
  }
  if (const auto* s3 = dynamic_cast<const fabtrace::s3::S3Error*>(&error)) {
    if (s3->error_type() == "timeout")
      return HttpError(504, "storage_timeout", "the model store did not answer in time");
    if (s3->http_status() == 0)
      return HttpError(503, "storage_unavailable", "the model store is unavailable");
    return HttpError(502, "storage_error", "the model store refused the operation");
  }
  return std::nullopt;
}

json ShopApi::ModelJson(const fabtrace::db::Result& rows, std::size_t row) const {
  return {{"id", std::stoll(rows.text(row, "id"))},
          {"filename", rows.text(row, "filename")},
          {"format", rows.text(row, "format")},
          {"size_bytes", std::stoll(rows.text(row, "size_bytes"))},
          {"triangles", std::stoll(rows.text(row, "triangles"))},
          {"volume_cm3", Round(std::stod(rows.text(row, "volume_mm3")) / 1000.0, 3)},
          {"surface_mm2", Round(std::stod(rows.text(row, "surface_mm2")), 1)},
          {"bbox_mm",
           json::parse("[" + rows.text(row, "bbox").substr(1, rows.text(row, "bbox").size() - 2) +
                       "]")},
          {"created_at", rows.text(row, "created_at")}};
}

json ShopApi::OrderJson(std::int64_t customer, std::int64_t order) const {
  const auto rows = deps_.db.Execute(
      "SELECT o.id, o.model_id, o.material_id, o.quantity, o.unit_price_cents, o.total_cents, "
      "o.status, o.created_at "
      "FROM orders o WHERE o.id = $1 AND o.customer_id = $2",
      {std::to_string(order), std::to_string(customer)});
  if (rows.empty()) throw HttpError(404, "order_not_found", "no such order");
  const auto history = deps_.db.Execute(
      "SELECT status, changed_at, note FROM order_status_history WHERE order_id = $1 ORDER BY id",
      {std::to_string(order)});
  json events = json::array();
  for (std::size_t i = 0; i < history.size(); ++i) {
    events.push_back({{"status", history.text(i, "status")},
                      {"changed_at", history.text(i, "changed_at")},
                      {"note", history.text(i, "note")}});
  }
  return {{"id", order},
          {"model_id", std::stoll(rows.text(0, "model_id"))},
          {"material_id", rows.text(0, "material_id")},
          {"quantity", std::stoi(rows.text(0, "quantity"))},
          {"unit_price_cents", std::stoll(rows.text(0, "unit_price_cents"))},
          {"total_cents", std::stoll(rows.text(0, "total_cents"))},
          {"status", rows.text(0, "status")},
          {"created_at", rows.text(0, "created_at")},
          {"history", events}};
}

std::int64_t ShopApi::SignedIn(const Request& request) {
  const auto customer = accounts_.Authenticate(request);
  Annotate("shop.customer.id", customer);
  return customer;
}

ShopApi::Priced ShopApi::PriceRequest(std::int64_t customer, const json& body) const {
  Priced priced{RequireInt(body, "model_id"), RequireString(body, "material_id", 64),
                static_cast<int>(body.value("quantity", 1)), 0, 0};
  Annotate("shop.model.id", priced.model_id);
  const auto model =
      deps_.db.Execute("SELECT volume_mm3 FROM models WHERE id = $1 AND customer_id = $2",
                       {std::to_string(priced.model_id), std::to_string(customer)});
  if (model.empty()) throw HttpError(404, "model_not_found", "no such model");
  const auto material =
      deps_.db.Execute("SELECT price_per_cm3_cents, minimum_cents FROM materials WHERE id = $1",
                       {priced.material_id});
  if (material.empty()) throw HttpError(404, "material_not_found", "no such material");
  if (deps_.faults.enabled(Faults::kPricingDefect)) {
    // A real defect on the real path: the price table disagrees with itself.
    throw std::logic_error("pricing table inconsistent for material " + priced.material_id);
  }
  try {
    const auto quote = PriceModel(std::stod(model.text(0, "volume_mm3")) / 1000.0,
                                  std::stoll(material.text(0, "price_per_cm3_cents")),
                                  std::stoll(material.text(0, "minimum_cents")), priced.quantity);
    priced.unit_cents = quote.unit_price_cents;
    priced.total_cents = quote.total_cents;
  } catch (const PricingError& error) {
    throw HttpError(400, "cannot_price", error.what());
  }
  return priced;
}

fabtrace::http::Router ShopApi::Routes() {
  fabtrace::http::Router router;

  router.Get("/openapi.yaml",
             [this](Request&) { return Response::Text(200, deps_.openapi, "application/yaml"); });

  router.Get("/materials", [this](Request&) {
    const auto rows = deps_.db.Execute(
        "SELECT id, name, price_per_cm3_cents, minimum_cents FROM materials ORDER BY "
        "price_per_cm3_cents");
    json materials = json::array();
    for (std::size_t i = 0; i < rows.size(); ++i) {
      materials.push_back({{"id", rows.text(i, "id")},
                           {"name", rows.text(i, "name")},
                           {"price_per_cm3_cents", std::stoll(rows.text(i, "price_per_cm3_cents"))},
                           {"minimum_cents", std::stoll(rows.text(i, "minimum_cents"))}});
    }
    return Response::Json(200, {{"materials", materials}});
  });

  router.Post("/customers", [this](Request& request) {
    const auto body = request.json();
    const auto session =
        accounts_.SignUp(RequireString(body, "email"), RequireString(body, "password"),
                         RequireString(body, "name", 100));
    Annotate("shop.customer.id", session.customer_id);
    return Response::Json(201, {{"customer_id", session.customer_id}, {"token", session.token}});
  });

  router.Post("/sessions", [this](Request& request) {
    const auto body = request.json();
    const auto session =
        accounts_.SignIn(RequireString(body, "email"), RequireString(body, "password"));
    Annotate("shop.customer.id", session.customer_id);
    return Response::Json(200, {{"customer_id", session.customer_id}, {"token", session.token}});
  });

  router.Post("/models", [this](Request& request) {
    const auto customer = SignedIn(request);
    ModelGeometry geometry;
    try {
      geometry = ReadStl(request.body, {deps_.max_model_bytes, 2'000'000});
    } catch (const StlError& error) {
      throw HttpError(400, "invalid_model_" + error.code, error.what());
    }
    const auto key = NewObjectKey(customer);
    deps_.s3.Put(deps_.bucket, key, request.body, "model/stl");
    const auto bbox = "{" + std::to_string(geometry.max[0] - geometry.min[0]) + "," +
                      std::to_string(geometry.max[1] - geometry.min[1]) + "," +
                      std::to_string(geometry.max[2] - geometry.min[2]) + "}";
    const auto rows = deps_.db.Execute(
        "INSERT INTO models (customer_id, filename, s3_key, size_bytes, format, triangles, "
        "volume_mm3, surface_mm2, "
        "bbox_mm) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id, filename, format, "
        "size_bytes, triangles, "
        "volume_mm3, surface_mm2, bbox_mm::text AS bbox, created_at",
        {std::to_string(customer), SafeFilename(request), key, std::to_string(request.body.size()),
         geometry.format, std::to_string(geometry.triangles), std::to_string(geometry.volume_mm3),
         std::to_string(geometry.surface_mm2), bbox});
    Annotate("shop.model.id", std::stoll(rows.text(0, "id")));
    return Response::Json(201, ModelJson(rows, 0));
  });

  router.Get("/models", [this](Request& request) {
    const auto customer = SignedIn(request);
    const auto rows = deps_.db.Execute(
        "SELECT id, filename, format, size_bytes, triangles, volume_mm3, surface_mm2, "
        "bbox_mm::text AS bbox, "
        "created_at FROM models WHERE customer_id = $1 ORDER BY id DESC LIMIT 100",
        {std::to_string(customer)});
    json models = json::array();
    for (std::size_t i = 0; i < rows.size(); ++i) models.push_back(ModelJson(rows, i));
    return Response::Json(200, {{"models", models}});
  });

  router.Get("/models/{id}", [this](Request& request) {
    const auto customer = SignedIn(request);
    const auto id = IdParam(request, "id");
    Annotate("shop.model.id", id);
    const auto rows = deps_.db.Execute(
        "SELECT id, filename, format, size_bytes, triangles, volume_mm3, surface_mm2, "
        "bbox_mm::text AS bbox, "
        "created_at, s3_key FROM models WHERE id = $1 AND customer_id = $2",
        {std::to_string(id), std::to_string(customer)});
    if (rows.empty()) throw HttpError(404, "model_not_found", "no such model");
    auto model = ModelJson(rows, 0);
    model["download_url"] =
        deps_.s3.PresignGet(deps_.bucket, rows.text(0, "s3_key"), std::chrono::minutes(15));
    return Response::Json(200, model);
  });

  router.Get("/models/{id}/file", [this](Request& request) {
    const auto customer = SignedIn(request);
    const auto id = IdParam(request, "id");
    Annotate("shop.model.id", id);
    const auto rows =
        deps_.db.Execute("SELECT s3_key, filename FROM models WHERE id = $1 AND customer_id = $2",
                         {std::to_string(id), std::to_string(customer)});
    if (rows.empty()) throw HttpError(404, "model_not_found", "no such model");
    auto object = deps_.s3.Get(deps_.bucket, rows.text(0, "s3_key"));
    auto response = Response::Text(200, std::move(object.body), "model/stl");
    response.headers.emplace("Content-Disposition",
                             "attachment; filename=\"" + rows.text(0, "filename") + "\"");
    return response;
  });

  router.Post("/quotes", [this](Request& request) {
    const auto customer = SignedIn(request);
    const auto priced = PriceRequest(customer, request.json());
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
    const auto stored = deps_.db.Execute("SELECT s3_key FROM models WHERE id = $1",
                                         {std::to_string(priced.model_id)});
    if (!deps_.s3.Head(deps_.bucket, stored.text(0, "s3_key"))) {
      throw HttpError(409, "model_file_missing",
                      "the model's file is no longer stored; upload it again");
    }
    std::int64_t order = 0;
    deps_.db.Transaction([&](fabtrace::db::PgConnection& db) {
      const auto rows = db.Execute(
          "INSERT INTO orders (customer_id, model_id, material_id, quantity, unit_price_cents, "
          "total_cents, status) "
          "VALUES ($1, $2, $3, $4, $5, $6, 'NEW') RETURNING id",
          {std::to_string(customer), std::to_string(priced.model_id), priced.material_id,
           std::to_string(priced.quantity), std::to_string(priced.unit_cents),
           std::to_string(priced.total_cents)});
      order = std::stoll(rows.text(0, "id"));
      db.Execute(
          "INSERT INTO order_status_history (order_id, status, note) VALUES ($1, 'NEW', 'ordered "
          "online')",
          {std::to_string(order)});
    });
    Annotate("shop.order.id", order);
    return Response::Json(201, OrderJson(customer, order));
  });

  router.Get("/orders", [this](Request& request) {
    const auto customer = SignedIn(request);
    const auto rows =
        deps_.db.Execute("SELECT id FROM orders WHERE customer_id = $1 ORDER BY id DESC LIMIT 50",
                         {std::to_string(customer)});
    json orders = json::array();
    for (std::size_t i = 0; i < rows.size(); ++i)
      orders.push_back(OrderJson(customer, std::stoll(rows.text(i, "id"))));
    return Response::Json(200, {{"orders", orders}});
  });

  router.Get("/orders/{id}", [this](Request& request) {
    const auto customer = SignedIn(request);
    const auto id = IdParam(request, "id");
    Annotate("shop.order.id", id);
    return Response::Json(200, OrderJson(customer, id));
  });

  router.Get("/internal/faults",
             [this](Request&) { return Response::Json(200, deps_.faults.All()); });
  router.Put("/internal/faults/{name}", [this](Request& request) {
    if (!deps_.faults.switchable())
      throw HttpError(403, "faults_locked", "fault switches are off (FABTRACE_FAULTS)");
    const auto body = request.json();
    if (!body.contains("enabled") || !body["enabled"].is_boolean()) {
      throw HttpError(400, "missing_field", "'enabled' (true or false) is required");
    }
    if (!deps_.faults.Set(request.param("name"), body["enabled"].get<bool>())) {
      throw HttpError(404, "unknown_fault", "no fault named " + request.param("name"));
    }
    return Response::Json(200, deps_.faults.All());
  });
  return router;
}

}  // namespace shop
