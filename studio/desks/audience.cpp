#include "studio/desks/audience.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <utility>

#include "studio/base/clock.h"
#include "studio/base/log.h"
#include "studio/base/secrets.h"
#include "studio/desks/audience_internal.h"
#include "studio/protocol/message.h"
#include "studio/protocol/question_views.h"
#include "studio/store/questions_table.h"

namespace yst::desks {

using core::CommandContext;
using core::CommandOutcome;
using core::Handled;
using core::kAnyone;
using core::roles;
using core::RoleSet;
using detail::IdAlias;
using detail::kMaxNicknameChars;
using detail::questionField;
using nlohmann::json;
using questions::Action;
using questions::Question;
using questions::Status;

namespace {

constexpr std::size_t kMaxProducerNameChars = 24;

// Until load() has read the studio's own key: ids signed with a key of the
// moment (an Audience that never loads is a test's).
std::string momentaryKey() {
  return randomId(ViewerIds::kMinKeyBytes * 2);
}

// A client id that another asker's submission has. Client ids are random
// and each page makes its own: this one was copied or made up. The refusal
// says nothing of the question it belongs to.
json clientIdConflict() {
  return protocol::errorMessage(
      "conflict", "this client_id belongs to another submission; send the question with a new one");
}

}  // namespace

namespace {
std::unique_ptr<text::WordFilter> loadWordList(const std::string& path) {
  if (path.empty()) return nullptr;
  return std::make_unique<text::WordFilter>(text::WordFilter::fromFile(path));
}
}  // namespace

Audience::Audience(const config::ShowConfig& show, Context context)
    : show_(show),
      context_(std::move(context)),
      filter_(loadWordList(show.audience.word_list)),
      desk_(filter_.get()),
      limits_(show_.audience),
      viewer_ids_(momentaryKey()) {
  public_timer_ = context_.make_timer([this] { flushPublic(); });
  received_timer_ = context_.make_timer([this] {
    std::vector<std::int64_t> batch;
    batch.swap(received_batch_);
    if (!batch.empty()) announce("received", "viewers", batch, {});
  });
  prune_timer_ = context_.make_timer([this] {
    limits_.prune(steadyNowUs());
    prune_timer_->start(kPruneIntervalMs);
  });
  prune_timer_->start(kPruneIntervalMs);
  observer_reload_timer_ = context_.make_timer([this] { reloadObservers(); });
}

Audience::~Audience() = default;

void Audience::load() {
  store::LoadedQuestions loaded;
  std::string key;
  context_.store->runSync([&](sqlite3* db) {
    loaded = store::loadQuestions(db, context_.session_id);
    key = store::studioKey(db, "viewer_ids", ViewerIds::kMinKeyBytes);
  });
  viewer_key_ = key;
  viewer_ids_ = ViewerIds(std::move(key));
  publicChanged();
  const std::size_t count = loaded.questions.size();
  desk_.load(std::move(loaded.questions), loaded.votes, loaded.next_id);
  if (count > 0) {
    logInfo("questions", "restored " + std::to_string(count) + " questions of session " +
                             std::to_string(context_.session_id));
  }
}

void Audience::sendToViewer(const std::string& viewer,
                            const std::shared_ptr<const std::string>& message) {
  if (auto it = viewer_clients_.find(viewer); it != viewer_clients_.end()) {
    for (server::ClientId c : it->second) context_.server->send(c, message);
  }
  // The viewer may be at an edge (or at several).
  if (context_.to_viewer) context_.to_viewer(viewer, message);
}

void Audience::reply(server::ClientId client, const json& message) {
  context_.server->send(client, std::make_shared<const std::string>(message.dump()));
}

void Audience::replyError(server::ClientId client, const json& request_id, const std::string& code,
                          const std::string& message, json extra) {
  json error = protocol::errorMessage(code, message, request_id);
  error.update(extra);
  reply(client, error);
}

// --- views ---

json Audience::publicView(const Question& q) const {
  return protocol::publicView(q, desk_.votesOf(q.id));
}

json Audience::ownView(const Question& q) const {
  return protocol::ownView(q, desk_.votesOf(q.id));
}

json Audience::producerView(const Question& q) const {
  return protocol::producerView(q, desk_.votesOf(q.id));
}

json Audience::onAirPublic() const {
  const Question* q = desk_.find(desk_.onAir());
  return q ? publicView(*q) : json();
}

json Audience::publicList() const {
  json list = json::array();
  const std::vector<std::int64_t> queue = desk_.queue();
  for (std::size_t i = 0; i < queue.size() && i < kHelloQueueLimit; ++i) {
    list.push_back(publicView(*desk_.find(queue[i])));
  }
  if (const Question* on_air = desk_.find(desk_.onAir())) list.push_back(publicView(*on_air));
  std::vector<const Question*> answered;
  for (const auto& [id, q] : desk_.all()) {
    if (q.status == Status::kAnswered) answered.push_back(&q);
  }
  const std::size_t skip =
      answered.size() > kHelloAnsweredLimit ? answered.size() - kHelloAnsweredLimit : 0;
  for (std::size_t i = skip; i < answered.size(); ++i) list.push_back(publicView(*answered[i]));
  return list;
}

json Audience::producerSnapshot() const {
  // Everything still to be decided or on air, and the latest settled ones: a
  // long show's thousands of answered and rejected questions would make the
  // hello of a producer who reconnects megabytes long.
  std::vector<const Question*> settled;
  json list = json::array();
  for (const auto& [id, q] : desk_.all()) {
    if (q.status == Status::kAnswered || q.status == Status::kRejected ||
        q.status == Status::kMerged) {
      settled.push_back(&q);
    } else {
      list.push_back(producerView(q));
    }
  }
  const std::size_t skip =
      settled.size() > kSnapshotSettledLimit ? settled.size() - kSnapshotSettledLimit : 0;
  for (std::size_t i = skip; i < settled.size(); ++i) list.push_back(producerView(*settled[i]));
  const Question* on_air = desk_.find(desk_.onAir());
  return {{"questions", list}, {"on_air", on_air ? producerView(*on_air) : json()}};
}

json Audience::hostView(std::size_t next) const {
  auto view = [this](const Question& q) { return protocol::hostView(q, desk_.votesOf(q.id)); };
  json queue = json::array();
  for (std::int64_t id : desk_.queue()) {
    if (queue.size() >= next) break;
    if (const Question* q = desk_.find(id)) queue.push_back(view(*q));
  }
  const Question* on_air = desk_.find(desk_.onAir());
  return {{"on_air", on_air ? view(*on_air) : json()}, {"next", queue}};
}

void Audience::addStatus(json* status) const {
  const Question* on_air = desk_.find(desk_.onAir());
  (*status)["on_air_question"] =
      on_air ? json{{"id", on_air->id}, {"text", on_air->text()}, {"nickname", on_air->nickname}}
             : json();
  const questions::Counters c = desk_.counters();
  (*status)["questions"] = {{"received", c.received}, {"pending", c.pending},
                            {"approved", c.approved}, {"on_air", c.on_air},
                            {"answered", c.answered}, {"rejected", c.rejected},
                            {"merged", c.merged},     {"repeated", repeats_}};
}

// --- commands ---

void Audience::registerCommands(CommandRegistry& commands) {
  // Anyone: a submission without a hello makes the connection a viewer.
  commands.add("question.submit", kAnyone, [this](CommandContext& c) -> CommandOutcome {
    submit(c.client, c.message, c.request_id);
    return Handled{};
  });
  // Votes are counted per viewer id: a viewer's or an observer's.
  commands.add(
      "question.vote", roles({Role::kViewer, Role::kObserver}),
      [this](CommandContext& c) -> CommandOutcome {
        vote(c.client, c.message, c.request_id);
        return Handled{};
      },
      "say hello as a viewer before voting");
  commands.add("questions.mine", kAnyone, [this](CommandContext& c) -> CommandOutcome {
    json mine = json::array();
    if (!c.info.viewer.empty()) {
      for (std::int64_t id : desk_.askedBy(c.info.viewer)) mine.push_back(ownView(*desk_.find(id)));
    }
    json out = {{"type", "questions.mine"}, {"questions", mine}};
    if (!c.request_id.is_null()) out["id"] = c.request_id;
    reply(c.client, out);
    return Handled{};
  });
  const RoleSet producer = roles({Role::kProducer});
  commands.add("questions.list", producer,
               [this](CommandContext&) -> CommandOutcome { return producerSnapshot(); });
  for (const Action action : questions::kActions) {
    const std::string type = "question." + std::string(questions::actionName(action));
    commands.add(type, producer, [this, type](CommandContext& c) -> CommandOutcome {
      moderate(c.client, type, c.message, c.request_id);
      return Handled{};
    });
  }
}

void Audience::submit(server::ClientId client, const json& message, const json& request_id) {
  ClientInfo& info = (*context_.clients)[client];
  if (info.role == Role::kNone) {
    // No hello: an anonymous viewer for this connection.
    info.role = Role::kViewer;
    if (info.viewer.empty()) info.viewer = viewer_ids_.issue();
    viewer_clients_[info.viewer].insert(client);
    context_.server->setChannels(client, server::kChannelViewer);
  } else if (info.role != Role::kProducer && info.viewer.empty()) {
    // A typist or the host asking: a viewer like any other, by an id of
    // their own for this connection (and its question.updated).
    info.viewer = viewer_ids_.issue();
    viewer_clients_[info.viewer].insert(client);
  }
  Submission submission;
  submission.asker = info.role == Role::kProducer ? Asker::kProducer : Asker::kViewer;
  submission.viewer_id = info.viewer;
  submission.observer_id = info.observer_id;
  submission.observer_name = info.observer_name;
  submission.producer_name = info.producer_name;
  submission.connection_budget = &info.questions;
  submission.address_key = info.address;
  submission.message = message;
  // The acknowledgement goes out from the database's writer thread the moment
  // the question is committed, not after a further hop through this thread
  // (under the audience benchmark's flood that hop was most of its tail).
  intake(
      std::move(submission),
      [server = context_.server, client, request_id](const json& outcome) {
        if (request_id.is_null()) {
          server->send(client, std::make_shared<const std::string>(outcome.dump()));
          return;
        }
        json answer = outcome;
        answer["id"] = request_id;
        server->send(client, std::make_shared<const std::string>(answer.dump()));
      },
      AckThread::kWriter);
}

void Audience::answerRepeat(const Question& q, const std::string& asker, const IntakeDone& done) {
  if (q.viewer != asker) {
    done(clientIdConflict());
    return;
  }
  ++repeats_;
  if (context_.status_changed) context_.status_changed();
  done(json{{"type", "question.received"}, {"question", ownView(q)}});
}

void Audience::intake(Submission submission, IntakeDone done, AckThread ack_thread) {
  const bool from_producer = submission.asker == Asker::kProducer;
  if (submission.asker == Asker::kInvalid || (!from_producer && submission.viewer_id.empty())) {
    done(protocol::errorMessage("bad_message", "a submission needs its asker's viewer id"));
    return;
  }
  // The studio's own connections hold ids it issued; an edge's submission
  // carries the id its viewer said hello with, signed with the same key.
  if (!from_producer && !viewer_ids_.genuine(submission.viewer_id)) {
    done(protocol::errorMessage("bad_message", "the viewer id is not one this studio issued"));
    return;
  }
  protocol::SubmissionLimits limits;
  limits.max_chars = static_cast<std::size_t>(show_.audience.max_question_chars);
  limits.max_nickname_chars = kMaxNicknameChars;
  auto parsed = protocol::parseSubmission(submission.message, limits);
  if (auto* error = std::get_if<protocol::ProtocolError>(&parsed)) {
    done(protocol::errorMessage(error->code, error->message));
    return;
  }
  const auto& fields = std::get<protocol::Submission>(parsed);
  const std::string asker =
      from_producer ? "producer:" + submission.producer_name : submission.viewer_id;

  // A retry: the question its first sending made, committed or on its way.
  if (!fields.client_id.empty()) {
    if (const Question* known = desk_.findByClientId(fields.client_id)) {
      answerRepeat(*known, asker, done);
      return;
    }
    if (auto it = in_flight_.find(fields.client_id); it != in_flight_.end()) {
      if (it->second.asker != asker) {
        done(clientIdConflict());
        return;
      }
      ++repeats_;
      if (context_.status_changed) context_.status_changed();
      it->second.waiting.push_back(std::move(done));
      return;
    }
  }

  double wait_s = 0;
  // A producer types in questions that come by phone or from the hotline:
  // attributed to them, and not rate-limited.
  if (!from_producer && !limits_.takeQuestion(submission.connection_budget, asker,
                                              submission.address_key, steadyNowUs(), &wait_s)) {
    const int retry = std::max(1, static_cast<int>(std::ceil(wait_s)));
    json refused = protocol::errorMessage(
        "rate_limited", "too many questions; try again in " + std::to_string(retry) + " s");
    refused["retry_after_s"] = retry;
    done(refused);
    return;
  }
  const Question q = desk_.prepare(fields, asker, submission.observer_id, submission.observer_name,
                                   store::utcNowIso(), context_.timeline_ms());
  const std::int64_t session = context_.session_id;
  const std::string actor =
      from_producer ? submission.producer_name : (q.observer_id != 0 ? "observer" : "viewer");
  std::weak_ptr<char> alive = alive_;
  // Written by the job, read after its commit (on the writer thread, then
  // on this one): whether the question was stored or was there already.
  auto stored = std::make_shared<store::StoredSubmission>();
  auto answer = std::make_shared<IntakeDone>(std::move(done));
  if (!q.client_id.empty()) in_flight_[q.client_id].asker = asker;
  // From the writer thread, `answer` is called only for a question stored
  // just now; everything else is answered here, in `done`.
  store::Store::Committed committed;
  if (ack_thread == AckThread::kWriter) {
    committed = [answer, stored,
                 received = json{{"type", "question.received"}, {"question", ownView(q)}}](
                    const std::string& error) {
      if (error.empty() && stored->result == store::Stored::kInserted) (*answer)(received);
    };
  }
  // The store queues `done` (desk_.admit) before `committed` runs, so a
  // command naming the question that anyone sends after the acknowledgement
  // finds it.
  const bool queued = context_.store->submit(
      [q, session, actor, stored](sqlite3* db) {
        *stored = store::storeSubmission(db, session, q, actor);
      },
      [this, alive, q, asker, stored, answer, ack_thread](bool ok, const std::string& error) {
        if (alive.expired()) return;
        std::vector<IntakeDone> waiting;
        if (auto it = in_flight_.find(q.client_id);
            !q.client_id.empty() && it != in_flight_.end()) {
          waiting = std::move(it->second.waiting);
          in_flight_.erase(it);
        }
        const bool answered =
            ok && ack_thread == AckThread::kWriter && stored->result == store::Stored::kInserted;
        if (!answered) waiting.insert(waiting.begin(), *answer);
        if (!ok) {
          logError("questions", "could not store a question: " + error);
          for (const IntakeDone& w : waiting) {
            w(protocol::errorMessage("busy", "the question could not be stored; try again"));
          }
          return;
        }
        if (stored->result == store::Stored::kAlreadyStored) {
          // The database knew the client id and the desk did not: answered
          // from the database's question, as a retry is.
          const Question* known = desk_.find(stored->question_id);
          for (const IntakeDone& w : waiting) {
            if (known) {
              answerRepeat(*known, asker, w);
            } else {
              w(protocol::errorMessage("busy", "the question could not be stored; try again"));
            }
          }
          if (!known) {
            logError("questions", "question " + std::to_string(stored->question_id) +
                                      " is stored but not on the desk");
          }
          return;
        }
        desk_.admit(q);
        // In a flood, one event per question would be thousands of messages
        // a second to every producer: arrivals are announced in batches.
        received_batch_.push_back(q.id);
        if (!received_timer_->active()) received_timer_->start(kReceivedFlushMs);
        const json received = {{"type", "question.received"},
                               {"question", ownView(*desk_.find(q.id))}};
        for (const IntakeDone& w : waiting) w(received);
      },
      std::move(committed));
  if (!queued) {
    in_flight_.erase(q.client_id);
    (*answer)(protocol::errorMessage("busy", "the studio is busy; nothing was stored, try again"));
  }
}

void Audience::vote(server::ClientId client, const json& message, const json& request_id) {
  ClientInfo& info = (*context_.clients)[client];
  const std::int64_t id = questionField(message, "question", IdAlias::kYes);
  if (id == 0) {
    replyError(client, request_id, "bad_message", "question.vote needs \"question\" (an id)");
    return;
  }
  // The budget is checked before the vote and taken only when it counts.
  double wait_s = 0;
  const std::optional<AudienceLimits::VoteTicket> ticket =
      limits_.checkVote(info.viewer, info.address, steadyNowUs(), &wait_s);
  if (!ticket) {
    const int retry = std::max(1, static_cast<int>(std::ceil(wait_s)));
    replyError(client, request_id, "rate_limited",
               "too many votes; try again in " + std::to_string(retry) + " s",
               {{"retry_after_s", retry}});
    return;
  }
  castVote(id, info.viewer, info.address, *ticket, [this, client, request_id](json out) {
    if (!request_id.is_null()) out["id"] = request_id;
    reply(client, out);
  });
}

void Audience::castVote(std::int64_t id, const std::string& viewer, const std::string& address,
                        const AudienceLimits::VoteTicket& ticket, std::function<void(json)> done) {
  switch (desk_.vote(id, viewer)) {
    case questions::QuestionDesk::VoteResult::kNotPublic:
      done(protocol::errorMessage("not_found", "no public question " + std::to_string(id)));
      return;
    case questions::QuestionDesk::VoteResult::kAlreadyVoted:
      done(protocol::errorMessage("already_voted", "one vote per question"));
      return;
    case questions::QuestionDesk::VoteResult::kCounted:
      break;
  }
  limits_.spendVote(viewer, address, ticket);
  const int own_votes = desk_.find(id)->own_votes;
  std::weak_ptr<char> alive = alive_;
  context_.store->submit(
      [id, viewer, own_votes, utc = store::utcNowIso()](sqlite3* db) {
        store::saveVote(db, id, viewer, utc, own_votes);
      },
      [this, alive, id, done = std::move(done)](bool ok, const std::string& error) {
        if (alive.expired()) return;
        if (!ok) logError("questions", "could not store a vote: " + error);
        const Question* q = desk_.find(id);
        if (!q) return;
        done(json{{"type", "vote"}, {"question", id}, {"votes", desk_.votesOf(id)}, {"voted", ok}});
        // The shown count is the merge target's when this one was merged since.
        const std::int64_t counted = q->status == Status::kMerged ? q->merged_into : id;
        public_changed_.insert(counted);
        votes_changed_.insert(counted);
        schedulePublicFlush();
      });
}

void Audience::moderate(server::ClientId client, const std::string& type, const json& message,
                        const json& request_id) {
  const ClientInfo& info = context_.clients->at(client);
  questions::Command command;
  command.action = questions::parseAction(type.substr(9));
  const bool optional_question = command.action == Action::kOffAir ||
                                 command.action == Action::kAnswered ||
                                 command.action == Action::kUndo;
  command.question =
      questionField(message, "question", optional_question ? IdAlias::kNo : IdAlias::kYes);
  command.into = questionField(message, "into", IdAlias::kNo);
  command.by =
      info.producer_name.empty() ? "producer#" + std::to_string(client) : info.producer_name;
  command.utc = store::utcNowIso();
  command.timeline_ms = context_.timeline_ms();
  if (command.action == Action::kReject) {
    if (auto it = message.find("reason"); it != message.end()) {
      if (!it->is_string() ||
          questions::parseRejectReason(it->get<std::string>()) == questions::RejectReason::kNone) {
        replyError(client, request_id, "invalid",
                   "reason is one of off_topic, duplicate, abusive, personal_info, spam, other");
        return;
      }
      command.reason = questions::parseRejectReason(it->get<std::string>());
    }
  }
  if (command.action == Action::kEdit) {
    protocol::SubmissionLimits limits;
    limits.max_chars = static_cast<std::size_t>(show_.audience.max_question_chars);
    auto text = protocol::parseQuestionText(message, limits);
    if (auto* error = std::get_if<protocol::ProtocolError>(&text)) {
      replyError(client, request_id, error->code, error->message);
      return;
    }
    command.text = std::get<std::string>(text);
  }
  if (command.action == Action::kMerge && command.into == 0) {
    replyError(client, request_id, "invalid", "question.merge needs \"into\" (a question id)");
    return;
  }
  if (command.action == Action::kMove) {
    auto it = message.find("position");
    if (it == message.end() || !it->is_number_integer()) {
      replyError(client, request_id, "invalid", "question.move needs \"position\" (0 = next)");
      return;
    }
    command.position = it->get<std::int64_t>();
  }

  questions::Outcome outcome = desk_.apply(command);
  if (!outcome.ok()) {
    replyError(client, request_id,
               outcome.error_code == "nothing_to_undo" ? "invalid" : outcome.error_code,
               outcome.error_message);
    return;
  }
  std::vector<Question> rows;
  for (std::int64_t id : outcome.changed) rows.push_back(*desk_.find(id));
  json detail = json::object();
  if (command.action == Action::kReject) {
    detail["reason"] = questions::rejectReasonName(desk_.find(outcome.question)->reject_reason);
  }
  if (command.action == Action::kMerge) detail["into"] = command.into;
  if (command.action == Action::kMove) detail["position"] = command.position;
  if (command.action == Action::kUndo) detail["undone"] = questions::actionName(outcome.action);
  const std::string action_name(questions::actionName(command.action));
  const std::int64_t session = context_.session_id;
  std::weak_ptr<char> alive = alive_;
  const bool queued = context_.store->submit(
      [rows, session, edit = outcome.edit, action_name, by = command.by, detail = detail.dump(),
       question = outcome.question, utc = command.utc, ms = command.timeline_ms](sqlite3* db) {
        for (const Question& q : rows) store::saveQuestion(db, session, q);
        if (edit) store::saveEdit(db, edit->first, edit->second);
        store::logModeration(db, session, question, action_name, by, detail, utc, ms);
      },
      [this, alive, outcome, client, request_id, type, action_name, by = command.by](
          bool ok, const std::string& error) {
        if (alive.expired()) return;
        if (!ok) {
          // The desk has changed already; say so rather than pretend.
          logError("questions", "could not store \"" + action_name + "\": " + error);
          replyError(client, request_id, "storage_failed",
                     "the change is on the desk but could not be stored: " + error);
        } else {
          json out = {{"type", "reply"}, {"ok", true}, {"command", type}};
          if (!request_id.is_null()) out["id"] = request_id;
          if (const Question* q = desk_.find(outcome.question)) out["question"] = producerView(*q);
          if (action_name == "undo") out["undone"] = questions::actionName(outcome.action);
          reply(client, out);
        }
        announce(action_name, by, outcome.changed, outcome.left_public);
      });
  if (!queued) {
    // Nothing was stored: take the change off the desk again (it is the top
    // of the undo stack), so that what producers see stays what is on disk.
    questions::Command revert;
    revert.action = Action::kUndo;
    revert.by = command.by;
    revert.utc = command.utc;
    revert.timeline_ms = command.timeline_ms;
    // (An undo cannot be reverted this way; it stays applied and is stored
    // with the next change of those questions.)
    if (command.action != Action::kUndo) desk_.apply(revert);
    logError("questions", "store queue full: \"" + action_name + "\" refused");
    replyError(client, request_id, "busy", "the studio is busy; try again");
  }
}

// --- fan-out ---

void Audience::announce(const std::string& action, const std::string& by,
                        const std::vector<std::int64_t>& changed,
                        const std::vector<std::int64_t>& left_public) {
  publicChanged();
  json list = json::array();
  for (std::int64_t id : changed) {
    const Question* q = desk_.find(id);
    if (!q) continue;
    list.push_back(producerView(*q));
    if (q->isPublic()) {
      // Public again within one flush (rejected, then restored): the flush
      // must not also tell viewers to remove it, which they apply last.
      public_changed_.insert(id);
      public_removed_.erase(id);
    }
    if (action != "received" && !q->viewer.empty() &&
        (viewer_clients_.contains(q->viewer) || context_.to_viewer)) {
      sendToViewer(q->viewer,
                   std::make_shared<const std::string>(
                       json{{"type", "question.updated"}, {"question", ownView(*q)}}.dump()));
    }
  }
  for (std::int64_t id : left_public) {
    public_changed_.erase(id);
    public_removed_.insert(id);
  }
  const Question* on_air = desk_.find(desk_.onAir());
  json event = {{"type", "questions.changed"},
                {"action", action},
                {"by", by},
                {"questions", list},
                {"on_air", on_air ? producerView(*on_air) : json()},
                {"utc", store::utcNowIso()},
                {"timeline_ms", context_.timeline_ms()}};
  context_.server->publish(server::kChannelProducer,
                           std::make_shared<const std::string>(event.dump()));
  if (!public_changed_.empty() || !public_removed_.empty()) schedulePublicFlush();
  notifyOnAir();
  if (context_.status_changed) context_.status_changed();
}

void Audience::notifyOnAir() {
  const Question* q = desk_.find(desk_.onAir());
  const std::int64_t id = q ? q->id : 0;
  const std::string text = q ? q->text() : std::string();
  if (id == notified_on_air_ && text == notified_on_air_text_) return;
  notified_on_air_ = id;
  notified_on_air_text_ = text;
  if (context_.on_air_changed) context_.on_air_changed(q);
}

void Audience::schedulePublicFlush() {
  publicChanged();
  if (!public_timer_->active()) public_timer_->start(kPublicFlushMs);
}

void Audience::flushPublic() {
  publicChanged();
  // The producers' queue shows vote counts too. Votes come at the audience's
  // pace, so they are batched like the public list (one message a flush),
  // and they are not a moderation action: no `questions.changed`.
  if (!votes_changed_.empty()) {
    json counts = json::array();
    for (std::int64_t id : votes_changed_) {
      if (desk_.find(id)) {
        counts.push_back(json::object({{"id", id}, {"votes", desk_.votesOf(id)}}));
      }
    }
    votes_changed_.clear();
    if (!counts.empty()) {
      context_.server->publish(
          server::kChannelProducer,
          std::make_shared<const std::string>(
              json::object({{"type", "questions.votes"}, {"questions", counts}}).dump()));
    }
  }
  json changed = json::array();
  for (std::int64_t id : public_changed_) {
    const Question* q = desk_.find(id);
    if (q && q->isPublic()) {
      changed.push_back(publicView(*q));
    } else {
      public_removed_.insert(id);
    }
  }
  json removed = json::array();
  for (std::int64_t id : public_removed_) removed.push_back(id);
  public_changed_.clear();
  public_removed_.clear();
  if (changed.empty() && removed.empty()) return;
  const json message = {{"type", "questions.public"},
                        {"questions", changed},
                        {"removed", removed},
                        {"on_air", onAirPublic()}};
  context_.server->publish(server::kChannelViewer,
                           std::make_shared<const std::string>(message.dump()));
}

}  // namespace yst::desks
