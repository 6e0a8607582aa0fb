// The routes and the consumer of MES API: production operators (realm role mes_operator)
// see the production board, schedule jobs onto printers and move them through their life;
// every status change goes out on jobs.status. Jobs are created from orders.approved.
// Tracing is done by the shared libraries; handlers add business ids only.
#pragma once

#include <regex>
#include <string>

#include "fabtrace/http/router.h"
#include "fabtrace/kafka/kafka.h"
#include "fabtrace/service/employee_api.h"
#include "fabtrace/service/fault_flags.h"
#include "mes_store.h"

namespace mes {

// Job detail throws std::logic_error while it is on (MESAPI-INTERNAL).
inline constexpr const char* kDetailDefect = "job_detail_defect";
inline constexpr const char* kApprovedTopic = "orders.approved";
inline constexpr const char* kJobStatusTopic = "jobs.status";
// Production artefacts in the 3d files storage: production/jobs/<job id>/job-sheet.json.
inline constexpr const char* kSheetPrefix = "production/jobs/";

// What a printer id looks like ("fdm-1"): anything else names no printer.
inline const std::regex& PrinterIdPattern() {
  static const std::regex pattern("[a-z0-9-]{1,40}");
  return pattern;
}

// Its employees are the production operators.
class MesApi : public fabtrace::service::EmployeeApiBase {
 public:
  explicit MesApi(fabtrace::service::EmployeeApiDeps deps)
      : EmployeeApiBase(std::move(deps)), store_(deps_.db) {}
  // Handles one orders.approved message: creates the order's job.
  void OnMessage(const fabtrace::kafka::Message& message) override;

 private:
  void AddRoutes(fabtrace::http::Router& router) override;
  void AddJobRoutes(fabtrace::http::Router& router);
  void AddPrinterRoutes(fabtrace::http::Router& router);
  // The job named by the path's {id}, annotated on the span.
  std::int64_t JobId(const fabtrace::http::Request& request);
  nlohmann::json JobOrNotFound(std::int64_t id) const;
  // Sends a job's status change on jobs.status (key: the order id), in a step linked to
  // the trace that created the job.
  void Publish(const JobChange& change);

  MesStore store_;
};

}  // namespace mes
