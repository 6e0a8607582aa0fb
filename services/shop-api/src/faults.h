// Named fault flags that make the service take a real failing code path, for the
// catalogue's INTERNAL scenarios. Off by default; they can be switched at run time only
// when the service was started with FABTRACE_FAULTS=1 (the local landscape and tests).
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>

namespace shop {

class Faults {
 public:
  static constexpr const char* kPricingDefect = "pricing_defect";  // quotes and orders throw

  explicit Faults(bool switchable) : switchable_(switchable) {}
  bool switchable() const { return switchable_; }
  bool enabled(const std::string& name) const;
  // False when the name is unknown.
  bool Set(const std::string& name, bool on);
  std::map<std::string, bool> All() const;

 private:
  bool switchable_;
  mutable std::mutex mutex_;
  std::map<std::string, bool> flags_{{kPricingDefect, false}};
};

}  // namespace shop
