// The routes of CRM API: managers (realm role crm_manager) list and read the orders of
// all customers, approve them into production (orders.approved on Kafka), reject them and
// keep notes. Tracing is done by the shared libraries; handlers add business ids only.
#pragma once

#include <string>

#include "crm_store.h"
#include "fabtrace/http/router.h"
#include "fabtrace/kafka/kafka.h"
#include "fabtrace/service/employee_auth.h"
#include "fabtrace/service/fault_flags.h"
#include "fabtrace/service/service.h"

namespace crm {

// Order detail throws std::logic_error while it is on (CRMAPI-INTERNAL).
inline constexpr const char* kDetailDefect = "order_detail_defect";
inline constexpr const char* kApprovedTopic = "orders.approved";
inline constexpr const char* kJobStatusTopic = "jobs.status";

// Its employees are the managers.
using CrmApiDeps = fabtrace::service::EmployeeApiDeps;

class CrmApi {
 public:
  explicit CrmApi(CrmApiDeps deps) : deps_(std::move(deps)), store_(deps_.db) {}
  fabtrace::http::Router Routes();
  // Handles one jobs.status message (the consumer's handler).
  void OnJobStatus(const fabtrace::kafka::Message& message);

 private:
  void AddOrderRoutes(fabtrace::http::Router& router);
  void AddDecisionRoutes(fabtrace::http::Router& router);
  // The signed-in manager's name (401/403 otherwise).
  std::string Manager(const fabtrace::http::Request& request);
  // The order named by the path's {id}, annotated on the span.
  std::int64_t OrderId(const fabtrace::http::Request& request);

  CrmApiDeps deps_;
  CrmStore store_;
};

}  // namespace crm
