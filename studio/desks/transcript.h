// The live transcript (图文直播) as the studio keeps it: typists commit what
// each speaker said, timed on the show timeline from when its typing began
// to when it was committed; the studio adds a line of its own when a
// question goes on air ("网友「昵称」提问：…", timed from on air to answered).
// Lines can be corrected later (the edits are kept) or deleted.
//
// Controller thread, owned by the Controller, which routes `transcript.*`
// messages and typist hellos here. As with questions, a line is stored
// first: the reply and the events go out from the store's commit callback
// (the store hands it to this thread). Error style: the commands reply
// themselves (the answer waits for the commit), so they return Handled.
// Producers and typists get every line and change (`transcript.line`,
// `transcript.updated`); viewers get the public form (`transcript.public`)
// at once, which is how the viewer page's live text record updates within
// a second.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "studio/config/show_config.h"
#include "studio/core/command_registry.h"
#include "studio/questions/question_desk.h"
#include "studio/server/client_id.h"
#include "studio/store/store.h"
#include "studio/store/transcript_table.h"
#include "studio/text/text.h"

namespace yst::desks {

class Transcript {
 public:
  using Message = std::shared_ptr<const std::string>;
  struct Context {
    store::Store* store = nullptr;
    std::int64_t session_id = 0;
    std::function<std::int64_t()> timeline_ms;
    // To one client, and to every client on the channels (a mask of
    // server::kChannel*); both drop the message while nothing listens.
    std::function<void(server::ClientId client, Message message)> send;
    std::function<void(std::uint32_t channels, Message message)> publish;
  };

  Transcript(const config::ShowConfig& show, Context context);
  // Restores the session's lines (a resumed session) at start-up.
  void load();

  // Adds transcript.list for anyone (viewers get the public form, a few
  // times a minute: kListBurst, then one per kListIntervalS), and
  // transcript.commit, .edit and .delete for typists and producers
  // (`info.producer_name` is who).
  void registerCommands(core::CommandRegistry& commands);

  // The question on air changed (from the Audience): closes the open
  // question line and opens one for the new question.
  void questionOnAir(const questions::Question* question);

  // Who can be speaking: [{"speaker":"host","name":…,"title":…}, …, narration].
  nlohmann::json speakers() const;
  // A viewer's transcript.list reply (no request id), for the public edges.
  std::string viewerList();
  void addStatus(nlohmann::json* status) const;

  static constexpr std::size_t kMaxLineChars = 1000;
  // A viewer page lists the transcript once per hello; the public list is
  // serialised once per change and shared, and a connection may ask for it
  // this often.
  static constexpr double kListBurst = 3;
  static constexpr double kListIntervalS = 20;
  static constexpr std::int64_t kMaxTypingMs = 10 * 60 * 1000;

 private:
  nlohmann::json fullView(const store::TranscriptLine& line) const;
  static nlohmann::json publicView(const store::TranscriptLine& line);
  void reply(server::ClientId client, const nlohmann::json& message);
  void replyError(server::ClientId client, const nlohmann::json& request_id,
                  const std::string& code, const std::string& message);
  // The error for a line cleanText refused (empty, too long, not UTF-8).
  void replyTextProblem(server::ClientId client, const nlohmann::json& request_id,
                        text::TextProblem problem, const char* empty_message);
  void announce(const store::TranscriptLine& line, const char* event);
  // transcript.list: the full lines for staff, the public ones for anyone else.
  void list(server::ClientId client, core::ClientInfo& info, const nlohmann::json& request_id);
  void commit(server::ClientId client, const std::string& by, const nlohmann::json& m,
              const nlohmann::json& request_id);
  void change(server::ClientId client, const std::string& by, const nlohmann::json& m,
              const nlohmann::json& request_id, bool remove);
  std::string speakerName(const std::string& speaker) const;
  void closeLine(std::int64_t id, std::int64_t end_ms);
  // The public lines in timeline order, serialised; rebuilt after a change.
  const std::string& publicLines();

  config::ShowConfig show_;
  Context context_;
  // The session's lines as stored (controller thread; the store writes them).
  std::map<std::int64_t, store::TranscriptLine> lines_;
  std::optional<std::string> public_lines_;  // reset whenever lines_ changes
  std::int64_t open_question_line_ = 0;      // the automatic line of the question on air
  std::int64_t open_question_id_ = 0;
  std::int64_t pending_question_id_ = 0;  // its line is being stored
  // Store completions run on the Qt loop after their commit; one that comes
  // back after this object is gone (a studio ended, another started in the
  // same process, as in the console tests) finds this expired.
  std::shared_ptr<char> alive_ = std::make_shared<char>(0);
};

}  // namespace yst::desks
