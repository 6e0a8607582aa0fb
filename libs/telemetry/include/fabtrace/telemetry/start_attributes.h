// The attributes a span starts with, collected on the stack and handed to StartSpan at
// once: the tracer records them before the span is shared, without a call (and a lock) per
// attribute afterwards (docs/performance.md). Keys and values are views: what they point
// at must outlive the StartSpan call only (the tracer copies them). Holds up to 16; more
// are ignored, so set what matters first. One block of FixedAttributes may be added
// too: recorded after the others (a key in both keeps the fixed value).
#pragma once

#include <array>
#include <cstddef>
#include <utility>

#include "fabtrace/telemetry/fixed_attributes.h"
#include "opentelemetry/common/attribute_value.h"
#include "opentelemetry/common/key_value_iterable.h"
#include "opentelemetry/nostd/span.h"
#include "opentelemetry/nostd/string_view.h"

namespace fabtrace::telemetry {

class StartAttributes final : public opentelemetry::common::KeyValueIterable {
 public:
  void Add(opentelemetry::nostd::string_view key, opentelemetry::common::AttributeValue value) {
    if (count_ < items_.size()) items_[count_++] = {key, value};
  }
  // The owner's fixed attributes (they must outlive the StartSpan call); a second call
  // replaces the first.
  void Add(const FixedAttributes& fixed) { fixed_ = &fixed; }
  bool ForEachKeyValue(
      opentelemetry::nostd::function_ref<bool(opentelemetry::nostd::string_view,
                                              opentelemetry::common::AttributeValue)>
          callback) const noexcept override {
    for (std::size_t i = 0; i < count_; ++i) {
      if (!callback(items_[i].first, items_[i].second)) return false;
    }
    return fixed_ == nullptr || fixed_->ForEach(callback);
  }
  std::size_t size() const noexcept override {
    return count_ + (fixed_ != nullptr ? fixed_->size() : 0);
  }

  using Item = std::pair<opentelemetry::nostd::string_view, opentelemetry::common::AttributeValue>;
  // The attributes added, in order (what a tracer that knows this class reads directly).
  opentelemetry::nostd::span<const Item> items() const noexcept { return {items_.data(), count_}; }
  const FixedAttributes* fixed() const noexcept { return fixed_; }

 private:
  std::array<Item, 16> items_;
  std::size_t count_ = 0;
  const FixedAttributes* fixed_ = nullptr;
};

}  // namespace fabtrace::telemetry
