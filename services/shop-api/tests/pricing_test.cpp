#include "pricing.h"

#include <gtest/gtest.h>

namespace shop {
namespace {

TEST(Pricing, VolumeTimesPriceRoundedUpToTheCent) {
  const auto quote = PriceModel(12.345, 25, 0, 3);  // 308.625 -> 309 cents
  EXPECT_EQ(quote.unit_price_cents, 309);
  EXPECT_EQ(quote.total_cents, 927);
}

TEST(Pricing, MinimumPriceApplies) {
  EXPECT_EQ(PriceModel(0.1, 25, 500, 2).unit_price_cents, 500);
  EXPECT_EQ(PriceModel(0.1, 25, 500, 2).total_cents, 1000);
}

TEST(Pricing, InvalidInputIsRefused) {
  EXPECT_THROW(PriceModel(0, 25, 0, 1), PricingError);
  EXPECT_THROW(PriceModel(-1, 25, 0, 1), PricingError);
  EXPECT_THROW(PriceModel(1, 0, 0, 1), PricingError);
  EXPECT_THROW(PriceModel(1, 25, 0, 0), PricingError);
  EXPECT_THROW(PriceModel(1, 25, 0, 1001), PricingError);
  EXPECT_THROW(PriceModel(1e15, 25, 0, 1), PricingError);
}

}  // namespace
}  // namespace shop
