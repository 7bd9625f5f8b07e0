#include "studio/questions/question_desk.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace yst::questions {
namespace {

// Two neighbouring keys closer than this are renumbered: a double has ~52
// bits, so about 40 moves into the same gap fit before that happens.
constexpr double kMinKeyGap = 1e-9;

}  // namespace

QuestionDesk::QuestionDesk(const text::WordFilter* filter) : filter_(filter) {}

void QuestionDesk::index(const Question& q) {
  by_viewer_[q.viewer].push_back(q.id);
  if (!q.client_id.empty()) by_client_id_.emplace(q.client_id, q.id);
  if (q.status != Status::kRejected && q.status != Status::kMerged) {
    duplicates_.add(q.id, q.original_text);
  }
  if (q.status == Status::kApproved) queue_.emplace(q.queue_key, q.id);
  if (q.status == Status::kOnAir) on_air_ = q.id;
  if (q.status == Status::kMerged && q.merged_into != 0) merged_from_[q.merged_into].insert(q.id);
}

void QuestionDesk::load(std::vector<Question> questions,
                        const std::vector<std::pair<std::int64_t, std::string>>& votes,
                        std::int64_t next_id) {
  questions_.clear();
  queue_.clear();
  merged_from_.clear();
  voters_.clear();
  by_viewer_.clear();
  by_client_id_.clear();
  undo_.clear();
  duplicates_ = text::DuplicateIndex();
  on_air_ = 0;
  std::sort(questions.begin(), questions.end(),
            [](const Question& a, const Question& b) { return a.id < b.id; });
  for (Question& q : questions) {
    // A database written by a crash between two writes could in principle
    // hold two questions on air; the later one wins, the other is queued.
    if (q.status == Status::kOnAir && on_air_ != 0) {
      Question& earlier = questions_.at(on_air_);
      earlier.status = Status::kApproved;
      earlier.queue_key = queue_.empty() ? 1 : queue_.begin()->first - 1;
      queue_.emplace(earlier.queue_key, earlier.id);
    }
    const std::int64_t id = q.id;
    auto [it, inserted] = questions_.emplace(id, std::move(q));
    if (inserted) index(it->second);
  }
  for (const auto& [question, viewer] : votes) voters_[question].insert(viewer);
  next_id_ =
      std::max<std::int64_t>(next_id, questions_.empty() ? 1 : questions_.rbegin()->first + 1);
}

Question QuestionDesk::prepare(const protocol::Submission& submission, const std::string& viewer,
                               std::int64_t observer_id, const std::string& observer_name,
                               const std::string& utc, std::int64_t timeline_ms) {
  Question q;
  q.id = next_id_++;
  q.viewer = viewer;
  q.nickname = submission.nickname;
  q.category = submission.category;
  q.original_text = submission.text;
  q.client_id = submission.client_id;
  q.status = Status::kPending;
  q.observer_id = observer_id;
  q.observer_name = observer_name;
  q.received_utc = utc;
  q.received_ms = timeline_ms;
  if (filter_) q.matched_words = filter_->matches(q.original_text);
  if (auto similar = duplicates_.findSimilar(q.original_text)) {
    // Point at the first question of the group, so that a run of similar
    // questions all name the same one.
    std::int64_t first = *similar;
    if (const Question* s = find(first); s && s->duplicate_of != 0 && find(s->duplicate_of)) {
      first = s->duplicate_of;
    }
    q.duplicate_of = first;
  }
  return q;
}

void QuestionDesk::admit(Question question) {
  const std::int64_t id = question.id;
  next_id_ = std::max(next_id_, id + 1);
  auto [it, inserted] = questions_.emplace(id, std::move(question));
  if (inserted) index(it->second);
}

const Question* QuestionDesk::find(std::int64_t id) const {
  auto it = questions_.find(id);
  return it == questions_.end() ? nullptr : &it->second;
}

Question* QuestionDesk::get(std::int64_t id) {
  auto it = questions_.find(id);
  return it == questions_.end() ? nullptr : &it->second;
}

int QuestionDesk::votesOf(std::int64_t id) const {
  const Question* q = find(id);
  if (!q) return 0;
  int votes = q->own_votes;
  if (auto it = merged_from_.find(id); it != merged_from_.end()) {
    for (std::int64_t child : it->second) {
      if (const Question* c = find(child)) votes += c->own_votes;
    }
  }
  return votes;
}

std::vector<std::int64_t> QuestionDesk::queue() const {
  std::vector<std::int64_t> ids;
  ids.reserve(queue_.size());
  for (const auto& [key, id] : queue_) ids.push_back(id);
  return ids;
}

std::vector<std::int64_t> QuestionDesk::askedBy(const std::string& viewer) const {
  auto it = by_viewer_.find(viewer);
  return it == by_viewer_.end() ? std::vector<std::int64_t>() : it->second;
}

const Question* QuestionDesk::findByClientId(const std::string& client_id) const {
  if (client_id.empty()) return nullptr;
  auto it = by_client_id_.find(client_id);
  return it == by_client_id_.end() ? nullptr : find(it->second);
}

Counters QuestionDesk::counters() const {
  Counters c;
  c.received = static_cast<std::int64_t>(questions_.size());
  for (const auto& [id, q] : questions_) {
    switch (q.status) {
      case Status::kPending:
        ++c.pending;
        break;
      case Status::kApproved:
        ++c.approved;
        break;
      case Status::kOnAir:
        ++c.on_air;
        break;
      case Status::kAnswered:
        ++c.answered;
        break;
      case Status::kRejected:
        ++c.rejected;
        break;
      case Status::kMerged:
        ++c.merged;
        break;
      case Status::kInvalid:
        break;
    }
  }
  return c;
}

QuestionDesk::VoteResult QuestionDesk::vote(std::int64_t question, const std::string& viewer) {
  Question* q = get(question);
  if (!q || !q->isPublic()) return VoteResult::kNotPublic;
  if (!voters_[question].insert(viewer).second) return VoteResult::kAlreadyVoted;
  ++q->own_votes;
  return VoteResult::kCounted;
}

Outcome QuestionDesk::fail(std::string code, std::string message) const {
  Outcome o;
  o.error_code = std::move(code);
  o.error_message = std::move(message);
  return o;
}

// The key that puts a question at `index` of the queue as it would be
// without `moving` (0: none).
double QuestionDesk::keyForIndex(std::size_t index, std::int64_t moving) const {
  // Approving appends: found from the back without walking a long queue.
  if (index >= queue_.size()) {
    for (auto it = queue_.rbegin(); it != queue_.rend(); ++it) {
      if (it->second != moving) return it->first + 1;
    }
    return 1;
  }
  const double* previous = nullptr;
  std::size_t i = 0;
  for (const auto& [key, id] : queue_) {
    if (id == moving) continue;
    if (i == index) return previous ? (*previous + key) / 2 : key - 1;
    previous = &key;
    ++i;
  }
  return previous ? *previous + 1 : 1;
}

void QuestionDesk::unqueue(std::int64_t id) {
  // By id, not by key: callers may already have changed the key.
  for (auto it = queue_.begin(); it != queue_.end(); ++it) {
    if (it->second == id) {
      queue_.erase(it);
      return;
    }
  }
}

void QuestionDesk::renumberQueue(Outcome* outcome) {
  std::multimap<double, std::int64_t> renumbered;
  double key = 1;
  for (const auto& [old_key, id] : queue_) {
    Question& q = questions_.at(id);
    q.queue_key = key;
    renumbered.emplace(key, id);
    outcome->changed.push_back(id);
    key += 1;
  }
  queue_ = std::move(renumbered);
}

// Every status change goes through here so that the queue and the on-air
// slot always agree with the questions.
void QuestionDesk::setStatus(Question& q, Status status, Outcome* outcome) {
  const bool was_public = q.isPublic();
  unqueue(q.id);
  if (q.status == Status::kOnAir && on_air_ == q.id) on_air_ = 0;
  if (q.status == Status::kRejected || q.status == Status::kMerged) {
    duplicates_.add(q.id, q.original_text);
  }
  q.status = status;
  if (status == Status::kApproved) queue_.emplace(q.queue_key, q.id);
  if (status == Status::kOnAir) on_air_ = q.id;
  if (status == Status::kRejected || status == Status::kMerged) duplicates_.remove(q.id);
  if (status != Status::kRejected) q.reject_reason = RejectReason::kNone;
  if (status != Status::kMerged) setMergedInto(q, 0);
  outcome->changed.push_back(q.id);
  if (was_public && !q.isPublic()) outcome->left_public.push_back(q.id);
}

void QuestionDesk::setMergedInto(Question& q, std::int64_t into) {
  if (q.merged_into == into) return;
  if (q.merged_into != 0) {
    auto it = merged_from_.find(q.merged_into);
    if (it != merged_from_.end()) {
      it->second.erase(q.id);
      if (it->second.empty()) merged_from_.erase(it);
    }
  }
  q.merged_into = into;
  if (into != 0) merged_from_[into].insert(q.id);
}

// The question on air goes back to the front of the queue.
void QuestionDesk::takeOffAir(Outcome* outcome) {
  Question* current = get(on_air_);
  if (!current) {
    on_air_ = 0;
    return;
  }
  current->queue_key = keyForIndex(0, current->id);
  setStatus(*current, Status::kApproved, outcome);
}

Outcome QuestionDesk::apply(const Command& command) {
  if (command.action == Action::kUndo) {
    if (undo_.empty()) return fail("nothing_to_undo", "there is no action to undo");
    UndoEntry entry = std::move(undo_.back());
    undo_.pop_back();
    Outcome outcome;
    outcome.action = entry.action;
    outcome.question = entry.question;
    // Restore in reverse, so that a question changed twice ends as it was first.
    for (auto it = entry.before.rbegin(); it != entry.before.rend(); ++it) {
      const Question& before = *it;
      Question* q = get(before.id);
      if (!q) continue;
      if (before.text() != q->text()) {
        // Edits are history: an undone edit is a new edit back to the old text.
        Edit revert{before.text(), command.by, command.utc, command.timeline_ms};
        q->edits.push_back(revert);
        outcome.edit = std::make_pair(q->id, revert);
      }
      q->queue_key = before.queue_key;
      q->aired_utc = before.aired_utc;
      q->aired_ms = before.aired_ms;
      q->answered_utc = before.answered_utc;
      q->answered_ms = before.answered_ms;
      if (before.status == Status::kOnAir && on_air_ != 0 && on_air_ != q->id) {
        takeOffAir(&outcome);
      }
      setStatus(*q, before.status, &outcome);
      q->reject_reason = before.reject_reason;
      setMergedInto(*q, before.merged_into);
    }
    return outcome;
  }

  const bool defaults_to_on_air =
      command.action == Action::kOffAir || command.action == Action::kAnswered;
  const std::int64_t id = command.question == 0 && defaults_to_on_air ? on_air_ : command.question;
  if (id == 0) {
    return defaults_to_on_air ? fail("invalid", "no question is on air")
                              : fail("invalid", "missing field \"question\"");
  }
  Question* q = get(id);
  if (!q) return fail("not_found", "no question " + std::to_string(id));

  if (command.action != Action::kInvalid && !actionAllowed(command.action, q->status)) {
    return fail("invalid", std::string(actionName(command.action)) + " is not allowed for a " +
                               std::string(statusName(q->status)) + " question");
  }

  UndoEntry undo{command.action, id, {*q}};
  Outcome outcome;
  outcome.action = command.action;
  outcome.question = id;

  switch (command.action) {
    case Action::kApprove: {
      q->queue_key = keyForIndex(queue_.size(), id);
      setStatus(*q, Status::kApproved, &outcome);
      break;
    }
    case Action::kReject: {
      setStatus(*q, Status::kRejected, &outcome);
      q->reject_reason =
          command.reason == RejectReason::kNone ? RejectReason::kOther : command.reason;
      break;
    }
    case Action::kEdit: {
      if (command.text == q->text()) return fail("invalid", "the text is unchanged");
      Edit edit{command.text, command.by, command.utc, command.timeline_ms};
      q->edits.push_back(edit);
      outcome.edit = std::make_pair(id, edit);
      outcome.changed.push_back(id);
      break;
    }
    case Action::kMerge: {
      if (command.into == id) return fail("invalid", "a question cannot be merged into itself");
      Question* target = get(command.into);
      if (!target) return fail("not_found", "no question " + std::to_string(command.into));
      if (target->status == Status::kMerged || target->status == Status::kRejected) {
        return fail("invalid",
                    "cannot merge into a " + std::string(statusName(target->status)) + " question");
      }
      // Questions already merged into this one follow it to the target.
      if (auto it = merged_from_.find(id); it != merged_from_.end()) {
        const std::set<std::int64_t> children = it->second;
        for (std::int64_t child_id : children) {
          Question& child = questions_.at(child_id);
          undo.before.push_back(child);
          setMergedInto(child, command.into);
          outcome.changed.push_back(child_id);
        }
      }
      setStatus(*q, Status::kMerged, &outcome);
      setMergedInto(*q, command.into);
      outcome.changed.push_back(command.into);  // its vote count changed
      break;
    }
    case Action::kOnAir: {
      if (on_air_ != 0 && on_air_ != id) {
        undo.before.push_back(questions_.at(on_air_));
        takeOffAir(&outcome);
      }
      q->aired_utc = command.utc;
      q->aired_ms = command.timeline_ms;
      setStatus(*q, Status::kOnAir, &outcome);
      break;
    }
    case Action::kOffAir: {
      takeOffAir(&outcome);
      break;
    }
    case Action::kAnswered: {
      q->answered_utc = command.utc;
      q->answered_ms = command.timeline_ms;
      setStatus(*q, Status::kAnswered, &outcome);
      break;
    }
    case Action::kMove: {
      if (command.position < 0) return fail("invalid", "position is 0 or more");
      const auto index = static_cast<std::size_t>(command.position);
      const double key = keyForIndex(index, id);
      bool crowded = false;
      for (const auto& [k, other] : queue_) {
        if (other != id && std::abs(k - key) < kMinKeyGap) crowded = true;
      }
      if (crowded) {
        // Renumbering changes every key: the undo entry restores them all.
        undo.before.clear();
        for (std::int64_t other : queue()) undo.before.push_back(questions_.at(other));
        renumberQueue(&outcome);
      }
      unqueue(id);
      q->queue_key = keyForIndex(index, id);
      queue_.emplace(q->queue_key, id);
      outcome.changed.push_back(id);
      break;
    }
    case Action::kUndo:
    case Action::kInvalid:
      return fail("invalid", "unknown action");
  }

  undo_.push_back(std::move(undo));
  if (undo_.size() > kMaxUndo) undo_.erase(undo_.begin());
  // Each question once, in the order first changed.
  std::vector<std::int64_t> unique;
  for (std::int64_t changed : outcome.changed) {
    if (std::find(unique.begin(), unique.end(), changed) == unique.end()) unique.push_back(changed);
  }
  outcome.changed = std::move(unique);
  return outcome;
}

}  // namespace yst::questions
