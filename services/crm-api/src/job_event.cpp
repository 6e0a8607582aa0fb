#include "job_event.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace crm {

JobEvent ParseJobEvent(const std::string& text) {
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object())
    throw std::invalid_argument("jobs.status message is not a JSON object");
  const auto integer = [&json](const char* field) {
    if (!json.contains(field) || !json[field].is_number_integer() ||
        json[field].get<std::int64_t>() <= 0)
      throw std::invalid_argument(std::string("jobs.status message: '") + field +
                                  "' must be a positive integer");
    return json[field].get<std::int64_t>();
  };
  const auto text_field = [&json](const char* field, bool required) {
    if (!json.contains(field)) {
      if (required)
        throw std::invalid_argument(std::string("jobs.status message: '") + field + "' is missing");
      return std::string();
    }
    if (!json[field].is_string() || json[field].get<std::string>().size() > 500)
      throw std::invalid_argument(std::string("jobs.status message: '") + field +
                                  "' must be a string");
    return json[field].get<std::string>();
  };
  JobEvent event{text_field("event_id", true), integer("order_id"), integer("job_id"),
                 text_field("status", true), text_field("reason", false)};
  if (event.event_id.empty()) throw std::invalid_argument("jobs.status message: empty event_id");
  OrderStatusFor(event.status);  // validates the status
  return event;
}

std::string OrderStatusFor(const std::string& job_status) {
  if (job_status == "QUEUED" || job_status == "PRINTING" || job_status == "POST_PROCESSING" ||
      job_status == "QUALITY_CHECK")
    return "IN_PRODUCTION";
  if (job_status == "DONE") return "DONE";
  if (job_status == "FAILED") return "PRODUCTION_FAILED";
  throw std::invalid_argument("jobs.status message: unknown status '" + job_status.substr(0, 40) +
                              "'");
}

}  // namespace crm
