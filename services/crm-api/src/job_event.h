// A production event of MES on jobs.status, and what it does to the order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace crm {

struct JobEvent {
  std::string event_id;  // unique per event: applying it twice changes nothing
  std::int64_t order_id = 0;
  std::int64_t job_id = 0;
  std::string status;  // QUEUED, PRINTING, POST_PROCESSING, QUALITY_CHECK, DONE, FAILED
  std::string reason;
};

// Parses a jobs.status message; throws std::invalid_argument naming what is wrong.
JobEvent ParseJobEvent(const std::string& text);

// The order status a job status leads to: IN_PRODUCTION while it is made, DONE, or
// PRODUCTION_FAILED (back to the manager).
std::string OrderStatusFor(const std::string& job_status);

}  // namespace crm
