// The words for a question: statuses, reasons, categories and actions, each
// name read back as the value it names, and nothing else taken.
#include "studio/questions/question.h"

#include <gtest/gtest.h>

namespace yst::questions {
namespace {

TEST(Category, NamesRoundTrip) {
  for (Category c : {Category::kQuestion, Category::kSuggestion, Category::kComplaint}) {
    EXPECT_EQ(parseCategory(categoryName(c)), c);
  }
  EXPECT_EQ(categoryName(Category::kQuestion), "question");
  EXPECT_EQ(categoryName(Category::kSuggestion), "suggestion");
  EXPECT_EQ(categoryName(Category::kComplaint), "complaint");
  EXPECT_EQ(parseCategory("praise"), Category::kInvalid);
  EXPECT_EQ(parseCategory("Question"), Category::kInvalid);
  EXPECT_EQ(parseCategory(""), Category::kInvalid);
  EXPECT_EQ(parseCategory("invalid"), Category::kInvalid);
}

TEST(QuestionNames, StatusesReasonsAndActionsRoundTrip) {
  for (Status s : {Status::kPending, Status::kApproved, Status::kOnAir, Status::kAnswered,
                   Status::kRejected, Status::kMerged}) {
    EXPECT_EQ(parseStatus(statusName(s)), s);
  }
  for (RejectReason r : {RejectReason::kOffTopic, RejectReason::kDuplicate, RejectReason::kAbusive,
                         RejectReason::kPersonalInfo, RejectReason::kSpam, RejectReason::kOther}) {
    EXPECT_EQ(parseRejectReason(rejectReasonName(r)), r);
  }
  for (Action a : kActions) EXPECT_EQ(parseAction(actionName(a)), a);
  EXPECT_EQ(parseStatus("On_Air"), Status::kInvalid);
  EXPECT_EQ(parseRejectReason("rude"), RejectReason::kNone);
  EXPECT_EQ(parseAction(""), Action::kInvalid);
  EXPECT_EQ(statusName(Status::kOnAir), "on_air");
}

}  // namespace
}  // namespace yst::questions
