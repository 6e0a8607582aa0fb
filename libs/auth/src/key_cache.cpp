#include "key_cache.h"

namespace fabtrace::auth::detail {

KeyCache::KeyCache(JwksSource source, std::chrono::milliseconds refresh_interval,
                   std::chrono::milliseconds min_refresh_interval)
    : source_(std::move(source)),
      refresh_interval_(refresh_interval),
      min_refresh_interval_(min_refresh_interval) {}

KeyCache::Lookup KeyCache::Look(std::string_view kid) const {
  std::shared_lock lock(keys_mutex_);
  Lookup lookup;
  lookup.loaded = loaded_at_.has_value();
  lookup.stale = lookup.loaded && Clock::now() - *loaded_at_ >= refresh_interval_;
  const auto it = keys_.find(kid);
  if (it != keys_.end()) lookup.key = it->second;
  return lookup;
}

bool KeyCache::Refresh() {
  KeySet keys;
  try {
    keys = ParseJwks(source_());
  } catch (const std::exception& error) {
    last_failure_ = Clock::now();
    last_error_ = error.what();
    return false;
  } catch (...) {
    last_failure_ = Clock::now();
    last_error_ = "the JWKS source failed";
    return false;
  }
  {
    std::unique_lock lock(keys_mutex_);
    keys_ = std::move(keys);
    loaded_at_ = Clock::now();
  }
  last_failure_.reset();
  last_error_.clear();
  return true;
}

bool KeyCache::FailedRecently(Clock::time_point now) const {
  return last_failure_ && now - *last_failure_ < min_refresh_interval_;
}

void KeyCache::ThrowUnavailable() const {
  throw AuthError(AuthErrorCode::kJwksUnavailable,
                  "the signing keys are unavailable: " +
                      (last_error_.empty() ? std::string("?") : last_error_));
}

PublicKey KeyCache::Find(std::string_view kid) {
  bool fetched = false;  // by this call: then another fetch would bring nothing new
  auto lookup = Look(kid);
  if (!lookup.loaded) {
    std::lock_guard lock(refresh_mutex_);
    lookup = Look(kid);  // another thread may have loaded them meanwhile
    if (!lookup.loaded) {
      if (FailedRecently(Clock::now())) ThrowUnavailable();
      if (!Refresh()) ThrowUnavailable();
      fetched = true;
      lookup = Look(kid);
    }
  } else if (lookup.stale) {
    // One thread refreshes; the others go on with the keys they have. A failure keeps the
    // keys already known.
    std::unique_lock lock(refresh_mutex_, std::try_to_lock);
    if (lock.owns_lock()) {
      lookup = Look(kid);
      if (lookup.stale && !FailedRecently(Clock::now())) {
        fetched = Refresh();
        lookup = Look(kid);
      }
    }
  }
  if (lookup.key) return lookup.key;

  std::lock_guard lock(refresh_mutex_);
  lookup = Look(kid);  // another thread's refresh may have brought it
  if (lookup.key) return lookup.key;
  const auto now = Clock::now();
  const bool refresh_allowed =
      !fetched &&
      (!last_unknown_kid_refresh_ || now - *last_unknown_kid_refresh_ >= min_refresh_interval_);
  if (refresh_allowed) {
    if (FailedRecently(now)) ThrowUnavailable();
    last_unknown_kid_refresh_ = now;
    if (!Refresh()) ThrowUnavailable();
    lookup = Look(kid);
    if (lookup.key) return lookup.key;
  }
  throw AuthError(AuthErrorCode::kUnknownKey, "no key of the realm's JWKS has the token's kid");
}

}  // namespace fabtrace::auth::detail
