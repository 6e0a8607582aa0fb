// The production board's jobs: list and detail, the model (3D preview) and the job sheet
// from the 3d files storage, scheduling onto a printer and the status changes.
#include "fabtrace/http/validation.h"
#include "fabtrace/telemetry/annotate.h"
#include "job_lifecycle.h"
#include "mes_api.h"

namespace mes {
namespace {

using fabtrace::http::HttpError;
using fabtrace::http::Request;
using fabtrace::http::Response;

JobFilter FilterOf(const Request& request) {
  JobFilter filter;
  filter.status = fabtrace::http::QueryOneOf(request, "status",
                                             {std::begin(kJobStatuses), std::end(kJobStatuses)});
  filter.printer_id =
      fabtrace::http::QueryMatching(request, "printer_id", PrinterIdPattern(), "a printer id");
  if (request.query_param("order_id"))
    filter.order_id = fabtrace::http::QueryInt(request, "order_id", 0, {1, INT64_MAX});
  filter.page = fabtrace::http::QueryPage(request, 100, 200);
  return filter;
}

}  // namespace

void MesApi::AddJobRoutes(fabtrace::http::Router& router) {
  router.Get("/jobs", [this](Request& request) {
    deps_.employees.Require(request);
    return Response::Json(200, {{"jobs", store_.Jobs(FilterOf(request))}});
  });

  router.Get("/jobs/{id}", [this](Request& request) {
    deps_.employees.Require(request);
    const auto id = JobId(request);
    auto job = JobOrNotFound(id);
    if (deps_.faults.enabled(kDetailDefect)) {
      // A real defect on the real path: the estimate is checked against a wrong unit.
      throw std::logic_error("job " + std::to_string(id) + " estimate exceeds the plate's time");
    }
    return Response::Json(200, job);
  });

  // A job's file in the 3D files storage: its model, or its job sheet.
  const auto job_file = [this](Request& request, auto key_of_job, const char* content_type) {
    deps_.employees.Require(request);
    const auto key = (store_.*key_of_job)(JobId(request));
    if (!key) throw HttpError(404, "job_not_found", "no such job");
    auto object = deps_.models.s3.Get(deps_.models.bucket, *key);
    return Response::Text(200, std::move(object.body), content_type);
  };
  router.Get("/jobs/{id}/model", [job_file](Request& request) {
    return job_file(request, &MesStore::ModelKey, "model/stl");
  });
  router.Get("/jobs/{id}/sheet", [job_file](Request& request) {
    return job_file(request, &MesStore::SheetKey, "application/json");
  });

  router.Post("/jobs/{id}/schedule", [this](Request& request) {
    deps_.employees.Require(request);
    const auto id = JobId(request);
    const auto printer = fabtrace::http::RequiredString(request.json(), "printer_id", 40);
    if (!std::regex_match(printer, PrinterIdPattern()))
      throw HttpError(400, "invalid_parameter", "'printer_id' is not a printer id");
    fabtrace::telemetry::Annotate("mes.printer.id", printer);
    store_.Schedule(id, printer);
    return Response::Json(200, JobOrNotFound(id));
  });

  router.Post("/jobs/{id}/status", [this](Request& request) {
    const auto operator_name = deps_.employees.RequireName(request);
    const auto id = JobId(request);
    const auto body = request.json();
    const auto status = fabtrace::http::RequiredString(body, "status", 40);
    if (!IsJobStatus(status))
      throw HttpError(400, "invalid_parameter", "'status' is not a job status");
    const auto reason = fabtrace::http::OptionalString(body, "reason", 500).value_or("");
    const auto changed = store_.ChangeStatus(id, status, reason, operator_name,
                                             [this](const JobChange& change) { Publish(change); });
    auto job = JobOrNotFound(id);
    job["unchanged"] = !changed;
    return Response::Json(200, job);
  });
}

}  // namespace mes
