// The manager's decisions: approve (the order goes to production over Kafka, atomically
// with the approval), reject with a reason, notes.
#include "crm_api.h"
#include "fabtrace/http/validation.h"

namespace crm {

using fabtrace::http::Request;
using fabtrace::http::Response;

void CrmApi::AddDecisionRoutes(fabtrace::http::Router& router) {
  router.Post("/orders/{id}/approve", [this](Request& request) {
    const auto manager = Manager(request);
    const auto id = OrderId(request);
    const auto outcome = store_.Approve(id, manager, [this, id](const nlohmann::json& message) {
      // The order id is the message key (one partition per order: its events stay in
      // order) and the idempotency key consumers deduplicate on.
      deps_.producer.Send(kApprovedTopic, std::to_string(id), message.dump(),
                          {{"idempotency-key", "order-" + std::to_string(id)}});
    });
    auto order = *store_.Order(id);
    order["model"].erase("s3_key");
    order["already_approved"] = outcome == Approval::kAlreadyApproved;
    return Response::Json(200, order);
  });

  router.Post("/orders/{id}/reject", [this](Request& request) {
    const auto manager = Manager(request);
    const auto id = OrderId(request);
    store_.Reject(id, manager, fabtrace::http::RequiredString(request.json(), "reason", 500));
    return Response::NoContent();
  });

  router.Post("/orders/{id}/notes", [this](Request& request) {
    const auto manager = Manager(request);
    const auto id = OrderId(request);
    store_.AddNote(id, manager, fabtrace::http::RequiredString(request.json(), "text", 2000));
    return Response::Json(201, {{"order_id", id}});
  });
}

}  // namespace crm
