// How a question is shown to each reader: the public entry leaves out what is
// at its usual value and never says who asked, the asker sees what they sent,
// the producer sees everything and the moves allowed, the host one line.
#include "studio/protocol/question_views.h"

#include <gtest/gtest.h>

#include <string>

namespace yst::protocol {
namespace {

using nlohmann::json;
using questions::Question;
using questions::Status;

Question question() {
  Question q;
  q.id = 42;
  q.viewer = "v-secret-viewer-id";
  q.nickname = "老王";
  q.category = questions::Category::kComplaint;
  q.original_text = "安置房办证什么时候能办好？";
  q.status = Status::kApproved;
  q.queue_key = 2.5;
  q.received_utc = "2026-12-03T20:00:00.000Z";
  q.received_ms = 61000;
  return q;
}

TEST(QuestionViews, ThePublicEntryIsShortAndAnonymous) {
  const json view = publicView(question(), 0);
  EXPECT_EQ(view, (json{{"id", 42},
                        {"text", "安置房办证什么时候能办好？"},
                        {"nickname", "老王"},
                        {"category", "complaint"},
                        {"status", "approved"},
                        {"position", 2.5}}));
  Question q = question();
  q.status = Status::kOnAir;
  q.observer_name = "市民观察员 李";
  q.edits.push_back({"安置房办证何时办结？", "王编辑", "2026-12-03T20:01:00.000Z", 62000});
  const json on_air = publicView(q, 3);
  EXPECT_EQ(on_air["text"], "安置房办证何时办结？") << "the latest edit is what airs";
  EXPECT_EQ(on_air["votes"], 3);
  EXPECT_EQ(on_air["observer"], "市民观察员 李");
  EXPECT_FALSE(on_air.contains("position"));
  EXPECT_EQ(on_air.dump().find("v-secret-viewer-id"), std::string::npos);
}

TEST(QuestionViews, TheAskerSeesWhatTheySent) {
  Question q = question();
  q.edits.push_back({"改过的", "王编辑", "2026-12-03T20:01:00.000Z", 62000});
  q.status = Status::kMerged;
  q.merged_into = 7;
  const json view = ownView(q, 0);
  EXPECT_EQ(view["text"], "安置房办证什么时候能办好？");
  EXPECT_EQ(view["votes"], 0);
  EXPECT_TRUE(view["observer"].is_null());
  EXPECT_EQ(view["merged_into"], 7);
  EXPECT_EQ(view.dump().find("v-secret-viewer-id"), std::string::npos);
  EXPECT_EQ(view.dump().find("王编辑"), std::string::npos) << "nor who edited it";
}

TEST(QuestionViews, TheProducerSeesEverythingAndTheMovesAllowed) {
  Question q = question();
  q.matched_words = {"敏感"};
  q.duplicate_of = 9;
  q.observer_id = 3;
  q.observer_name = "观察员";
  const json view = producerView(q, 5);
  EXPECT_EQ(view["flags"], (json{"sensitive", "duplicate", "observer"}));
  EXPECT_EQ(view["actions"], (json{"reject", "edit", "merge", "on_air", "answered", "move"}));
  EXPECT_EQ(view["duplicate_of"], 9);
  EXPECT_TRUE(view["merged_into"].is_null());
  EXPECT_TRUE(view["reject_reason"].is_null());
  EXPECT_TRUE(view["aired_ms"].is_null());
  EXPECT_EQ(view["position"], 2.5);
  EXPECT_EQ(view["votes"], 5);
  EXPECT_EQ(view["edited"], false);
  q.status = Status::kRejected;
  q.reject_reason = questions::RejectReason::kOffTopic;
  const json rejected = producerView(q, 0);
  EXPECT_EQ(rejected["reject_reason"], "off_topic");
  EXPECT_TRUE(rejected["position"].is_null());
  EXPECT_EQ(rejected["actions"], (json{"approve", "edit", "merge"}));
  EXPECT_EQ(rejected.dump().find("v-secret-viewer-id"), std::string::npos);
}

// The page's id for a submission goes back to the asker only: their page
// matches it with what it still waits for; nobody else learns it.
TEST(QuestionViews, OnlyTheAskerSeesTheSubmissionsClientId) {
  Question q = question();
  EXPECT_FALSE(ownView(q, 0).contains("client_id")) << "an older page sent none";
  q.client_id = "c-7Hq2xPz9LmN4";
  EXPECT_EQ(ownView(q, 0)["client_id"], "c-7Hq2xPz9LmN4");
  for (const json& view : {publicView(q, 1), producerView(q, 1), hostView(q, 1)}) {
    EXPECT_EQ(view.dump().find("c-7Hq2xPz9LmN4"), std::string::npos) << view.dump();
  }
}

TEST(QuestionViews, TheHostSeesOneLine) {
  EXPECT_EQ(hostView(question(), 2), (json{{"id", 42},
                                           {"text", "安置房办证什么时候能办好？"},
                                           {"nickname", "老王"},
                                           {"category", "complaint"},
                                           {"observer", nullptr},
                                           {"votes", 2}}));
}

}  // namespace
}  // namespace yst::protocol
