// The moderation desk: every audience question of the show and the rules for
// what may happen to it.
//
// A question arrives `pending`; producers approve it into the air queue,
// reject it with a reason, edit it (the received text is never changed; each
// edit is kept with who and when), merge it into a similar one, put it on air,
// take it off air and mark it answered; the last actions can be undone. At
// most one question is on air.
//
// The desk is pure state: no I/O, no clock, no threads. The controller owns
// it on its thread, feeds it commands, persists the questions each command
// reports as changed and broadcasts them. That keeps the state machine
// testable on its own and lets the store decide how writes are batched.
//
// The air queue is ordered by `queue_key`, a number per approved question
// (lower airs first). Moving or re-queueing a question gives it a key between
// its new neighbours, so one move writes one row, not the whole queue; keys
// are renumbered only when two neighbours get too close.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "studio/protocol/message.h"
#include "studio/questions/question.h"
#include "studio/text/duplicates.h"
#include "studio/text/word_filter.h"

namespace yst::questions {

struct Command {
  Action action = Action::kInvalid;
  std::int64_t question = 0;  // 0 for off_air/answered: the one on air
  std::int64_t into = 0;      // merge target
  std::int64_t position = 0;  // move: index in the queue, 0 = next to air
  RejectReason reason = RejectReason::kOther;
  std::string text;  // edit: already validated
  std::string by;    // the producer, for edits and the log
  std::string utc;
  std::int64_t timeline_ms = 0;
};

struct Outcome {
  std::string error_code;  // empty: done. not_found | invalid | nothing_to_undo
  std::string error_message;
  Action action = Action::kInvalid;                   // for undo: the action that was undone
  std::int64_t question = 0;                          // the question the command was about
  std::vector<std::int64_t> changed;                  // every question whose stored state changed
  std::vector<std::int64_t> left_public;              // was in the public list, is not any more
  std::optional<std::pair<std::int64_t, Edit>> edit;  // a new edit row to store
  bool ok() const { return error_code.empty(); }
};

class QuestionDesk {
 public:
  // `filter` may be null (no word list); it must outlive the desk.
  explicit QuestionDesk(const text::WordFilter* filter = nullptr);

  // Restores the desk from storage: the questions of the session (any order)
  // and every (question, viewer) vote. `next_id` is one above the largest id
  // in the database (ids are unique across sessions).
  void load(std::vector<Question> questions,
            const std::vector<std::pair<std::int64_t, std::string>>& votes, std::int64_t next_id);

  // A new question, checked against the word list and the questions so far,
  // with its id reserved — but not on the desk yet: it is admit()ted once it
  // is committed to the database, so nobody sees a question that could still
  // be lost.
  Question prepare(const protocol::Submission& submission, const std::string& viewer,
                   std::int64_t observer_id, const std::string& observer_name,
                   const std::string& utc, std::int64_t timeline_ms);
  void admit(Question question);

  Outcome apply(const Command& command);

  enum class VoteResult { kCounted = 0, kNotPublic, kAlreadyVoted };
  VoteResult vote(std::int64_t question, const std::string& viewer);

  const Question* find(std::int64_t id) const;
  // Votes shown for a question: its own and those of the questions merged into it.
  int votesOf(std::int64_t id) const;
  std::int64_t onAir() const { return on_air_; }  // 0: none
  // The air queue, next first.
  std::vector<std::int64_t> queue() const;
  // Every question, by id.
  const std::map<std::int64_t, Question>& all() const { return questions_; }
  // The questions a viewer asked, oldest first.
  std::vector<std::int64_t> askedBy(const std::string& viewer) const;
  // The question admitted with this client id (the asker's page's id for a
  // submission), or null; "" finds none.
  const Question* findByClientId(const std::string& client_id) const;
  Counters counters() const;
  std::size_t undoDepth() const { return undo_.size(); }

  static constexpr std::size_t kMaxUndo = 100;

 private:
  struct UndoEntry {
    Action action = Action::kInvalid;
    std::int64_t question = 0;
    std::vector<Question> before;  // every question the action changed, as it was
  };

  Question* get(std::int64_t id);
  Outcome fail(std::string code, std::string message) const;
  double keyForIndex(std::size_t index, std::int64_t moving) const;
  void renumberQueue(Outcome* outcome);
  void unqueue(std::int64_t id);
  void setStatus(Question& q, Status status, Outcome* outcome);
  void setMergedInto(Question& q, std::int64_t into);
  void takeOffAir(Outcome* outcome);
  void index(const Question& q);

  const text::WordFilter* filter_;
  std::map<std::int64_t, Question> questions_;
  std::int64_t next_id_ = 1;
  std::int64_t on_air_ = 0;
  // queue_key → id for approved questions.
  std::multimap<double, std::int64_t> queue_;
  // question → the questions merged into it.
  std::unordered_map<std::int64_t, std::set<std::int64_t>> merged_from_;
  // question → viewers who voted for it.
  std::unordered_map<std::int64_t, std::unordered_set<std::string>> voters_;
  std::unordered_map<std::string, std::vector<std::int64_t>> by_viewer_;
  std::unordered_map<std::string, std::int64_t> by_client_id_;  // client id → question
  text::DuplicateIndex duplicates_;
  std::vector<UndoEntry> undo_;  // newest last, at most kMaxUndo
};

}  // namespace yst::questions
