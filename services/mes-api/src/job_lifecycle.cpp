#include "job_lifecycle.h"

#include <algorithm>
#include <iterator>

namespace mes {

bool IsJobStatus(const std::string& status) {
  return std::find(std::begin(kJobStatuses), std::end(kJobStatuses), status) !=
         std::end(kJobStatuses);
}

Transition CheckTransition(const std::string& from, const std::string& to, bool scheduled,
                           const std::string& reason) {
  if (from == to) return Transition::kUnchanged;
  const auto allowed = [&] {
    if (to == "PRINTING") return from == "QUEUED";
    if (to == "POST_PROCESSING") return from == "PRINTING";
    if (to == "QUALITY_CHECK") return from == "POST_PROCESSING";
    if (to == "DONE") return from == "QUALITY_CHECK";
    if (to == "FAILED")
      return from == "PRINTING" || from == "POST_PROCESSING" || from == "QUALITY_CHECK";
    if (to == "QUEUED") return from == "FAILED";
    return false;
  }();
  if (!allowed)
    throw TransitionError("job_transition_not_allowed", "a " + from + " job cannot become " + to);
  if (to == "PRINTING" && !scheduled)
    throw TransitionError("job_not_scheduled", "schedule the job onto a printer first");
  if (to == "FAILED" && reason.empty())
    throw TransitionError("reason_required", "a failed job needs a reason");
  return to == "QUEUED" ? Transition::kReprint : Transition::kChange;
}

std::string JobEventId(std::int64_t order_id, int attempt, const std::string& status) {
  return "mes-order-" + std::to_string(order_id) + "-attempt-" + std::to_string(attempt) + "-" +
         status;
}

}  // namespace mes
