#include "mes_api.h"

#include "fabtrace/http/validation.h"
#include "fabtrace/models/stl_reader.h"
#include "fabtrace/telemetry/annotate.h"
#include "fabtrace/telemetry/linked_step.h"
#include "fabtrace/telemetry/propagation.h"
#include "job_sheet.h"

namespace mes {

using fabtrace::telemetry::Annotate;

void MesApi::AddRoutes(fabtrace::http::Router& router) {
  AddJobRoutes(router);
  AddPrinterRoutes(router);
}

std::int64_t MesApi::JobId(const fabtrace::http::Request& request) {
  const auto id = fabtrace::http::PathId(request, "id");
  Annotate("mes.job.id", id);
  return id;
}

nlohmann::json MesApi::JobOrNotFound(std::int64_t id) const {
  auto job = store_.Job(id);
  if (!job) throw fabtrace::http::HttpError(404, "job_not_found", "no such job");
  Annotate("shop.order.id", (*job)["order_id"].get<std::int64_t>());
  return *job;
}

void MesApi::Publish(const JobChange& change) {
  Annotate("shop.order.id", change.order_id);
  fabtrace::telemetry::LinkedStep step("publish job status", change.origin_traceparent);
  deps_.producer.Send(kJobStatusTopic, std::to_string(change.order_id), change.Message().dump(),
                      {{"idempotency-key", change.event_id}});
}

void MesApi::OnMessage(const fabtrace::kafka::Message& message) {
  const auto order = ParseApprovedOrder(message.value);
  Annotate("shop.order.id", order.order_id);
  Annotate("shop.model.id", order.model_id);
  if (const auto job = store_.JobOfOrder(order.order_id)) {
    Annotate("mes.job.id", *job);  // delivered again: the job exists, nothing new
    return;
  }
  const auto material = store_.FindMaterial(order.material_id);
  if (!material)
    throw std::invalid_argument("orders.approved: material '" + order.material_id +
                                "' is not printed in this workshop");
  const auto model = deps_.models.s3.Get(deps_.models.bucket, order.model_key);
  const auto estimate =
      EstimatePrint(fabtrace::models::ReadStl(model.body), *material, order.quantity);
  const auto printers = CompatiblePrinters(estimate, *material, store_.Printers());
  store_.CreateJob(order, estimate, kSheetPrefix, fabtrace::telemetry::CurrentTraceparent(),
                   [&](const JobChange& change) {
                     Annotate("mes.job.id", change.job_id);
                     deps_.models.s3.Put(
                         deps_.models.bucket, change.sheet_key,
                         JobSheet(order, *material, estimate, change.job_id, printers).dump(2),
                         "application/json");
                     Publish(change);
                   });
}

}  // namespace mes
