#include "studio/followup/followup.h"

namespace yst::followup {

std::string_view kindName(Kind kind) {
  switch (kind) {
    case Kind::kQuestion:
      return "question";
    case Kind::kCommitment:
      return "commitment";
    case Kind::kInvalid:
      break;
  }
  return "invalid";
}

Kind kindFromName(std::string_view name) {
  if (name == "question") return Kind::kQuestion;
  if (name == "commitment") return Kind::kCommitment;
  return Kind::kInvalid;
}

std::string_view stateName(State state) {
  switch (state) {
    case State::kAwaitingReply:
      return "awaiting_reply";
    case State::kAnswered:
      return "answered";
    case State::kInProgress:
      return "in_progress";
    case State::kDone:
      return "done";
    case State::kInvalid:
      break;
  }
  return "invalid";
}

State stateFromName(std::string_view name) {
  if (name == "awaiting_reply") return State::kAwaitingReply;
  if (name == "answered") return State::kAnswered;
  if (name == "in_progress") return State::kInProgress;
  if (name == "done") return State::kDone;
  return State::kInvalid;
}

std::string_view statusName(Status status) {
  switch (status) {
    case Status::kAwaitingReply:
      return "awaiting_reply";
    case Status::kAnswered:
      return "answered";
    case Status::kInProgress:
      return "in_progress";
    case Status::kDone:
      return "done";
    case Status::kOverdue:
      return "overdue";
    case Status::kInvalid:
      break;
  }
  return "invalid";
}

Status statusFromName(std::string_view name) {
  if (name == "overdue") return Status::kOverdue;
  switch (stateFromName(name)) {
    case State::kAwaitingReply:
      return Status::kAwaitingReply;
    case State::kAnswered:
      return Status::kAnswered;
    case State::kInProgress:
      return Status::kInProgress;
    case State::kDone:
      return Status::kDone;
    case State::kInvalid:
      break;
  }
  return Status::kInvalid;
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
  switch (rating) {
    case Rating::kSatisfied:
      return "satisfied";
    case Rating::kBasicallySatisfied:
      return "basically_satisfied";
    case Rating::kDissatisfied:
      return "dissatisfied";
    case Rating::kInvalid:
      break;
  }
  return "invalid";
}

Rating ratingFromName(std::string_view name) {
  if (name == "satisfied") return Rating::kSatisfied;
  if (name == "basically_satisfied") return Rating::kBasicallySatisfied;
  if (name == "dissatisfied") return Rating::kDissatisfied;
  return Rating::kInvalid;
}

std::string_view ratingLabel(Rating rating) {
  switch (rating) {
    case Rating::kSatisfied:
      return "满意";
    case Rating::kBasicallySatisfied:
      return "基本满意";
    case Rating::kDissatisfied:
      return "不满意";
    case Rating::kInvalid:
      break;
  }
  return "";
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
  switch (state) {
    case State::kAwaitingReply:
      return Status::kAwaitingReply;
    case State::kAnswered:
      return Status::kAnswered;
    case State::kInProgress:
      return Status::kInProgress;
    case State::kDone:
      return Status::kDone;
    case State::kInvalid:
      break;
  }
  return Status::kInvalid;
}

}  // namespace yst::followup
