#include "approved_order.h"

#include <gtest/gtest.h>

namespace mes {
namespace {

const char* kGood =
    R"({"order_id": 7, "customer_id": 3, "model_id": 9, "model_key": "models/3/abc.stl",
        "material_id": "pla-white", "quantity": 2})";

TEST(ApprovedOrder, ParsesTheMessageCrmApiSends) {
  const auto order = ParseApprovedOrder(kGood);
  EXPECT_EQ(order.order_id, 7);
  EXPECT_EQ(order.customer_id, 3);
  EXPECT_EQ(order.model_id, 9);
  EXPECT_EQ(order.model_key, "models/3/abc.stl");
  EXPECT_EQ(order.material_id, "pla-white");
  EXPECT_EQ(order.quantity, 2);
}

TEST(ApprovedOrder, RefusesWhatCannotBeAJob) {
  for (
      const char* bad : {
          "",
          "not json",
          "[1,2]",
          R"({"order_id": "7"})",
          R"({"order_id": 7, "customer_id": 3, "model_id": 9, "model_key": "k", "material_id": "pla-white", "quantity": 0})",
          R"({"order_id": 7, "customer_id": 3, "model_id": 9, "model_key": "k", "material_id": "pla-white", "quantity": 1001})",
          R"({"order_id": -7, "customer_id": 3, "model_id": 9, "model_key": "k", "material_id": "pla-white", "quantity": 1})",
          R"({"order_id": 7, "customer_id": 3, "model_id": 9, "model_key": "", "material_id": "pla-white", "quantity": 1})",
          R"({"order_id": 7, "customer_id": 3, "model_id": 9, "model_key": "../etc/passwd", "material_id": "pla-white", "quantity": 1})",
          R"({"order_id": 7, "customer_id": 3, "model_id": 9, "model_key": "k", "material_id": 5, "quantity": 1})",
          R"({"order_id": 7.5, "customer_id": 3, "model_id": 9, "model_key": "k", "material_id": "x", "quantity": 1})",
      }) {
    EXPECT_THROW(ParseApprovedOrder(bad), std::invalid_argument) << bad;
  }
}

}  // namespace
}  // namespace mes
