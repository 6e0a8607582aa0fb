// GET /orders (filters: status, customer_id, from, to; paging: limit, offset),
// GET /orders/{id} with the customer, the model and a presigned link to its file, and
// GET /orders/{id}/model: the model's STL file, read from the 3d files storage.
#include <regex>

#include "crm_api.h"
#include "fabtrace/http/validation.h"
#include "fabtrace/telemetry/annotate.h"

namespace crm {
namespace {

using fabtrace::http::HttpError;
using fabtrace::http::Request;
using fabtrace::http::Response;

const std::vector<std::string> kStatuses = {
    "NEW", "APPROVED", "REJECTED", "IN_PRODUCTION", "PRODUCTION_FAILED", "DONE", "CANCELLED"};

OrderFilter FilterOf(const Request& request) {
  static const std::regex kDate(R"(\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]))");
  OrderFilter filter;
  filter.status = fabtrace::http::QueryOneOf(request, "status", kStatuses);
  if (request.query_param("customer_id"))
    filter.customer_id = fabtrace::http::QueryInt(request, "customer_id", 0, {1, INT64_MAX});
  filter.from = fabtrace::http::QueryMatching(request, "from", kDate, "a date YYYY-MM-DD");
  filter.to = fabtrace::http::QueryMatching(request, "to", kDate, "a date YYYY-MM-DD");
  filter.page = fabtrace::http::QueryPage(request, 50, 200);
  return filter;
}

}  // namespace

void CrmApi::AddOrderRoutes(fabtrace::http::Router& router) {
  router.Get("/orders", [this](Request& request) {
    Manager(request);
    return Response::Json(200, {{"orders", store_.Orders(FilterOf(request))}});
  });

  router.Get("/orders/{id}", [this](Request& request) {
    Manager(request);
    const auto id = OrderId(request);
    auto order = store_.Order(id);
    if (!order) throw HttpError(404, "order_not_found", "no such order");
    if (deps_.faults.enabled(kDetailDefect)) {
      // A real defect on the real path: the order's price disagrees with its lines.
      throw std::logic_error("order " + std::to_string(id) + " total does not match its lines");
    }
    auto& model = (*order)["model"];
    model["download_url"] = deps_.models.s3.PresignGet(
        deps_.models.bucket, model["s3_key"].get<std::string>(), std::chrono::minutes(15));
    model.erase("s3_key");
    return Response::Json(200, *order);
  });

  router.Get("/orders/{id}/model", [this](Request& request) {
    Manager(request);
    const auto model = store_.OrderModel(OrderId(request));
    if (!model) throw HttpError(404, "order_not_found", "no such order");
    fabtrace::telemetry::Annotate("shop.model.id", model->model_id);
    auto object = deps_.models.s3.Get(deps_.models.bucket, model->key);
    return Response::Text(200, std::move(object.body), "model/stl");
  });
}

}  // namespace crm
