#include "faults.h"

namespace shop {

bool Faults::enabled(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = flags_.find(name);
  return it != flags_.end() && it->second;
}

bool Faults::Set(const std::string& name, bool on) {
  std::lock_guard lock(mutex_);
  auto it = flags_.find(name);
  if (it == flags_.end()) return false;
  it->second = on;
  return true;
}

std::map<std::string, bool> Faults::All() const {
  std::lock_guard lock(mutex_);
  return flags_;
}

}  // namespace shop
