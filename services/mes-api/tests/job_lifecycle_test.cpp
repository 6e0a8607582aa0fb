#include "job_lifecycle.h"

#include <gtest/gtest.h>

namespace mes {
namespace {

TEST(JobLifecycle, TheJobGoesForwardStageByStage) {
  EXPECT_EQ(CheckTransition("QUEUED", "PRINTING", true, ""), Transition::kChange);
  EXPECT_EQ(CheckTransition("PRINTING", "POST_PROCESSING", true, ""), Transition::kChange);
  EXPECT_EQ(CheckTransition("POST_PROCESSING", "QUALITY_CHECK", true, ""), Transition::kChange);
  EXPECT_EQ(CheckTransition("QUALITY_CHECK", "DONE", true, ""), Transition::kChange);
}

TEST(JobLifecycle, SkippingOrGoingBackIsRefused) {
  for (const auto& [from, to] :
       std::vector<std::pair<std::string, std::string>>{{"QUEUED", "DONE"},
                                                        {"PRINTING", "QUALITY_CHECK"},
                                                        {"DONE", "PRINTING"},
                                                        {"DONE", "FAILED"},
                                                        {"QUEUED", "FAILED"},
                                                        {"PRINTING", "QUEUED"}}) {
    try {
      CheckTransition(from, to, true, "why");
      ADD_FAILURE() << from << " -> " << to;
    } catch (const TransitionError& error) {
      EXPECT_EQ(error.code, "job_transition_not_allowed");
    }
  }
}

TEST(JobLifecycle, PrintingNeedsAPrinterAndFailingNeedsAReason) {
  try {
    CheckTransition("QUEUED", "PRINTING", false, "");
    ADD_FAILURE();
  } catch (const TransitionError& error) {
    EXPECT_EQ(error.code, "job_not_scheduled");
  }
  try {
    CheckTransition("PRINTING", "FAILED", true, "");
    ADD_FAILURE();
  } catch (const TransitionError& error) {
    EXPECT_EQ(error.code, "reason_required");
  }
  EXPECT_EQ(CheckTransition("QUALITY_CHECK", "FAILED", true, "warped"), Transition::kChange);
}

TEST(JobLifecycle, AFailedJobIsReprintedAndRepeatsChangeNothing) {
  EXPECT_EQ(CheckTransition("FAILED", "QUEUED", false, ""), Transition::kReprint);
  EXPECT_EQ(CheckTransition("PRINTING", "PRINTING", true, ""), Transition::kUnchanged);
}

TEST(JobLifecycle, EventIdsAreStablePerOrderAttemptAndStatus) {
  EXPECT_EQ(JobEventId(42, 1, "QUEUED"), JobEventId(42, 1, "QUEUED"));
  EXPECT_NE(JobEventId(42, 1, "QUEUED"), JobEventId(42, 2, "QUEUED"));
  EXPECT_NE(JobEventId(42, 1, "QUEUED"), JobEventId(43, 1, "QUEUED"));
  EXPECT_TRUE(IsJobStatus("QUALITY_CHECK"));
  EXPECT_FALSE(IsJobStatus("quality_check"));
}

}  // namespace
}  // namespace mes
