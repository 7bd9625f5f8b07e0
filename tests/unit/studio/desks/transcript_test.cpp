// The transcript desk with a real database and no engine: a line is answered
// and announced only once it has committed, bad lines get their own errors,
// corrections keep the line, viewers get the public form a few times a
// minute, the question on air gets a line of its own, and a resumed session
// finds its lines again.
#include "studio/desks/transcript.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "studio/server/local_clients.h"

namespace yst::desks {
namespace {

using core::Role;
using nlohmann::json;

struct Sent {
  server::ClientId client;
  json message;
};
struct Published {
  std::uint32_t channels;
  json message;
};

class TranscriptTest : public ::testing::Test {
 protected:
  TranscriptTest() {
    dir_ = std::filesystem::temp_directory_path() /
           ("yst-transcript-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    openStore();
    session_id_ = store_->beginSession("对话市医保局", "{}");
    desk_ = makeDesk();
  }
  ~TranscriptTest() override {
    desk_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void openStore() {
    // The studio's loop, as the test drives it: a job's `done` waits here
    // until runPosted(), so the test sees what happens before the commit
    // comes back and after.
    store_ = std::make_unique<store::Store>((dir_ / "yishiting.db").string(),
                                            [this](std::function<void()> done) {
                                              std::lock_guard lock(posted_mutex_);
                                              posted_.push_back(std::move(done));
                                            });
  }

  std::unique_ptr<Transcript> makeDesk() {
    auto desk = std::make_unique<Transcript>(
        show(), Transcript::Context{store_.get(), session_id_, [this] { return timeline_ms_; },
                                    [this](server::ClientId client, Transcript::Message message) {
                                      sent_.push_back({client, json::parse(*message)});
                                    },
                                    [this](std::uint32_t channels, Transcript::Message message) {
                                      published_.push_back({channels, json::parse(*message)});
                                    }});
    commands_ = std::make_unique<core::CommandRegistry>();
    desk->registerCommands(*commands_);
    return desk;
  }

  static config::ShowConfig show() {
    config::ShowConfig s;
    s.show.title = "对话市医保局";
    s.show.host = {"王芳", "主持人"};
    s.show.guests = {{"张三", "温州市医疗保障局局长"}};
    return s;
  }

  // Waits for the writer to commit what is queued, then runs the `done`s on
  // this thread, as the studio's loop would.
  void runPosted() {
    store_->runSync([](sqlite3*) {});
    std::vector<std::function<void()>> posted;
    {
      std::lock_guard lock(posted_mutex_);
      posted.swap(posted_);
    }
    for (auto& done : posted) done();
  }

  core::CommandOutcome send(Role role, const json& message, server::ClientId client = 7) {
    core::ClientInfo& info = clients_[client];
    info.role = role;
    info.producer_name = role == Role::kProducer ? "编辑小陈" : "";
    const json request_id = message.value("id", json());
    core::CommandContext context{client, info, message, request_id};
    return commands_->dispatch(context);
  }

  // The replies to `client` since the last call.
  std::vector<json> repliesTo(server::ClientId client) {
    std::vector<json> out;
    for (const Sent& s : sent_) {
      if (s.client == client) out.push_back(s.message);
    }
    sent_.clear();
    return out;
  }

  json commitLine(const json& fields) {
    json message = {{"type", "transcript.commit"}, {"id", 1}};
    message.update(fields);
    EXPECT_TRUE(send(Role::kTypist, message).handled());
    runPosted();
    const std::vector<json> replies = repliesTo(7);
    EXPECT_EQ(replies.size(), 1u);
    return replies.empty() ? json() : replies[0];
  }

  std::filesystem::path dir_;
  std::mutex posted_mutex_;
  std::vector<std::function<void()>> posted_;
  std::unique_ptr<store::Store> store_;
  std::int64_t session_id_ = 0;
  std::int64_t timeline_ms_ = 60000;
  std::vector<Sent> sent_;
  std::vector<Published> published_;
  core::ClientMap clients_;
  std::unique_ptr<core::CommandRegistry> commands_;
  std::unique_ptr<Transcript> desk_;
};

TEST_F(TranscriptTest, ALineIsAnsweredAndAnnouncedOnlyAfterItsCommit) {
  ASSERT_TRUE(send(Role::kTypist, {{"type", "transcript.commit"},
                                   {"id", 5},
                                   {"speaker", "guest1"},
                                   {"text", "  今年年底前全部办结。 "},
                                   {"typing_ms", 4000}})
                  .handled());
  EXPECT_TRUE(sent_.empty());  // not yet durable: nobody is told
  EXPECT_TRUE(published_.empty());

  runPosted();
  const std::vector<json> replies = repliesTo(7);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0]["type"], "reply");
  EXPECT_EQ(replies[0]["id"], 5);
  const json& line = replies[0]["line"];
  EXPECT_GT(line["id"].get<std::int64_t>(), 0);
  EXPECT_EQ(line["speaker_name"], "张三");
  EXPECT_EQ(line["text"], "今年年底前全部办结。");
  EXPECT_EQ(line["start_ms"], 56000);  // typing began 4 s before the commit
  EXPECT_EQ(line["end_ms"], 60000);

  ASSERT_EQ(published_.size(), 2u);
  EXPECT_EQ(published_[0].channels, server::kChannelProducer | server::kChannelTypist);
  EXPECT_EQ(published_[0].message["type"], "transcript.line");
  EXPECT_EQ(published_[1].channels, server::kChannelViewer);
  EXPECT_EQ(published_[1].message["type"], "transcript.public");
  // Viewers get what was said, not who typed it or the text before edits.
  EXPECT_FALSE(published_[1].message["line"].contains("by"));
  EXPECT_FALSE(published_[1].message["line"].contains("original_text"));

  json status;
  desk_->addStatus(&status);
  EXPECT_EQ(status["transcript"]["lines"], 1);
}

TEST_F(TranscriptTest, BadLinesGetTheirOwnErrorAndStoreNothing) {
  const std::string invalid_utf8 = "\xC3\x28";
  const std::vector<std::pair<json, std::string>> cases = {
      {{{"speaker", "guest9"}, {"text", "谁"}}, "invalid"},
      {{{"speaker", "host"}}, "empty"},
      {{{"speaker", "host"}, {"text", " \n "}}, "empty"},
      {{{"speaker", "host"}, {"text", std::string(Transcript::kMaxLineChars + 1, 'a')}},
       "too_long"},
      {{{"speaker", "host"}, {"text", invalid_utf8}}, "bad_message"},
      {{{"speaker", "host"}, {"text", "好"}, {"typing_ms", -1}}, "invalid"},
      {{{"speaker", "host"}, {"text", "好"}, {"typing_ms", Transcript::kMaxTypingMs + 1}},
       "invalid"},
  };
  for (const auto& [fields, code] : cases) {
    SCOPED_TRACE(fields.dump(-1, ' ', false, json::error_handler_t::replace));
    const json reply = commitLine(fields);
    EXPECT_EQ(reply["type"], "error");
    EXPECT_EQ(reply["code"], code);
  }
  EXPECT_TRUE(published_.empty());
  json status;
  desk_->addStatus(&status);
  EXPECT_EQ(status["transcript"]["lines"], 0);
}

TEST_F(TranscriptTest, ViewersMayNotWriteAndEveryoneMayList) {
  const core::CommandOutcome outcome =
      send(Role::kViewer, {{"type", "transcript.commit"}, {"speaker", "host"}, {"text", "假的"}});
  ASSERT_TRUE(outcome.error());
  EXPECT_EQ(outcome.error()->code, "forbidden");
  EXPECT_TRUE(send(Role::kNone, {{"type", "transcript.list"}}).handled());
}

TEST_F(TranscriptTest, ACorrectionKeepsTheLineAndADeletedLineIsGoneForViewers) {
  const std::int64_t id = commitLine({{"speaker", "host"}, {"text", "医报政策"}})["line"]["id"];
  published_.clear();

  ASSERT_TRUE(
      send(Role::kProducer, {{"type", "transcript.edit"}, {"line", id}, {"text", "医保政策"}})
          .handled());
  runPosted();
  std::vector<json> replies = repliesTo(7);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0]["line"]["text"], "医保政策");
  EXPECT_EQ(replies[0]["line"]["original_text"], "医报政策");
  EXPECT_EQ(replies[0]["line"]["edits"], 1);
  ASSERT_EQ(published_.size(), 2u);
  EXPECT_EQ(published_[0].message["type"], "transcript.updated");

  ASSERT_TRUE(send(Role::kProducer, {{"type", "transcript.delete"}, {"line", id}}).handled());
  runPosted();
  replies = repliesTo(7);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0]["line"]["deleted"], true);
  EXPECT_EQ(published_.back().message["line"]["deleted"], true);

  // A deleted line cannot be corrected, and lists leave it out.
  for (const char* type : {"transcript.edit", "transcript.delete"}) {
    send(Role::kProducer, {{"type", type}, {"line", id}, {"text", "再改"}});
    replies = repliesTo(7);
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0]["code"], "not_found");
  }
  send(Role::kProducer, {{"type", "transcript.list"}});
  replies = repliesTo(7);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_TRUE(replies[0]["lines"].empty());
}

TEST_F(TranscriptTest, AViewerListsThePublicLinesAFewTimesAMinute) {
  commitLine({{"speaker", "narration"}, {"text", "节目开始"}});
  const server::ClientId viewer = 11;
  for (int i = 0; i < static_cast<int>(Transcript::kListBurst); ++i) {
    send(Role::kViewer, {{"type", "transcript.list"}}, viewer);
    const std::vector<json> replies = repliesTo(viewer);
    ASSERT_EQ(replies.size(), 1u);
    ASSERT_EQ(replies[0]["lines"].size(), 1u);
    EXPECT_EQ(replies[0]["lines"][0]["speaker_name"], "旁白");
    EXPECT_FALSE(replies[0]["lines"][0].contains("by"));
    EXPECT_EQ(replies[0]["speakers"].size(), 3u);  // host, one guest, narration
  }
  send(Role::kViewer, {{"type", "transcript.list"}}, viewer);
  const std::vector<json> refused = repliesTo(viewer);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0]["code"], "rate_limited");
  EXPECT_GE(refused[0]["retry_after_s"].get<int>(), 1);

  // The studio's own clients (the console) are never limited.
  const server::ClientId console = server::LocalClients::kBit | 1;
  for (int i = 0; i < 10; ++i) {
    send(Role::kViewer, {{"type", "transcript.list"}}, console);
    const std::vector<json> replies = repliesTo(console);
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_FALSE(replies[0].contains("code"));
  }
}

TEST_F(TranscriptTest, TheQuestionOnAirHasALineFromOnAirToTheNextQuestion) {
  questions::Question first;
  first.id = 41;
  first.nickname = "瓯海小李";
  first.original_text = "安置房什么时候能办证？";
  first.aired_ms = 70000;
  desk_->questionOnAir(&first);
  runPosted();
  ASSERT_EQ(published_.size(), 2u);
  const json line = published_[0].message["line"];
  EXPECT_EQ(line["kind"], "question");
  EXPECT_EQ(line["text"], "网友「瓯海小李」提问：安置房什么时候能办证？");
  EXPECT_EQ(line["start_ms"], 70000);
  EXPECT_EQ(line["question"], 41);

  // An edit of the question on air is the same question: no second line.
  desk_->questionOnAir(&first);
  runPosted();
  EXPECT_EQ(published_.size(), 2u);

  timeline_ms_ = 130000;
  questions::Question second;
  second.id = 42;
  second.observer_name = "陈观察";
  second.category = questions::Category::kSuggestion;
  second.original_text = "建议增加夜间门诊";
  desk_->questionOnAir(&second);
  runPosted();
  // The first line ends now; the second starts now (it has no aired time).
  bool closed = false;
  bool opened = false;
  for (const Published& p : published_) {
    // Read without operator[] on a const object, which asserts on a missing
    // key (the ASan build keeps assertions): not every message has a line.
    const json l = p.message.value("line", json::object());
    if (l.value("id", json()) == line["id"] && l.value("end_ms", json()) == 130000) closed = true;
    if (l.value("question", json()) == 42 &&
        l.value("text", json()) == "市民观察员「陈观察」建议：建议增加夜间门诊" &&
        l.value("start_ms", json()) == 130000) {
      opened = true;
    }
  }
  EXPECT_TRUE(closed);
  EXPECT_TRUE(opened);
}

TEST_F(TranscriptTest, AResumedSessionFindsItsLinesAndTheQuestionStillOnAir) {
  commitLine({{"speaker", "host"}, {"text", "欢迎收看"}});
  questions::Question q;
  q.id = 9;
  q.original_text = "医保卡怎么异地使用？";
  q.aired_ms = 90000;
  desk_->questionOnAir(&q);
  runPosted();

  // The studio is killed and started again on the same session.
  desk_ = makeDesk();
  desk_->load();
  json status;
  desk_->addStatus(&status);
  EXPECT_EQ(status["transcript"]["lines"], 2);
  published_.clear();
  desk_->questionOnAir(&q);  // still on air: its line is there already
  runPosted();
  EXPECT_TRUE(published_.empty());

  send(Role::kTypist, {{"type", "transcript.list"}});
  const std::vector<json> replies = repliesTo(7);
  ASSERT_EQ(replies.size(), 1u);
  ASSERT_EQ(replies[0]["lines"].size(), 2u);
  EXPECT_EQ(replies[0]["lines"][0]["text"], "欢迎收看");
  EXPECT_EQ(replies[0]["lines"][1]["kind"], "question");
}

TEST_F(TranscriptTest, ACommitThatComesBackAfterTheDeskIsGoneIsDropped) {
  ASSERT_TRUE(
      send(Role::kTypist, {{"type", "transcript.commit"}, {"speaker", "host"}, {"text", "再见"}})
          .handled());
  desk_.reset();  // the show ended before the commit came back
  runPosted();
  EXPECT_TRUE(sent_.empty());
  EXPECT_TRUE(published_.empty());
}

}  // namespace
}  // namespace yst::desks
