// The routes of CRM API: managers (realm role crm_manager) list and read the orders of
// all customers, approve them into production (orders.approved on Kafka), reject them and
// keep notes. Tracing is done by the shared libraries; handlers add business ids only.
#pragma once

#include <string>

#include "crm_store.h"
#include "fabtrace/http/router.h"
#include "fabtrace/kafka/kafka.h"
#include "fabtrace/service/employee_api.h"
#include "fabtrace/service/fault_flags.h"

namespace crm {

// Order detail throws std::logic_error while it is on (CRMAPI-INTERNAL).
inline constexpr const char* kDetailDefect = "order_detail_defect";
inline constexpr const char* kApprovedTopic = "orders.approved";
inline constexpr const char* kJobStatusTopic = "jobs.status";

// Its employees are the managers.
class CrmApi : public fabtrace::service::EmployeeApiBase {
 public:
  explicit CrmApi(fabtrace::service::EmployeeApiDeps deps)
      : EmployeeApiBase(std::move(deps)), store_(deps_.db) {}
  // Handles one jobs.status message: the production news of an order.
  void OnMessage(const fabtrace::kafka::Message& message) override;

 private:
  void AddRoutes(fabtrace::http::Router& router) override;
  void AddOrderRoutes(fabtrace::http::Router& router);
  void AddDecisionRoutes(fabtrace::http::Router& router);
  // The signed-in manager's name (401/403 otherwise).
  std::string Manager(const fabtrace::http::Request& request);
  // The order named by the path's {id}, annotated on the span.
  std::int64_t OrderId(const fabtrace::http::Request& request);

  CrmStore store_;
};

}  // namespace crm
