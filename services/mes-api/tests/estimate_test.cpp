#include "estimate.h"

#include <gtest/gtest.h>

namespace mes {
namespace {

fabtrace::models::ModelGeometry Box(double x, double y, double z) {
  fabtrace::models::ModelGeometry geometry;
  geometry.triangles = 12;
  geometry.volume_mm3 = x * y * z;
  geometry.min = {0, 0, 0};
  geometry.max = {x, y, z};
  return geometry;
}

const Material kPla{"pla-white", "FDM", 1.24, 12};
const Material kResin{"resin-grey", "SLA", 1.15, 40};

TEST(Estimate, FdmPrintsPartsOneAfterTheOther) {
  const auto one = EstimatePrint(Box(20, 20, 20), kPla, 1);  // 8 cm3, 100 layers of 0.2 mm
  EXPECT_DOUBLE_EQ(one.volume_cm3, 8);
  EXPECT_EQ(one.layers, 100);
  EXPECT_NEAR(one.material_grams, 9.92, 1e-9);
  // 10 min set-up + 8/12 h (40 min) + 100 layers x 2 s (3.33 min)
  EXPECT_EQ(one.print_minutes, 54);
  const auto three = EstimatePrint(Box(20, 20, 20), kPla, 3);
  EXPECT_EQ(three.print_minutes, 10 + 130);
  EXPECT_NEAR(three.material_grams, 29.76, 1e-9);
}

TEST(Estimate, SlaBuildsAllPartsOnOnePlate) {
  const auto one = EstimatePrint(Box(20, 20, 10), kResin, 1);  // 4 cm3, 200 layers of 0.05 mm
  EXPECT_EQ(one.layers, 200);
  // 20 min set-up + 200 x 8 s (26.67 min) + 4/40 h (6 min)
  EXPECT_EQ(one.print_minutes, 53);
  const auto four = EstimatePrint(Box(20, 20, 10), kResin, 4);
  EXPECT_EQ(four.print_minutes, 71);  // layers once, volume four times
}

TEST(Estimate, RefusesUnknownTechnologyAndBadQuantity) {
  EXPECT_THROW(EstimatePrint(Box(1, 1, 1), {"x", "DLP", 1, 1}, 1), std::invalid_argument);
  EXPECT_THROW(EstimatePrint(Box(1, 1, 1), kPla, 0), std::invalid_argument);
}

TEST(Estimate, RoundTripsThroughJson) {
  const auto estimate = EstimatePrint(Box(20, 30, 40), kPla, 2);
  const auto back = EstimateFromJson(ToJson(estimate));
  EXPECT_EQ(back.print_minutes, estimate.print_minutes);
  EXPECT_EQ(back.layers, estimate.layers);
  EXPECT_DOUBLE_EQ(back.bbox_mm[1], 30);
}

TEST(CompatiblePrinters, MatchTechnologyMaterialAndSizeInAnyOrientation) {
  const std::vector<Printer> printers = {
      {"fdm-1", "FDM", {"pla-white", "petg-black"}, {250, 210, 210}, false},
      {"fdm-petg", "FDM", {"petg-black"}, {250, 210, 210}, false},
      {"sla-1", "SLA", {"resin-grey"}, {145, 145, 185}, false},
      {"fdm-xl", "FDM", {"pla-white"}, {360, 360, 360}, true},
  };
  // 240 x 200 x 100 fits fdm-1 only lying flat; maintenance is not a matter of fit.
  const auto lying = EstimatePrint(Box(100, 200, 240), kPla, 1);
  EXPECT_EQ(CompatiblePrinters(lying, kPla, printers),
            (std::vector<std::string>{"fdm-1", "fdm-xl"}));
  const auto huge = EstimatePrint(Box(300, 300, 300), kPla, 1);
  EXPECT_EQ(CompatiblePrinters(huge, kPla, printers), (std::vector<std::string>{"fdm-xl"}));
  const auto small = EstimatePrint(Box(10, 10, 10), kResin, 1);
  EXPECT_EQ(CompatiblePrinters(small, kResin, printers), (std::vector<std::string>{"sla-1"}));
}

}  // namespace
}  // namespace mes
