// An order CRM approved into production: the message of orders.approved.
#pragma once

#include <cstdint>
#include <string>

namespace mes {

struct ApprovedOrder {
  std::int64_t order_id = 0;
  std::int64_t customer_id = 0;
  std::int64_t model_id = 0;
  std::string model_key;  // the STL file in the 3d files storage
  std::string material_id;
  int quantity = 0;
};

// Parses an orders.approved message; throws std::invalid_argument naming what is wrong
// (the consumer then dead-letters the message with that reason).
ApprovedOrder ParseApprovedOrder(const std::string& text);

}  // namespace mes
