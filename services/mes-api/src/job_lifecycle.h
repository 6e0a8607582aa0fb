// A production job's life: QUEUED -> PRINTING -> POST_PROCESSING -> QUALITY_CHECK -> DONE,
// FAILED (with a reason) from any stage of making it, and a reprint from FAILED back to
// QUEUED. Which operator requests are allowed, and the event ids published for them.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace mes {

inline constexpr const char* kJobStatuses[] = {"QUEUED",        "PRINTING", "POST_PROCESSING",
                                               "QUALITY_CHECK", "DONE",     "FAILED"};

bool IsJobStatus(const std::string& status);

// A request the job's state does not allow; `code` is the API's error code.
struct TransitionError : std::runtime_error {
  TransitionError(std::string error_code, const std::string& message)
      : std::runtime_error(message), code(std::move(error_code)) {}
  std::string code;  // job_transition_not_allowed, job_not_scheduled, reason_required
};

enum class Transition { kUnchanged, kChange, kReprint };

// Checks moving a job from `from` to `to`; throws TransitionError when not allowed.
Transition CheckTransition(const std::string& from, const std::string& to, bool scheduled,
                           const std::string& reason);

// The id of the jobs.status event for a job's status in an attempt: the same change
// always gets the same id, so a consumer applies it once even when it is sent twice.
std::string JobEventId(std::int64_t order_id, int attempt, const std::string& status);

}  // namespace mes
