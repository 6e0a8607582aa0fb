#include "pricing.h"

#include <cmath>

namespace shop {

Quote PriceModel(double volume_cm3, std::int64_t price_per_cm3_cents, std::int64_t minimum_cents,
                 int quantity) {
  if (!(volume_cm3 > 0) || !std::isfinite(volume_cm3))
    throw PricingError("the model has no volume");
  if (price_per_cm3_cents <= 0 || minimum_cents < 0)
    throw PricingError("the material has no valid price");
  if (quantity < 1 || quantity > 1000) throw PricingError("quantity must be between 1 and 1000");
  const double raw = std::ceil(volume_cm3 * static_cast<double>(price_per_cm3_cents));
  if (raw > 1e12) throw PricingError("the model is too large to quote");
  Quote quote;
  quote.unit_price_cents = std::max(minimum_cents, static_cast<std::int64_t>(raw));
  quote.total_cents = quote.unit_price_cents * quantity;
  return quote;
}

}  // namespace shop
