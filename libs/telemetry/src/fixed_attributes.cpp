#include "fabtrace/telemetry/fixed_attributes.h"

#include "encoded_attributes.h"

namespace common = opentelemetry::common;
namespace nostd = opentelemetry::nostd;

namespace fabtrace::telemetry {
namespace {

common::AttributeValue ValueOf(const FixedAttributes::Value& value) {
  if (const auto* text = std::get_if<std::string>(&value)) {
    return nostd::string_view(text->data(), text->size());
  }
  return std::get<std::int64_t>(value);
}

}  // namespace

struct FixedAttributes::Data {
  std::vector<std::pair<std::string, Value>> values;
  detail::Attributes encoded{9};  // as a span's (OTLP's Span field 9)
};

FixedAttributes::FixedAttributes(std::vector<std::pair<std::string, Value>> attributes) {
  auto data = std::make_shared<Data>();
  data->values = std::move(attributes);
  for (const auto& [key, value] : data->values) data->encoded.Set(key, ValueOf(value));
  data_ = std::move(data);
}

std::size_t FixedAttributes::size() const { return data_ ? data_->values.size() : 0; }

const detail::Attributes* FixedAttributes::encoded() const {
  return data_ ? &data_->encoded : nullptr;
}

bool FixedAttributes::ForEach(
    nostd::function_ref<bool(nostd::string_view, common::AttributeValue)> callback) const noexcept {
  if (!data_) return true;
  for (const auto& [key, value] : data_->values) {
    if (!callback(key, ValueOf(value))) return false;
  }
  return true;
}

}  // namespace fabtrace::telemetry
