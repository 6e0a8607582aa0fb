#include "crm_api.h"

#include "fabtrace/http/validation.h"
#include "fabtrace/telemetry/annotate.h"

namespace crm {

void CrmApi::AddRoutes(fabtrace::http::Router& router) {
  AddOrderRoutes(router);
  AddDecisionRoutes(router);
}

std::string CrmApi::Manager(const fabtrace::http::Request& request) {
  return deps_.employees.RequireName(request);
}

std::int64_t CrmApi::OrderId(const fabtrace::http::Request& request) {
  const auto id = fabtrace::http::PathId(request, "id");
  fabtrace::telemetry::Annotate("shop.order.id", id);
  return id;
}

void CrmApi::OnMessage(const fabtrace::kafka::Message& message) {
  const auto event = ParseJobEvent(message.value);
  fabtrace::telemetry::Annotate("shop.order.id", event.order_id);
  fabtrace::telemetry::Annotate("mes.job.id", event.job_id);
  store_.ApplyJobEvent(event);
}

}  // namespace crm
