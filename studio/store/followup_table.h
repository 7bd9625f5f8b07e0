// 问政跟踪 in the database (schema v6): departments with their sign-in links,
// follow-up items (forwarded questions and commitments), the viewers each
// item answers, every change to an item with who made it (followup_history:
// replies are kept in every revision there), and the citizens' ratings.
//
// The functions run on a connection of the caller's: the writes in a Store
// job (the writer thread, inside its transaction), the reads anywhere, on a
// read-only connection too. A write that is not allowed (an item of another
// department, a second rating, a reply to a commitment) throws
// FollowupRefusal before it writes anything; SQLite failures throw
// StoreError.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "studio/followup/followup.h"

namespace yst::store {

// A refusal the client is told about: code as in the protocol's errors
// (not_found, forbidden, invalid, conflict).
class FollowupRefusal : public std::runtime_error {
 public:
  FollowupRefusal(std::string code, const std::string& message)
      : std::runtime_error(message), code_(std::move(code)) {}
  const std::string& code() const { return code_; }

 private:
  std::string code_;
};

struct Department {
  std::int64_t id = 0;
  std::string name;
  std::string created_at;
  bool has_link = false;  // a sign-in link is live
  bool removed = false;
};

// --- departments ---
// A new department with its sign-in link's hash; FollowupRefusal conflict
// when one of that name exists.
std::int64_t addDepartment(sqlite3* db, const std::string& name, const std::string& token_sha256);
// The department of that name, made (without a link) when there is none: the
// show file's list.
std::int64_t ensureDepartment(sqlite3* db, const std::string& name);
// A new sign-in link for a department (the old one stops working); false
// when there is no such department.
bool relinkDepartment(sqlite3* db, std::int64_t id, const std::string& token_sha256);
// Removes a department: its link stops working, it takes no new items; its
// items stay public under its name. False when there is no such department.
bool removeDepartment(sqlite3* db, std::int64_t id);
std::vector<Department> listDepartments(sqlite3* db, bool with_removed);
std::optional<Department> departmentByToken(sqlite3* db, const std::string& token_sha256);
std::optional<Department> findDepartment(sqlite3* db, std::int64_t id);

// --- items ---
struct RatingCounts {
  int satisfied = 0;
  int basically_satisfied = 0;
  int dissatisfied = 0;
  int total() const { return satisfied + basically_satisfied + dissatisfied; }
};

struct FollowupItem {
  std::int64_t id = 0;
  followup::Kind kind = followup::Kind::kInvalid;
  std::int64_t session_id = 0;
  std::string session_title;
  std::int64_t question_id = 0;  // the viewer's question; a commitment's question on air (0: none)
  std::int64_t department_id = 0;
  std::string department;
  std::string text;               // the question as shown, or what was promised
  std::string asker;              // the asker's nickname (questions)
  std::int64_t timeline_ms = -1;  // the moment in the show; -1: none
  followup::State state = followup::State::kInvalid;
  followup::Date due;
  int working_days = 0;  // how the due date was set; 0: given as a date
  std::string created_at;
  std::string created_by;
  std::string reply;         // the latest reply, or what was done
  std::string replied_at;    // first reply (or done), UTC; empty: none yet
  std::string replied_date;  // its civil date, against the due date
  std::string updated_at;
  std::string reassign_reason;  // the department's open request to reassign
  RatingCounts ratings;
};

struct ForwardQuestion {
  std::int64_t question_id = 0;
  std::int64_t department_id = 0;
  followup::Date due;
  int working_days = 0;
  std::string by;
  std::string utc;
};
// Forwards a question (pending, approved or on air; one merged into another
// is forwarded as that other); the viewers of the questions merged into it
// are its askers too. FollowupRefusal: not_found (no question, no
// department), invalid (answered or rejected), conflict (already forwarded:
// the message names the item).
std::int64_t forwardQuestion(sqlite3* db, const ForwardQuestion& forward);

struct MarkCommitment {
  std::int64_t session_id = 0;
  std::int64_t question_id = 0;  // 0: none on air
  std::int64_t department_id = 0;
  std::string text;
  followup::Date due;
  int working_days = 0;
  std::int64_t timeline_ms = -1;
  std::string by;
  std::string utc;
};
std::int64_t markCommitment(sqlite3* db, const MarkCommitment& commitment);

// Who writes: a department (its own items only) or a producer (any).
struct Actor {
  std::string name;                // shown in the history
  std::int64_t department_id = 0;  // 0: a producer
};
// When a change is made: UTC for the history, the civil date for "on time".
struct Stamp {
  std::string utc;
  followup::Date date;
};
// A question's written reply (each revision kept); the first one answers it.
void replyToItem(sqlite3* db, std::int64_t item_id, const Actor& actor, const std::string& text,
                 const Stamp& when);
// A commitment's progress: in_progress with a note, or done with what was
// done (the first done closes it; done again revises what was done).
void reportProgress(sqlite3* db, std::int64_t item_id, const Actor& actor, followup::State state,
                    const std::string& text, const Stamp& when);
// A department asks the producers to give an item to another department.
void requestReassign(sqlite3* db, std::int64_t item_id, const Actor& actor,
                     const std::string& reason, const std::string& utc);
// A producer gives an item to another department (clears any request).
void reassignItem(sqlite3* db, std::int64_t item_id, std::int64_t department_id,
                  const std::string& by, const std::string& utc);
void setDue(sqlite3* db, std::int64_t item_id, followup::Date due, int working_days,
            const std::string& by, const std::string& utc);

// A citizen rates the reply to their question, once. FollowupRefusal:
// not_found, forbidden (not an asker of the item), invalid (nothing to rate
// yet), conflict (rated already). Returns the rating's id; a comment waits
// for a producer (comment_status pending) unless `comment_held` is false.
std::int64_t rateItem(sqlite3* db, std::int64_t item_id, const std::string& viewer,
                      followup::Rating rating, const std::string& comment, bool comment_held,
                      const std::string& utc);
// A producer approves or rejects a rating's comment; false: no such comment.
bool moderateRatingComment(sqlite3* db, std::int64_t rating_id, bool approve, const std::string& by,
                           const std::string& utc);

struct RatingRow {
  std::int64_t id = 0;
  std::int64_t item_id = 0;
  followup::Rating rating = followup::Rating::kInvalid;
  std::string comment;
  std::string comment_status;  // pending | approved | rejected | "" (none)
  std::string rated_at;
};

struct HistoryEntry {
  std::string utc;
  std::string actor;
  std::string action;  // forward, commit, reply, progress, due, reassign, reassign_request, rate, …
  std::string detail_json;  // what changed
};

std::optional<FollowupItem> loadItem(sqlite3* db, std::int64_t id);
std::vector<HistoryEntry> itemHistory(sqlite3* db, std::int64_t id);
// Approved comments (public) or all of them.
std::vector<RatingRow> itemRatings(sqlite3* db, std::int64_t id, bool approved_only);
// Comments waiting for a producer, oldest first.
std::vector<RatingRow> pendingComments(sqlite3* db, int limit);

struct ItemQuery {
  std::int64_t department_id = 0;                        // 0: all
  followup::Status status = followup::Status::kInvalid;  // kInvalid: all
  followup::Kind kind = followup::Kind::kInvalid;        // kInvalid: both
  std::int64_t session_id = 0;                           // 0: all shows
  std::string q;                                         // text search over the item and its reply
  std::int64_t before_id = 0;                            // paging: items older than this id
  bool open_first = false;    // a department's desk: overdue, then by due date
  bool replied_only = false;  // the feed: items with a reply, latest change first
  int limit = 50;
  followup::Date today;  // what "overdue" is measured against
};
std::vector<FollowupItem> listItems(sqlite3* db, const ItemQuery& query);
// Items that carry this viewer's questions, newest first.
std::vector<FollowupItem> itemsOfViewer(sqlite3* db, const std::string& viewer, int limit);
// This viewer's rating of the item, if any.
std::optional<RatingRow> ratingBy(sqlite3* db, std::int64_t item_id, const std::string& viewer);

struct DepartmentStats {
  std::int64_t department_id = 0;
  std::string department;
  int items = 0;
  int open = 0;
  int overdue = 0;
  int closed = 0;
  int closed_on_time = 0;
  // Of the items whose due date has passed or that are closed, the share
  // closed by their due date (0..100); -1 when there are none.
  double on_time_pct = -1;
  double median_days_to_reply = -1;  // calendar days, first reply; -1: none
  RatingCounts ratings;
  double satisfaction_pct = -1;  // satisfied + basically satisfied; -1: no ratings
};
// Every department that has items (and those in the list without any), by name.
std::vector<DepartmentStats> departmentStats(sqlite3* db, followup::Date today);

}  // namespace yst::store
