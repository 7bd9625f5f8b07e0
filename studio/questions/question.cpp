#include "studio/questions/question.h"

#include "studio/base/enum_names.h"

#include <initializer_list>
#include <utility>

namespace yst::questions {
namespace {

constexpr std::array<std::pair<Status, std::string_view>, 6> kStatusNames = {{
    {Status::kPending, "pending"},
    {Status::kApproved, "approved"},
    {Status::kOnAir, "on_air"},
    {Status::kAnswered, "answered"},
    {Status::kRejected, "rejected"},
    {Status::kMerged, "merged"},
}};

constexpr std::array<std::pair<RejectReason, std::string_view>, 6> kReasonNames = {{
    {RejectReason::kOffTopic, "off_topic"},
    {RejectReason::kDuplicate, "duplicate"},
    {RejectReason::kAbusive, "abusive"},
    {RejectReason::kPersonalInfo, "personal_info"},
    {RejectReason::kSpam, "spam"},
    {RejectReason::kOther, "other"},
}};

constexpr std::array<std::pair<Action, std::string_view>, 9> kActionNames = {{
    {Action::kApprove, "approve"},
    {Action::kReject, "reject"},
    {Action::kEdit, "edit"},
    {Action::kMerge, "merge"},
    {Action::kOnAir, "on_air"},
    {Action::kOffAir, "off_air"},
    {Action::kAnswered, "answered"},
    {Action::kMove, "move"},
    {Action::kUndo, "undo"},
}};

static_assert(
    [] {
      for (std::size_t i = 0; i < kActions.size(); ++i) {
        if (kActions[i] != kActionNames[i].first) return false;
      }
      return kActions.size() == kActionNames.size();
    }(),
    "kActions lists the actions in kActionNames' order");

// For each action, the statuses of the questions it applies to.
constexpr unsigned statusBits(std::initializer_list<Status> statuses) {
  unsigned bits = 0;
  for (Status s : statuses) bits |= 1u << static_cast<unsigned>(s);
  return bits;
}
constexpr std::array<std::pair<Action, unsigned>, 8> kAllowedFrom = {{
    {Action::kApprove, statusBits({Status::kPending, Status::kRejected, Status::kMerged})},
    {Action::kReject, statusBits({Status::kPending, Status::kApproved})},
    {Action::kEdit, statusBits({Status::kPending, Status::kApproved, Status::kOnAir,
                                Status::kAnswered, Status::kRejected})},
    {Action::kMerge, statusBits({Status::kPending, Status::kApproved, Status::kRejected})},
    {Action::kOnAir, statusBits({Status::kPending, Status::kApproved, Status::kAnswered})},
    {Action::kOffAir, statusBits({Status::kOnAir})},
    {Action::kAnswered, statusBits({Status::kOnAir, Status::kApproved})},
    {Action::kMove, statusBits({Status::kApproved})},
}};

}  // namespace

std::string_view statusName(Status status) {
  return nameOf(kStatusNames, status);
}
Status parseStatus(std::string_view name) {
  return valueOf(kStatusNames, name);
}
std::string_view rejectReasonName(RejectReason reason) {
  return nameOf(kReasonNames, reason);
}
RejectReason parseRejectReason(std::string_view name) {
  return valueOf(kReasonNames, name);
}
std::string_view actionName(Action action) {
  return nameOf(kActionNames, action);
}
Action parseAction(std::string_view name) {
  return valueOf(kActionNames, name);
}
bool actionAllowed(Action action, Status status) {
  for (const auto& [a, from] : kAllowedFrom) {
    if (a == action) return (from >> static_cast<unsigned>(status)) & 1u;
  }
  return false;
}
std::vector<Action> allowedActions(Status status) {
  std::vector<Action> actions;
  for (const auto& [action, name] : kActionNames) {
    if (actionAllowed(action, status)) actions.push_back(action);
  }
  return actions;
}

std::string_view categoryName(Category category) {
  switch (category) {
    case Category::kQuestion:
      return "question";
    case Category::kSuggestion:
      return "suggestion";
    case Category::kComplaint:
      return "complaint";
    case Category::kInvalid:
      break;
  }
  return "invalid";
}

Category parseCategory(std::string_view name) {
  for (Category c : {Category::kQuestion, Category::kSuggestion, Category::kComplaint}) {
    if (name == categoryName(c)) return c;
  }
  return Category::kInvalid;
}

}  // namespace yst::questions
