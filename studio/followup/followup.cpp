#include "studio/followup/followup.h"

#include <array>
#include <utility>

#include "studio/base/enum_names.h"

namespace yst::followup {

namespace {

constexpr std::array<std::pair<Kind, std::string_view>, 3> kKindNames = {{
    {Kind::kQuestion, "question"},
    {Kind::kCommitment, "commitment"},
    {Kind::kInvalid, "invalid"},
}};

constexpr std::array<std::pair<State, std::string_view>, 5> kStateNames = {{
    {State::kAwaitingReply, "awaiting_reply"},
    {State::kAnswered, "answered"},
    {State::kInProgress, "in_progress"},
    {State::kDone, "done"},
    {State::kInvalid, "invalid"},
}};

// A status is a state's name, or overdue.
constexpr std::array<std::pair<Status, std::string_view>, 6> kStatusNames = {{
    {Status::kAwaitingReply, "awaiting_reply"},
    {Status::kAnswered, "answered"},
    {Status::kInProgress, "in_progress"},
    {Status::kDone, "done"},
    {Status::kOverdue, "overdue"},
    {Status::kInvalid, "invalid"},
}};

constexpr std::array<std::pair<Rating, std::string_view>, 4> kRatingNames = {{
    {Rating::kSatisfied, "satisfied"},
    {Rating::kBasicallySatisfied, "basically_satisfied"},
    {Rating::kDissatisfied, "dissatisfied"},
    {Rating::kInvalid, "invalid"},
}};

constexpr std::array<std::pair<Rating, std::string_view>, 4> kRatingLabels = {{
    {Rating::kSatisfied, "满意"},
    {Rating::kBasicallySatisfied, "基本满意"},
    {Rating::kDissatisfied, "不满意"},
    {Rating::kInvalid, ""},
}};

}  // namespace

std::string_view kindName(Kind kind) {
  return nameOf(kKindNames, kind);
}

Kind kindFromName(std::string_view name) {
  return valueOf(kKindNames, name);
}

std::string_view stateName(State state) {
  return nameOf(kStateNames, state);
}

State stateFromName(std::string_view name) {
  return valueOf(kStateNames, name);
}

std::string_view statusName(Status status) {
  return nameOf(kStatusNames, status);
}

Status statusFromName(std::string_view name) {
  return valueOf(kStatusNames, name);
}

std::string_view statusLabel(Status status, Kind kind) {
  switch (status) {
    case Status::kAwaitingReply:
      return "待答复";
    case Status::kAnswered:
      return "已答复";
    case Status::kInProgress:
      return "进行中";
    case Status::kDone:
      return "已办结";
    case Status::kOverdue:
      return kind == Kind::kQuestion ? "逾期未答复" : "逾期";
    case Status::kInvalid:
      break;
  }
  return "";
}

std::string_view ratingName(Rating rating) {
  return nameOf(kRatingNames, rating);
}

Rating ratingFromName(std::string_view name) {
  return valueOf(kRatingNames, name);
}

std::string_view ratingLabel(Rating rating) {
  return nameOf(kRatingLabels, rating);
}

State initialState(Kind kind) {
  switch (kind) {
    case Kind::kQuestion:
      return State::kAwaitingReply;
    case Kind::kCommitment:
      return State::kInProgress;
    case Kind::kInvalid:
      break;
  }
  return State::kInvalid;
}

bool isOpen(State state) {
  return state == State::kAwaitingReply || state == State::kInProgress;
}

Status statusOf(State state, Date due, Date today) {
  if (isOpen(state) && std::chrono::sys_days{today} > std::chrono::sys_days{due}) {
    return Status::kOverdue;
  }
  // Open or closed in time: the state's own name.
  return statusFromName(stateName(state));
}

}  // namespace yst::followup
