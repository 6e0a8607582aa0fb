// Named fault flags that make a service take a real failing code path, for the
// catalogue's INTERNAL scenarios. Off by default; switched only on the service's admin
// listener (loopback, never the public router), and only when the service was started
// with FABTRACE_FAULTS=1 (the local landscape and the tests).
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace fabtrace::service {

class FaultFlags {
 public:
  FaultFlags(const std::vector<std::string>& names, bool switchable);
  bool switchable() const { return switchable_; }
  bool enabled(const std::string& name) const;
  // False when the name is unknown.
  bool Set(const std::string& name, bool on);
  std::map<std::string, bool> All() const;

 private:
  bool switchable_;
  mutable std::mutex mutex_;
  std::map<std::string, bool> flags_;
};

}  // namespace fabtrace::service
