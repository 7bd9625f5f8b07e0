#include "studio/desks/transcript.h"

#include <algorithm>
#include <cmath>
#include <memory>

#include "studio/base/clock.h"
#include "studio/base/log.h"
#include "studio/protocol/message.h"
#include "studio/server/local_clients.h"
#include "studio/text/text.h"

namespace yst::desks {

using core::CommandContext;
using core::CommandOutcome;
using core::Handled;
using core::Role;
using core::RoleSet;
using nlohmann::json;

Transcript::Transcript(const config::ShowConfig& show, Context context)
    : show_(show), context_(std::move(context)) {}

void Transcript::load() {
  std::vector<store::TranscriptLine> lines;
  context_.store->runSync(
      [&](sqlite3* db) { lines = store::sessionLines(db, context_.session_id, true); });
  for (auto& line : lines) lines_[line.id] = std::move(line);
  public_lines_.reset();
}

std::string Transcript::speakerName(const std::string& speaker) const {
  if (speaker == "narration") return "旁白";
  if (const config::Person* p = config::findPerson(show_.show, speaker)) return p->name;
  return "";
}

json Transcript::speakers() const {
  json list = json::array();
  list.push_back(
      {{"speaker", "host"}, {"name", show_.show.host.name}, {"title", show_.show.host.title}});
  for (std::size_t i = 0; i < show_.show.guests.size(); ++i) {
    const config::Person& g = show_.show.guests[i];
    list.push_back(
        {{"speaker", "guest" + std::to_string(i + 1)}, {"name", g.name}, {"title", g.title}});
  }
  list.push_back({{"speaker", "narration"}, {"name", "旁白"}, {"title", ""}});
  return list;
}

json Transcript::fullView(const store::TranscriptLine& l) const {
  return {{"id", l.id},
          {"speaker", l.speaker},
          {"speaker_name", l.speaker_name},
          {"text", l.text},
          {"original_text", l.original_text},
          {"start_ms", l.start_ms},
          {"end_ms", l.end_ms},
          {"utc", l.utc},
          {"kind", l.kind},
          {"question", l.question_id > 0 ? json(l.question_id) : json()},
          {"by", l.by},
          {"edits", l.edits},
          {"deleted", l.deleted}};
}

json Transcript::publicView(const store::TranscriptLine& l) {
  json view = {{"id", l.id},     {"speaker", l.speaker},   {"speaker_name", l.speaker_name},
               {"text", l.text}, {"start_ms", l.start_ms}, {"kind", l.kind}};
  if (l.deleted) view["deleted"] = true;
  return view;
}

void Transcript::reply(server::ClientId client, const json& message) {
  context_.send(client, std::make_shared<const std::string>(message.dump()));
}

void Transcript::replyError(server::ClientId client, const json& request_id,
                            const std::string& code, const std::string& message) {
  reply(client, protocol::errorMessage(code, message, request_id));
}

void Transcript::replyTextProblem(server::ClientId client, const json& request_id,
                                  text::TextProblem problem, const char* empty_message) {
  if (problem == text::TextProblem::kEmpty) {
    replyError(client, request_id, "empty", empty_message);
  } else if (problem == text::TextProblem::kTooLong) {
    replyError(client, request_id, "too_long",
               "a line is at most " + std::to_string(kMaxLineChars) + " characters");
  } else {
    replyError(client, request_id, "bad_message", "the text is not valid UTF-8");
  }
}

void Transcript::announce(const store::TranscriptLine& line, const char* event) {
  // Every change of lines_ is announced: the shared list is out of date.
  public_lines_.reset();
  context_.publish(
      server::kChannelProducer | server::kChannelTypist,
      std::make_shared<const std::string>(json{{"type", event}, {"line", fullView(line)}}.dump()));
  context_.publish(server::kChannelViewer,
                   std::make_shared<const std::string>(
                       json{{"type", "transcript.public"}, {"line", publicView(line)}}.dump()));
}

const std::string& Transcript::publicLines() {
  if (!public_lines_) {
    std::vector<const store::TranscriptLine*> shown;
    for (const auto& [id, line] : lines_) {
      if (!line.deleted) shown.push_back(&line);
    }
    std::stable_sort(shown.begin(), shown.end(),
                     [](const auto* a, const auto* b) { return a->start_ms < b->start_ms; });
    json lines = json::array();
    for (const store::TranscriptLine* line : shown) lines.push_back(publicView(*line));
    public_lines_ = lines.dump();
  }
  return *public_lines_;
}

void Transcript::registerCommands(core::CommandRegistry& commands) {
  commands.add("transcript.list", core::kAnyone, [this](CommandContext& c) -> CommandOutcome {
    list(c.client, c.info, c.request_id);
    return Handled{};
  });
  const RoleSet writers = core::roles({Role::kTypist, Role::kProducer});
  commands.add("transcript.commit", writers, [this](CommandContext& c) -> CommandOutcome {
    commit(c.client, c.info.producer_name, c.message, c.request_id);
    return Handled{};
  });
  for (const bool remove : {false, true}) {
    commands.add(remove ? "transcript.delete" : "transcript.edit", writers,
                 [this, remove](CommandContext& c) -> CommandOutcome {
                   change(c.client, c.info.producer_name, c.message, c.request_id, remove);
                   return Handled{};
                 });
  }
}

void Transcript::list(server::ClientId client, core::ClientInfo& info, const json& request_id) {
  const Role role = info.role;
  const bool full = role == Role::kProducer || role == Role::kTypist;
  json out = {{"type", "transcript.list"}, {"speakers", speakers()}};
  if (!request_id.is_null()) out["id"] = request_id;
  if (full) {
    json lines = json::array();
    for (const auto& [id, line] : lines_) {
      if (line.deleted) continue;
      lines.push_back(fullView(line));
    }
    std::stable_sort(lines.begin(), lines.end(), [](const json& a, const json& b) {
      return a["start_ms"].get<std::int64_t>() < b["start_ms"].get<std::int64_t>();
    });
    out["lines"] = std::move(lines);
    reply(client, out);
    return;
  }
  // Anyone may ask, as often as they can send: a viewer's list is the
  // shared serialised one, a few times a minute per connection.
  double wait_s = 0;
  if (!server::LocalClients::isLocal(client) &&
      !info.lists.take(TokenBucket::Limits::every(kListIntervalS, kListBurst), steadyNowUs(),
                       &wait_s)) {
    const int retry = std::max(1, static_cast<int>(std::ceil(wait_s)));
    json error = protocol::errorMessage(
        "rate_limited", "transcript.list: too often; try again in " + std::to_string(retry) + " s",
        request_id);
    error["retry_after_s"] = retry;
    reply(client, error);
    return;
  }
  context_.send(client, std::make_shared<const std::string>(
                            protocol::withRawField(out, "lines", publicLines())));
}

std::string Transcript::viewerList() {
  return protocol::withRawField({{"type", "transcript.list"}, {"speakers", speakers()}}, "lines",
                                publicLines());
}

void Transcript::commit(server::ClientId client, const std::string& by, const json& m,
                        const json& request_id) {
  const auto speaker = m.find("speaker");
  if (speaker == m.end() || !speaker->is_string() ||
      speakerName(speaker->get<std::string>()).empty()) {
    replyError(client, request_id, "invalid",
               "speaker is host, guest1…guest" + std::to_string(show_.show.guests.size()) +
                   " or narration");
    return;
  }
  const auto text_field = m.find("text");
  if (text_field == m.end() || !text_field->is_string()) {
    replyError(client, request_id, "empty", "no text");
    return;
  }
  const text::CleanedText text =
      text::cleanText(text_field->get<std::string>(), kMaxLineChars, false);
  if (text.problem != text::TextProblem::kNone) {
    replyTextProblem(client, request_id, text.problem, "the line is empty");
    return;
  }
  std::int64_t typing_ms = 0;
  if (auto t = m.find("typing_ms"); t != m.end() && !t->is_null()) {
    if (!t->is_number_integer() || t->get<std::int64_t>() < 0 ||
        t->get<std::int64_t>() > kMaxTypingMs) {
      replyError(client, request_id, "invalid", "typing_ms is 0…600000");
      return;
    }
    typing_ms = t->get<std::int64_t>();
  }
  auto line = std::make_shared<store::TranscriptLine>();
  line->session_id = context_.session_id;
  line->speaker = speaker->get<std::string>();
  line->speaker_name = speakerName(line->speaker);
  line->text = text.text;
  line->original_text = text.text;
  line->end_ms = context_.timeline_ms();
  line->start_ms = std::max<std::int64_t>(0, line->end_ms - typing_ms);
  line->utc = store::utcNowIso();
  line->kind = "typed";
  line->by = by;
  const bool queued = context_.store->submit(
      [line](sqlite3* db) { line->id = store::insertLine(db, *line); },
      [this, alive = std::weak_ptr<char>(alive_), line, client, request_id](
          bool ok, const std::string& error) {
        if (alive.expired()) return;  // the show ended before the commit came back
        if (!ok) {
          logError("transcript", "a line could not be stored: " + error);
          replyError(client, request_id, "busy", "the line could not be stored; send it again");
          return;
        }
        lines_[line->id] = *line;
        json out = {{"type", "reply"},
                    {"ok", true},
                    {"command", "transcript.commit"},
                    {"line", fullView(*line)}};
        if (!request_id.is_null()) out["id"] = request_id;
        reply(client, out);
        announce(*line, "transcript.line");
      });
  if (!queued) replyError(client, request_id, "busy", "the studio is busy; send the line again");
}

void Transcript::change(server::ClientId client, const std::string& by, const json& m,
                        const json& request_id, bool remove) {
  const auto id_field = m.find("line");
  auto it = id_field != m.end() && id_field->is_number_integer()
                ? lines_.find(id_field->get<std::int64_t>())
                : lines_.end();
  if (it == lines_.end() || it->second.deleted) {
    replyError(client, request_id, "not_found", "no such line in this session");
    return;
  }
  const std::int64_t id = it->first;
  std::string new_text;
  if (!remove) {
    const auto text_field = m.find("text");
    const text::CleanedText text = text::cleanText(
        text_field != m.end() && text_field->is_string() ? text_field->get<std::string>() : "",
        kMaxLineChars, false);
    if (text.problem != text::TextProblem::kNone) {
      replyTextProblem(client, request_id, text.problem,
                       "the corrected line is empty (use transcript.delete)");
      return;
    }
    new_text = text.text;
  }
  const std::string utc = store::utcNowIso();
  const bool queued = context_.store->submit(
      [id, remove, new_text, by, utc](sqlite3* db) {
        if (remove) {
          store::deleteLine(db, id);
        } else {
          store::editLine(db, id, new_text, by, utc);
        }
      },
      [this, alive = std::weak_ptr<char>(alive_), id, remove, new_text, client, request_id](
          bool ok, const std::string& error) {
        if (alive.expired()) return;
        auto line = lines_.find(id);
        if (!ok || line == lines_.end()) {
          logError("transcript", "a correction could not be stored: " + error);
          replyError(client, request_id, "busy", "the correction could not be stored; try again");
          return;
        }
        if (remove) {
          line->second.deleted = true;
        } else {
          line->second.text = new_text;
          ++line->second.edits;
        }
        json out = {{"type", "reply"},
                    {"ok", true},
                    {"command", remove ? "transcript.delete" : "transcript.edit"},
                    {"line", fullView(line->second)}};
        if (!request_id.is_null()) out["id"] = request_id;
        reply(client, out);
        announce(line->second, "transcript.updated");
      });
  if (!queued) replyError(client, request_id, "busy", "the studio is busy; try again");
}

void Transcript::closeLine(std::int64_t id, std::int64_t end_ms) {
  context_.store->submit(
      [id, end_ms](sqlite3* db) { store::setLineEnd(db, id, end_ms); },
      [this, alive = std::weak_ptr<char>(alive_), id, end_ms](bool ok, const std::string&) {
        if (alive.expired()) return;
        auto line = lines_.find(id);
        if (!ok || line == lines_.end()) return;
        line->second.end_ms = std::max(line->second.start_ms, end_ms);
        announce(line->second, "transcript.updated");
      });
}

void Transcript::questionOnAir(const questions::Question* q) {
  if (q && q->id == open_question_id_) return;  // an edit of the question on air
  const std::int64_t now = context_.timeline_ms();
  if (open_question_line_ != 0) closeLine(open_question_line_, now);
  open_question_line_ = 0;
  open_question_id_ = q ? q->id : 0;
  if (!q) return;
  const std::int64_t start_ms = q->aired_ms >= 0 ? q->aired_ms : now;
  // A resumed session: the line of the question still on air is there.
  for (const auto& [id, line] : lines_) {
    if (line.kind == "question" && line.question_id == q->id && line.start_ms == start_ms) {
      open_question_line_ = id;
      return;
    }
  }
  auto line = std::make_shared<store::TranscriptLine>();
  line->session_id = context_.session_id;
  line->speaker = "question";
  const std::string who = !q->observer_name.empty() ? "市民观察员「" + q->observer_name + "」"
                          : q->nickname.empty()     ? std::string("网友")
                                                    : "网友「" + q->nickname + "」";
  const char* verb = q->category == questions::Category::kSuggestion  ? "建议"
                     : q->category == questions::Category::kComplaint ? "投诉"
                                                                      : "提问";
  line->speaker_name = "网友提问";
  line->text = who + verb + "：" + q->text();
  line->original_text = line->text;
  line->start_ms = start_ms;
  line->end_ms = start_ms;
  line->utc = store::utcNowIso();
  line->kind = "question";
  line->question_id = q->id;
  line->by = "studio";
  const std::int64_t question_id = q->id;
  context_.store->submit([line](sqlite3* db) { line->id = store::insertLine(db, *line); },
                         [this, alive = std::weak_ptr<char>(alive_), line, question_id](
                             bool ok, const std::string& error) {
                           if (alive.expired()) return;
                           if (!ok) {
                             logError("transcript",
                                      "the question's line could not be stored: " + error);
                             return;
                           }
                           lines_[line->id] = *line;
                           announce(*line, "transcript.line");
                           if (open_question_id_ == question_id) {
                             open_question_line_ = line->id;
                           } else {
                             closeLine(line->id, context_.timeline_ms());  // off air already
                           }
                         });
}

void Transcript::addStatus(json* status) const {
  std::size_t count = 0;
  for (const auto& [id, line] : lines_) count += line.deleted ? 0 : 1;
  (*status)["transcript"] = {{"lines", count}};
}

}  // namespace yst::desks
