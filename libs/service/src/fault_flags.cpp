#include "fabtrace/service/fault_flags.h"

namespace fabtrace::service {

FaultFlags::FaultFlags(const std::vector<std::string>& names, bool switchable)
    : switchable_(switchable) {
  for (const auto& name : names) flags_.emplace(name, false);
}

bool FaultFlags::enabled(const std::string& name) const {
  std::lock_guard lock(mutex_);
  const auto it = flags_.find(name);
  return it != flags_.end() && it->second;
}

bool FaultFlags::Set(const std::string& name, bool on) {
  std::lock_guard lock(mutex_);
  const auto it = flags_.find(name);
  if (it == flags_.end()) return false;
  it->second = on;
  return true;
}

std::map<std::string, bool> FaultFlags::All() const {
  std::lock_guard lock(mutex_);
  return flags_;
}

}  // namespace fabtrace::service
