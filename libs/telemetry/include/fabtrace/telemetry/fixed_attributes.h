// Attributes whose values are the same for every span of their owner (a server's scheme
// and port, a database's system, namespace and address): written once, when the owner is
// made, in the form our recordable stores them (OTLP's wire format), and copied into each
// span as one block by our tracer instead of being encoded again per span
// (docs/performance.md). A tracer that does not know this class (FABTRACE_TRACER=sdk)
// receives them one by one through StartAttributes, as ordinary start attributes.
//
// Immutable once made; copies share it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "opentelemetry/common/attribute_value.h"
#include "opentelemetry/nostd/function_ref.h"
#include "opentelemetry/nostd/string_view.h"

namespace fabtrace::telemetry {

namespace detail {
class Attributes;
}

class FixedAttributes {
 public:
  using Value = std::variant<std::string, std::int64_t>;

  FixedAttributes() = default;  // none
  explicit FixedAttributes(std::vector<std::pair<std::string, Value>> attributes);

  std::size_t size() const;

  // Each attribute, as a tracer receives start attributes.
  bool ForEach(opentelemetry::nostd::function_ref<bool(opentelemetry::nostd::string_view,
                                                       opentelemetry::common::AttributeValue)>
                   callback) const noexcept;

  // The attributes as our recordable stores them (null when there are none).
  const detail::Attributes* encoded() const;

 private:
  struct Data;
  std::shared_ptr<const Data> data_;
};

}  // namespace fabtrace::telemetry
