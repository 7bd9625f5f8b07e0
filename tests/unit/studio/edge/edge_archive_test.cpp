// EdgeArchive against a real nats-server: one Bus plays the edge, another
// the studio answering the `archive` subject (counting what it is asked).
// Every callback runs on the test's thread (the PostQueue); the edge's clock
// is the test's own, so "fresh for kFreshMs" is checked without waiting.
#include "studio/edge/edge_archive.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "studio/edge/subjects.h"
#include "tests/support/nats_server.h"
#include "tests/support/post_queue.h"

namespace yst::edge {
namespace {

using nlohmann::json;
using testing::PostQueue;

struct Answer {
  unsigned int status = 0;
  std::string body;
};

class EdgeArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.start();
    studio_ = makeBus("studio");
    edge_ = makeBus("edge");
    archive_ = std::make_unique<EdgeArchive>(EdgeArchive::Context{
        edge_.get(), subjects_.archive,
        [this](server::RequestId id, unsigned int status, std::shared_ptr<const std::string> body,
               const std::string& content_type) {
          answers_[id] = {status, *body};
          content_types_[id] = content_type;
        },
        [this] { return now_ms_; }});
  }
  void TearDown() override {
    archive_.reset();
    edge_.reset();
    studio_.reset();
  }

  std::unique_ptr<bus::Bus> makeBus(const std::string& name) {
    bus::BusOptions o;
    o.url = server_.url();
    o.name = name;
    o.reconnect_wait_ms = 100;
    auto bus = std::make_unique<bus::Bus>(o, queue_.post());
    bool connected = false;
    bus->start([&connected](bus::BusState state, const std::string&) {
      if (state == bus::BusState::kConnected) connected = true;
    });
    EXPECT_TRUE(queue_.runUntil([&] { return connected; }));
    return bus;
  }

  // The studio answers with the path, the arguments and how many times it
  // was asked; `status` as given.
  void studioAnswers(unsigned int status = 200) {
    studio_sub_ = studio_->subscribe(subjects_.archive, [this, status](bus::BusMessage m) {
      ++studio_asked_;
      const json request = json::parse(m.data);
      const json body = {
          {"path", request["path"]}, {"args", request["args"]}, {"asked", studio_asked_}};
      studio_->respond(m, json{{"status", status}, {"body", body.dump()}}.dump());
    });
    studioSaidItAll();
  }
  void studioGone() {
    studio_->unsubscribe(studio_sub_);
    studioSaidItAll();
  }
  // What the studio's connection sent before is on the server once a request
  // the studio answers after it comes back (one connection's messages keep
  // their order).
  void studioSaidItAll() {
    const std::string ping = subjects_.archive + ".ping." + std::to_string(++pings_);
    const bus::SubscriptionId sub =
        studio_->subscribe(ping, [this](bus::BusMessage m) { studio_->respond(m, "{}"); });
    bool answered = false;
    for (int tries = 0; tries < 50 && !answered; ++tries) {
      bool done = false;
      edge_->request(ping, "{}", 200, [&](std::optional<bus::BusMessage> reply, std::string) {
        answered = reply.has_value();
        done = true;
      });
      ASSERT_TRUE(queue_.runUntil([&] { return done; }));
    }
    ASSERT_TRUE(answered) << "the studio's subscriptions never reached the server";
    studio_->unsubscribe(sub);
  }

  // Asks and waits for the answer.
  Answer ask(const std::string& path, const EdgeArchive::Args& args = {}) {
    const server::RequestId id = next_id_++;
    archive_->request(id, path, args);
    EXPECT_TRUE(queue_.runUntil([&] { return answers_.count(id) > 0; }, 15000)) << path;
    return answers_[id];
  }

  testing::NatsServer server_;
  PostQueue queue_;
  Subjects subjects_{"unit"};
  std::unique_ptr<bus::Bus> studio_;
  std::unique_ptr<bus::Bus> edge_;
  std::unique_ptr<EdgeArchive> archive_;
  std::map<server::RequestId, Answer> answers_;
  std::map<server::RequestId, std::string> content_types_;
  bus::SubscriptionId studio_sub_ = 0;
  int studio_asked_ = 0;
  int pings_ = 0;
  std::int64_t now_ms_ = 1000;
  server::RequestId next_id_ = 1;
};

TEST_F(EdgeArchiveTest, AnAnswerIsKeptWhileFreshThenAskedAgain) {
  studioAnswers();
  const Answer first = ask("/api/archive/sessions");
  EXPECT_EQ(first.status, 200u);
  EXPECT_EQ(json::parse(first.body)["asked"], 1);
  now_ms_ += EdgeArchive::kFreshMs - 1;
  EXPECT_EQ(json::parse(ask("/api/archive/sessions").body)["asked"], 1) << "kept";
  EXPECT_EQ(archive_->hits(), 1u);
  now_ms_ += 1;
  EXPECT_EQ(json::parse(ask("/api/archive/sessions").body)["asked"], 2) << "asked again";
  EXPECT_EQ(studio_asked_, 2);
}

TEST_F(EdgeArchiveTest, ArgumentsInAnotherOrderAreTheSameQuestion) {
  studioAnswers();
  ask("/api/archive/search", {{"q", "医保"}, {"limit", "20"}});
  const Answer again = ask("/api/archive/search", {{"limit", "20"}, {"q", "医保"}});
  EXPECT_EQ(json::parse(again.body)["asked"], 1);
  ask("/api/archive/search", {{"q", "公交"}, {"limit", "20"}});
  EXPECT_EQ(studio_asked_, 2) << "other words are another question";
}

TEST_F(EdgeArchiveTest, RequestsWhileAskingWaitForTheOneAnswer) {
  studioAnswers();
  for (server::RequestId id = 100; id < 110; ++id) {
    archive_->request(id, "/api/archive/session", {{"id", "7"}});
  }
  ASSERT_TRUE(queue_.runUntil([&] { return answers_.size() == 10; }, 15000));
  EXPECT_EQ(studio_asked_, 1);
  for (const auto& [id, answer] : answers_) {
    EXPECT_EQ(answer.status, 200u);
    EXPECT_EQ(json::parse(answer.body)["args"], json::parse(R"([["id","7"]])"));
  }
}

TEST_F(EdgeArchiveTest, WithTheStudioGoneWhatWasKeptIsServedHoweverOld) {
  studioAnswers();
  ask("/api/archive/sessions");
  studioGone();
  now_ms_ += 10 * EdgeArchive::kFreshMs;
  const Answer stale = ask("/api/archive/sessions");
  EXPECT_EQ(stale.status, 200u);
  EXPECT_EQ(json::parse(stale.body)["asked"], 1);
  // Nothing kept: 503 with a reason the page can show.
  const Answer none = ask("/api/archive/session", {{"id", "3"}});
  EXPECT_EQ(none.status, 503u);
  EXPECT_EQ(json::parse(none.body)["code"], "unavailable");
}

TEST_F(EdgeArchiveTest, TheStudiosRefusalsAreKeptItsFailuresAreNot) {
  studioAnswers(404);
  EXPECT_EQ(ask("/api/archive/session", {{"id", "99"}}).status, 404u);
  EXPECT_EQ(ask("/api/archive/session", {{"id", "99"}}).status, 404u);
  EXPECT_EQ(studio_asked_, 1) << "a 404 is an answer";
  studioGone();
  studioAnswers(503);
  EXPECT_EQ(ask("/api/archive/sessions").status, 503u);
  EXPECT_EQ(ask("/api/archive/sessions").status, 503u);
  EXPECT_EQ(studio_asked_, 3) << "a 503 is asked again";
}

TEST_F(EdgeArchiveTest, AMalformedAnswerIsNotPassedOn) {
  studio_sub_ = studio_->subscribe(subjects_.archive, [this](bus::BusMessage m) {
    ++studio_asked_;
    studio_->respond(m, R"({"status":"200","body":{"not":"a string"}})");
  });
  studioSaidItAll();
  const Answer answer = ask("/api/archive/sessions");
  EXPECT_EQ(answer.status, 503u);
  EXPECT_EQ(json::parse(answer.body)["code"], "unavailable");
}

// 问政跟踪's Atom feed comes the same way with its type, kept with it; any
// other type the bus names is not passed to a browser.
TEST_F(EdgeArchiveTest, TheFeedsTypeIsKeptAnyOtherIsDropped) {
  studio_sub_ = studio_->subscribe(subjects_.archive, [this](bus::BusMessage m) {
    ++studio_asked_;
    const std::string path = json::parse(m.data)["path"];
    const std::string type =
        path == "/followup/feed.atom" ? "application/atom+xml; charset=utf-8" : "text/html";
    studio_->respond(m, json{{"status", 200}, {"body", "<feed/>"}, {"content_type", type}}.dump());
  });
  studioSaidItAll();
  const server::RequestId feed = next_id_;
  EXPECT_EQ(ask("/followup/feed.atom").body, "<feed/>");
  EXPECT_EQ(content_types_[feed], "application/atom+xml; charset=utf-8");
  const server::RequestId kept = next_id_;
  ask("/followup/feed.atom");
  EXPECT_EQ(content_types_[kept], "application/atom+xml; charset=utf-8") << "kept with the body";
  EXPECT_EQ(studio_asked_, 1);
  const server::RequestId html = next_id_;
  ask("/api/followup");
  EXPECT_EQ(content_types_[html], "") << "text/html from the bus becomes JSON's default";
}

TEST_F(EdgeArchiveTest, KeepsAtMostKMaxEntriesTheLeastRecentlyUsedGoFirst) {
  studioAnswers();
  ask("/api/archive/session", {{"id", "0"}});
  for (std::size_t n = 1; n <= EdgeArchive::kMaxEntries; ++n) {
    // The first stays in use; the second is the least recently used.
    ask("/api/archive/session", {{"id", std::to_string(n)}});
    if (n % 64 == 0) ask("/api/archive/session", {{"id", "0"}});
  }
  const int asked = studio_asked_;
  ask("/api/archive/session", {{"id", "0"}});
  EXPECT_EQ(studio_asked_, asked) << "still kept";
  ask("/api/archive/session", {{"id", "1"}});
  EXPECT_EQ(studio_asked_, asked + 1) << "evicted";
}

TEST_F(EdgeArchiveTest, AFloodOfDistinctQuestionsIsAnsweredBusyBeyondKMaxAsking) {
  // Nobody answers yet: every question stays in flight.
  studio_sub_ = studio_->subscribe(subjects_.archive, [](bus::BusMessage) {});
  studioSaidItAll();
  for (std::size_t n = 0; n <= EdgeArchive::kMaxAsking; ++n) {
    archive_->request(static_cast<server::RequestId>(1000 + n), "/api/archive/search",
                      {{"q", "词" + std::to_string(n)}});
  }
  const server::RequestId last = static_cast<server::RequestId>(1000 + EdgeArchive::kMaxAsking);
  ASSERT_EQ(answers_.count(last), 1u) << "answered at once";
  EXPECT_EQ(answers_[last].status, 503u);
  EXPECT_EQ(json::parse(answers_[last].body)["code"], "busy");
  EXPECT_EQ(archive_->asked(), EdgeArchive::kMaxAsking);
}

}  // namespace
}  // namespace yst::edge
