#include "approved_order.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "fabtrace/s3/s3_client.h"

namespace mes {

ApprovedOrder ParseApprovedOrder(const std::string& text) {
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object())
    throw std::invalid_argument("orders.approved message is not a JSON object");
  const auto integer = [&json](const char* field, std::int64_t max) {
    if (!json.contains(field) || !json[field].is_number_integer() ||
        json[field].get<std::int64_t>() <= 0 || json[field].get<std::int64_t>() > max)
      throw std::invalid_argument(std::string("orders.approved message: '") + field +
                                  "' must be an integer from 1 to " + std::to_string(max));
    return json[field].get<std::int64_t>();
  };
  const auto text_field = [&json](const char* field) {
    if (!json.contains(field) || !json[field].is_string() ||
        json[field].get<std::string>().empty() || json[field].get<std::string>().size() > 300)
      throw std::invalid_argument(std::string("orders.approved message: '") + field +
                                  "' must be a non-empty string");
    return json[field].get<std::string>();
  };
  ApprovedOrder order{integer("order_id", INT64_MAX), integer("customer_id", INT64_MAX),
                      integer("model_id", INT64_MAX), text_field("model_key"),
                      text_field("material_id"),      static_cast<int>(integer("quantity", 1000))};
  if (!fabtrace::s3::IsValidObjectKey(order.model_key))
    throw std::invalid_argument("orders.approved message: 'model_key' is not a valid object key");
  return order;
}

}  // namespace mes
