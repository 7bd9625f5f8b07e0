// 问政跟踪: what the show follows after it ends. An item is either a viewer's
// question that was not answered on air, forwarded by a producer to a
// department for a written reply, or a commitment (承诺) a department made on
// air, with its deadline. Both stay public until they are closed: a reply
// given, a commitment done.
//
// Here: the kinds, the states an item is kept in, the status the public sees
// (a state read against the due date and today's date), the citizens'
// ratings, and the limits on what people write. Plain data; the store
// (store/followup_table.h) keeps items and their history, the desk
// (desks/followup_desk.h) takes the commands.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "studio/followup/work_calendar.h"

namespace yst::followup {

enum class Kind { kInvalid = 0, kQuestion, kCommitment };

// What is stored. A question waits for its reply and is answered once one is
// written (a later revision keeps it answered); a commitment is in progress
// until the department reports it done.
enum class State { kInvalid = 0, kAwaitingReply, kAnswered, kInProgress, kDone };

// What the public sees: the state, or overdue once the due date has passed
// with the item still open. Spelled as in the API (awaiting_reply, …) and
// the tracker (待答复, …).
enum class Status { kInvalid = 0, kAwaitingReply, kAnswered, kInProgress, kDone, kOverdue };

enum class Rating { kInvalid = 0, kSatisfied, kBasicallySatisfied, kDissatisfied };

std::string_view kindName(Kind kind);  // question | commitment
Kind kindFromName(std::string_view name);
std::string_view stateName(State state);  // awaiting_reply | answered | in_progress | done
State stateFromName(std::string_view name);
std::string_view statusName(Status status);  // … | overdue
Status statusFromName(std::string_view name);
std::string_view statusLabel(Status status,
                             Kind kind);  // 待答复, 已答复, 逾期未答复, 进行中, 已办结, 逾期
std::string_view ratingName(Rating rating);  // satisfied | basically_satisfied | dissatisfied
Rating ratingFromName(std::string_view name);
std::string_view ratingLabel(Rating rating);  // 满意, 基本满意, 不满意

// An item's first state.
State initialState(Kind kind);
bool isOpen(State state);
// Open past its due date (the due date itself is still in time).
Status statusOf(State state, Date due, Date today);

// Limits on what people write (code points).
inline constexpr std::size_t kMaxDepartmentNameChars = 40;
inline constexpr std::size_t kMaxCommitmentChars = 300;
// A written reply, paragraphs kept: 1,200 characters of Chinese are 3.6 KB of
// UTF-8, inside one WebSocket message (at most 4 KiB).
inline constexpr std::size_t kMaxReplyChars = 1200;
inline constexpr std::size_t kMaxProgressChars = 1000;  // what was done
inline constexpr std::size_t kMaxRatingCommentChars = 300;
inline constexpr std::size_t kMaxReasonChars = 200;  // a department's request to reassign
inline constexpr int kMaxWorkingDays = 60;
// A commitment's deadline may be years away ("三年内"), not decades.
inline constexpr int kMaxDueYears = 10;

// A citizen's followup.mine and followup.rate, per connection (the studio's
// and an edge's): each costs the studio a read or a write, and a page sends
// one of each now and then.
inline constexpr double kCitizenBurst = 5;
inline constexpr double kCitizenIntervalS = 3;
// A department's desk at a public edge, per connection: a list after each
// change, an item opened, a reply written.
inline constexpr double kDeskBurst = 20;
inline constexpr double kDeskIntervalS = 0.5;

}  // namespace yst::followup
