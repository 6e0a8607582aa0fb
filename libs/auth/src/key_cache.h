// The realm's signing keys, kept in memory and fetched again when stale or when a token
// names a kid they lack. Thread-safe.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "fabtrace/auth/jwt_verifier.h"
#include "jwks.h"

namespace fabtrace::auth::detail {

class KeyCache {
 public:
  // refresh_interval: age after which the keys are fetched again.
  // min_refresh_interval: least time between two fetches for unknown kids, and between a
  // failed fetch and the next.
  KeyCache(JwksSource source, std::chrono::milliseconds refresh_interval,
           std::chrono::milliseconds min_refresh_interval);

  // The key named `kid`. Throws AuthError unknown_key when the key set lacks it (after a
  // refresh, if one is allowed) and jwks_unavailable when no key set can be had.
  PublicKey Find(std::string_view kid);

 private:
  using Clock = std::chrono::steady_clock;

  struct Lookup {
    bool loaded = false;
    bool stale = false;
    PublicKey key;
  };

  Lookup Look(std::string_view kid) const;
  // Fetches and parses the key set; on success replaces the keys. Call with
  // refresh_mutex_ held. Returns whether it succeeded.
  bool Refresh();
  bool FailedRecently(Clock::time_point now) const;  // with refresh_mutex_ held
  [[noreturn]] void ThrowUnavailable() const;        // with refresh_mutex_ held

  const JwksSource source_;
  const std::chrono::milliseconds refresh_interval_;
  const std::chrono::milliseconds min_refresh_interval_;

  mutable std::shared_mutex keys_mutex_;
  KeySet keys_;                                 // guarded by keys_mutex_
  std::optional<Clock::time_point> loaded_at_;  // guarded by keys_mutex_

  std::mutex refresh_mutex_;  // one fetch at a time; guards what follows
  std::optional<Clock::time_point> last_failure_;
  std::optional<Clock::time_point> last_unknown_kid_refresh_;
  std::string last_error_;
};

}  // namespace fabtrace::auth::detail
