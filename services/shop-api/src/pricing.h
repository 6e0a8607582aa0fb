// Quotes: what printing a model in a material costs. Money is in integer cents.
#pragma once

#include <cstdint>
#include <stdexcept>

namespace shop {

struct Quote {
  std::int64_t unit_price_cents = 0;
  std::int64_t total_cents = 0;
};

struct PricingError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// unit price = max(minimum, volume x price per cm3), rounded up to the cent; total =
// unit price x quantity. Quantity 1..1000; volume and prices must be positive.
Quote PriceModel(double volume_cm3, std::int64_t price_per_cm3_cents, std::int64_t minimum_cents,
                 int quantity);

}  // namespace shop
