#include "job_event.h"

#include <gtest/gtest.h>

namespace crm {
namespace {

TEST(JobEvent, ParsesAValidEvent) {
  const auto event = ParseJobEvent(
      R"({"event_id": "job-7-3", "order_id": 12, "job_id": 7, "status": "FAILED", "reason": "warped"})");
  EXPECT_EQ(event.event_id, "job-7-3");
  EXPECT_EQ(event.order_id, 12);
  EXPECT_EQ(event.job_id, 7);
  EXPECT_EQ(event.reason, "warped");
  EXPECT_EQ(OrderStatusFor(event.status), "PRODUCTION_FAILED");
}

TEST(JobEvent, MapsJobStatusesToOrderStatuses) {
  for (const char* making : {"QUEUED", "PRINTING", "POST_PROCESSING", "QUALITY_CHECK"})
    EXPECT_EQ(OrderStatusFor(making), "IN_PRODUCTION") << making;
  EXPECT_EQ(OrderStatusFor("DONE"), "DONE");
  EXPECT_THROW(OrderStatusFor("EXPLODED"), std::invalid_argument);
}

TEST(JobEvent, RefusesPoison) {
  for (const char* poison :
       {"", "not json", "[1]", R"({"order_id": 1, "job_id": 1, "status": "DONE"})",
        R"({"event_id": "e", "order_id": "1", "job_id": 1, "status": "DONE"})",
        R"({"event_id": "e", "order_id": -1, "job_id": 1, "status": "DONE"})",
        R"({"event_id": "", "order_id": 1, "job_id": 1, "status": "DONE"})",
        R"({"event_id": "e", "order_id": 1, "job_id": 1, "status": "LOST"})",
        R"({"event_id": 5, "order_id": 1, "job_id": 1, "status": "DONE"})"}) {
    EXPECT_THROW(ParseJobEvent(poison), std::invalid_argument) << poison;
  }
}

}  // namespace
}  // namespace crm
