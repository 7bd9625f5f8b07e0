// The guests desk against a fake engine and a real database: who may fill a
// webrtc:// slot (the slot's WHIP token, a guest's invitation), one sender at
// a time, the green room and admission, DELETE, the guest page's details.
#include "studio/desks/guests.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>

#include "studio/base/digest.h"
#include "studio/config/show_config.h"
#include "studio/store/guests_table.h"
#include "studio/store/store.h"
#include "tests/unit/studio/desks/desk_test.h"

namespace yst::desks {
namespace {

using nlohmann::json;

constexpr const char* kWhipToken = "whip_token_0123456789abcdef";
constexpr const char* kOffer =
    "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=video 9 x 96\r\n";

// The engine's slots: records what the desk asks, answers when told.
class FakeSlots : public core::GuestSlotPort {
 public:
  bool running(const std::string&) const override { return true; }
  std::string checkOffer(const std::string& sdp) const override {
    return sdp.rfind("v=0", 0) == 0 ? "" : "not an SDP offer";
  }
  void acceptOffer(const std::string& id, std::string offer, Answered answered) override {
    offers.push_back({id, std::move(offer)});
    pending = std::move(answered);
    states[id] = "connecting";
  }
  void endSession(const std::string& id) override {
    ended.push_back(id);
    states[id] = "waiting";
  }
  std::string state(const std::string& id) const override {
    auto it = states.find(id);
    return it == states.end() ? "waiting" : it->second;
  }
  void hold(const std::string& id, bool held) override { this->held[id] = held; }
  void talkback(const std::string& id, bool on) override { talking[id] = on; }

  // The studio answered and the sender's picture came.
  void answer(const std::string& id, const std::string& sdp = "v=0\r\nanswer\r\n") {
    Answered a = std::move(pending);
    pending = nullptr;
    a(sdp, "");
    states[id] = "live";
  }

  std::vector<std::pair<std::string, std::string>> offers;
  std::vector<std::string> ended;
  std::map<std::string, std::string> states;
  std::map<std::string, bool> held;
  std::map<std::string, bool> talking;
  Answered pending;
};

class GuestsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("yst-guests-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = std::make_unique<store::Store>((dir_ / "t.db").string(),
                                            [this](std::function<void()> done) {
                                              std::lock_guard lock(mutex_);
                                              done_.push_back(std::move(done));
                                              cv_.notify_all();
                                            });
    show_.show.title = "温网议事厅";
    config::SourceConfig cam;
    cam.id = "cam";
    cam.scheme = streaming::UrlScheme::kTest;
    config::SourceConfig slot;
    slot.id = "remote1";
    slot.label = "远程嘉宾";
    slot.scheme = streaming::UrlScheme::kWebrtc;
    slot.whip_token = kWhipToken;
    show_.sources = {cam, slot};
    show_.webrtc.stun_server = "stun:stun.example.cn:3478";
    show_.webrtc.turn_url = "turn:turn.example.cn:3478";
    show_.webrtc.turn_secret = "turn_secret_0123456789";
    guests_ = std::make_unique<Guests>(Guests::Context{
        &show_, store_.get(), &slots_,
        [this](const std::string& type, json payload) {
          events_.push_back({type, payload});
        },
        [this](server::RequestId id, server::ApiResponse r) { answers_[id] = std::move(r); },
        [this](server::ClientId, const json& message) { sent_.push_back(message); }, [] {},
        [] { return std::int64_t{1'800'000'000}; },
        [this](const std::string& source, const std::string& name, const std::string& title) {
          people_.push_back(source + ":" + name + ":" + title);
        },
        [] { return std::string("https://yishiting.example.org"); }});
    guests_->registerCommands(commands_);
  }
  void TearDown() override {
    guests_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Runs the database's answers on this thread until `id` is answered.
  const server::ApiResponse& answerTo(server::RequestId id) {
    for (int i = 0; i < 100 && !answers_.contains(id); ++i) pump();
    EXPECT_TRUE(answers_.contains(id)) << "request " << id << " unanswered";
    return answers_[id];
  }
  void pump() {
    std::deque<std::function<void()>> jobs;
    {
      std::unique_lock lock(mutex_);
      cv_.wait_for(lock, std::chrono::milliseconds(50), [this] { return !done_.empty(); });
      jobs.swap(done_);
    }
    for (auto& job : jobs) job();
  }
  server::ApiRequest post(const std::string& token, const std::string& body = kOffer) {
    return {"POST", "/whip/remote1", "Bearer " + token, "application/sdp", body, "10.0.0.9"};
  }
  std::string invite(const std::string& name, const std::string& source = "remote1",
                     std::int64_t expires = 1'900'000'000) {
    const std::string token = "guest_token_" + name + "_0123456789";
    store_->runSync(
        [&](sqlite3* db) { store::addGuest(db, source, name, "局长", sha256Hex(token), expires); });
    return token;
  }

  std::filesystem::path dir_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> done_;
  config::ShowConfig show_;
  std::unique_ptr<store::Store> store_;
  FakeSlots slots_;
  std::unique_ptr<Guests> guests_;
  core::CommandRegistry commands_;
  std::map<server::RequestId, server::ApiResponse> answers_;
  std::vector<std::pair<std::string, json>> events_;
  std::vector<json> sent_;
  std::vector<std::string> people_;  // person_changed calls, "source:name:title"
};

TEST_F(GuestsTest, APublisherWithTheSlotsTokenIsOnAirAndAloneInTheSlot) {
  guests_->request(1, post(kWhipToken));
  ASSERT_EQ(slots_.offers.size(), 1u);
  EXPECT_EQ(slots_.offers[0].second, kOffer);
  EXPECT_FALSE(slots_.held["remote1"]) << "a publisher is a camera: not held";
  slots_.answer("remote1");
  const server::ApiResponse& created = answerTo(1);
  EXPECT_EQ(created.status, 201u);
  EXPECT_EQ(created.content_type, "application/sdp");
  EXPECT_EQ(created.body, "v=0\r\nanswer\r\n");
  ASSERT_EQ(created.headers.size(), 1u);
  EXPECT_EQ(created.headers[0].first, "location");
  const std::string location = created.headers[0].second;
  EXPECT_EQ(location.rfind("/whip/remote1/", 0), 0u);
  EXPECT_EQ(location.size(), std::string("/whip/remote1/").size() + 16);
  const json slot = guests_->slotJson("remote1");
  EXPECT_EQ(slot["state"], "live");
  EXPECT_EQ(slot["kind"], "publisher");
  EXPECT_TRUE(guests_->onAirRefusal("remote1").empty());

  // A second sender while the first is live: 409, and nothing reaches the engine.
  guests_->request(2, post(kWhipToken));
  EXPECT_EQ(answerTo(2).status, 409u);
  EXPECT_EQ(slots_.offers.size(), 1u);

  // DELETE: only with the session's token, only its own Location.
  guests_->request(3, {"DELETE", location, "Bearer " + invite("x"), "", "", "10.0.0.9"});
  EXPECT_EQ(answerTo(3).status, 401u);
  guests_->request(4, {"DELETE", "/whip/remote1/notthesession0000",
                       "Bearer " + std::string(kWhipToken), "", "", "10.0.0.9"});
  EXPECT_EQ(answerTo(4).status, 404u);
  EXPECT_TRUE(slots_.ended.empty());
  guests_->request(5,
                   {"DELETE", location, "Bearer " + std::string(kWhipToken), "", "", "10.0.0.9"});
  EXPECT_EQ(answerTo(5).status, 200u);
  EXPECT_EQ(slots_.ended, std::vector<std::string>{"remote1"});
  EXPECT_EQ(guests_->slotJson("remote1")["state"], "waiting");
}

TEST_F(GuestsTest, ASendersTroublesAreSaidAsSuch) {
  guests_->request(1, {"POST", "/whip/remote1", "", "application/sdp", kOffer, "a"});
  EXPECT_EQ(answerTo(1).status, 401u);
  guests_->request(2, post("wrong_token_0123456789"));
  EXPECT_EQ(answerTo(2).status, 401u) << "neither the slot's token nor an invitation";
  guests_->request(
      3, {"POST", "/whip/remote1", "Bearer " + std::string(kWhipToken), "text/plain", kOffer, "a"});
  EXPECT_EQ(answerTo(3).status, 415u);
  guests_->request(4, post(kWhipToken, "hello"));
  EXPECT_EQ(answerTo(4).status, 400u);
  guests_->request(5, {"POST", "/whip/cam", "Bearer " + std::string(kWhipToken), "application/sdp",
                       kOffer, "a"});
  EXPECT_EQ(answerTo(5).status, 404u) << "a camera is no slot";
  guests_->request(6, {"GET", "/whip/remote1", "", "", "", "a"});
  EXPECT_EQ(answerTo(6).status, 405u);
  guests_->request(7, {"OPTIONS", "/whip/remote1", "", "", "", "a"});
  EXPECT_EQ(answerTo(7).status, 204u);
  EXPECT_TRUE(slots_.offers.empty());
  // A guest's invitation into another slot, or expired, does not open this one.
  guests_->request(8, post(invite("other", "remote2")));
  EXPECT_EQ(answerTo(8).status, 401u);
  guests_->request(9, post(invite("late", "remote1", 1'700'000'000)));
  EXPECT_EQ(answerTo(9).status, 401u);
  // The engine could not answer: 400 with why, and the slot is free again.
  guests_->request(10, post(kWhipToken));
  slots_.pending("", "the offer was refused: no common codec");
  EXPECT_EQ(answerTo(10).status, 400u);
  EXPECT_NE(answers_[10].body.find("no common codec"), std::string::npos);
  EXPECT_EQ(guests_->slotJson("remote1")["state"], "waiting");
}

TEST_F(GuestsTest, AGuestWaitsInTheGreenRoomUntilAdmittedAndKeepsThePlaceOnRejoining) {
  const std::string token = invite("张三");
  guests_->request(1, post(token));
  for (int i = 0; i < 100 && slots_.offers.empty(); ++i) pump();
  ASSERT_EQ(slots_.offers.size(), 1u);
  EXPECT_TRUE(slots_.held["remote1"]) << "held off air in the green room";
  slots_.answer("remote1");
  EXPECT_EQ(answerTo(1).status, 201u);
  json slot = guests_->slotJson("remote1");
  EXPECT_EQ(slot["state"], "green_room");
  EXPECT_EQ(slot["kind"], "guest");
  EXPECT_EQ(slot["guest"], "张三");
  EXPECT_EQ(slot["title"], "局长");
  EXPECT_NE(guests_->onAirRefusal("remote1").find("green room"), std::string::npos);
  // Their invitation's name and title are the slot's person (lower-third, name bar).
  EXPECT_EQ(people_, std::vector<std::string>{"remote1:张三:局长"});

  // The page's own view: green room, and the ICE servers with TURN
  // credentials that expire.
  guests_->request(2, {"GET", "/api/guest", "Bearer " + token, "", "", "a"});
  const server::ApiResponse& info = answerTo(2);
  ASSERT_EQ(info.status, 200u);
  const json page = json::parse(info.body);
  EXPECT_EQ(page["state"], "green_room");
  EXPECT_EQ(page["whip"], "/whip/remote1");
  ASSERT_EQ(page["ice_servers"].size(), 2u);
  EXPECT_EQ(page["ice_servers"][0]["urls"], "stun:stun.example.cn:3478");
  const std::string username = page["ice_servers"][1]["username"];
  EXPECT_EQ(username.rfind(std::to_string(1'800'000'000 + 12 * 3600) + ":guest", 0), 0u);
  EXPECT_EQ(page["ice_servers"][1]["credential"], turnPassword("turn_secret_0123456789", username));
  EXPECT_EQ(info.body.find("turn_secret"), std::string::npos);

  // The producer's cue reaches the guest's page (through /api/guest).
  const core::CommandOutcome cued = sendAsProducer(
      commands_, {{"type", "guests.cue"}, {"source", "remote1"}, {"text", "还有 1 分钟"}});
  ASSERT_NE(cued.fields(), nullptr);
  EXPECT_EQ((*cued.fields())["to"], json::array({"remote1"}));
  guests_->request(5, {"GET", "/api/guest", "Bearer " + token, "", "", "a"});
  EXPECT_EQ(json::parse(answerTo(5).body)["cue"]["text"], "还有 1 分钟");
  for (const json& bad : {json{{"type", "guests.cue"}, {"text", ""}},
                          json{{"type", "guests.cue"}, {"text", std::string(61, 'x')}},
                          json{{"type", "guests.cue"}, {"source", "cam"}, {"text", "x"}},
                          json{{"type", "guests.cue"}}}) {
    SCOPED_TRACE(bad.dump());
    EXPECT_NE(sendAsProducer(commands_, bad).error(), nullptr);
  }

  // Admitted: no longer held; the switcher may cut to them.
  EXPECT_EQ(sendAsProducer(commands_, {{"type", "guests.admit"}, {"source", "remote1"}}).error(),
            nullptr);
  EXPECT_FALSE(slots_.held["remote1"]);
  EXPECT_TRUE(guests_->onAirRefusal("remote1").empty());
  EXPECT_EQ(guests_->slotJson("remote1")["state"], "live");

  // Their network dropped; their page comes back with a new offer: the same
  // invitation replaces the session and stays on air.
  slots_.states["remote1"] = "retrying";
  guests_->request(3, post(token));
  for (int i = 0; i < 100 && slots_.offers.size() < 2; ++i) pump();
  ASSERT_EQ(slots_.offers.size(), 2u);
  EXPECT_FALSE(slots_.held["remote1"]);
  slots_.answer("remote1");
  EXPECT_EQ(answerTo(3).status, 201u);
  EXPECT_EQ(guests_->slotJson("remote1")["state"], "live");
  // Another guest while this one is live: 409.
  guests_->request(4, post(invite("李四")));
  EXPECT_EQ(answerTo(4).status, 409u);

  // Back to the green room, then ended by the producer.
  EXPECT_EQ(sendAsProducer(commands_, {{"type", "guests.hold"}, {"source", "remote1"}}).error(),
            nullptr);
  EXPECT_TRUE(slots_.held["remote1"]);
  EXPECT_EQ(sendAsProducer(commands_, {{"type", "guests.end"}, {"source", "remote1"}}).error(),
            nullptr);
  EXPECT_FALSE(slots_.held["remote1"]);
  EXPECT_EQ(guests_->slotJson("remote1")["state"], "waiting");
  ASSERT_FALSE(people_.empty());
  EXPECT_EQ(people_.back(), "remote1::") << "nobody's person once the session ended";
  const core::CommandOutcome nobody =
      sendAsProducer(commands_, {{"type", "guests.admit"}, {"source", "remote1"}});
  ASSERT_NE(nobody.error(), nullptr);
  EXPECT_EQ(nobody.error()->code, "not_found");
  EXPECT_FALSE(events_.empty());
  EXPECT_EQ(events_.back().first, "guests.changed");
}

TEST_F(GuestsTest, TheProducersTalkbackReachesTheGuestItIsOnForUntilTheSessionEnds) {
  // Without a talkback microphone in the show there is nothing to talk with.
  const core::CommandOutcome none =
      sendAsProducer(commands_, {{"type", "guests.talk"}, {"source", "remote1"}, {"on", true}});
  ASSERT_NE(none.error(), nullptr);
  EXPECT_EQ(none.error()->code, "not_found");
  EXPECT_NE(none.error()->message.find("talkback = true"), std::string::npos);

  config::SourceConfig mic;
  mic.id = "director";
  mic.scheme = streaming::UrlScheme::kAlsa;
  mic.talkback = true;
  show_.sources.push_back(mic);
  const std::string token = invite("张三");
  guests_->request(1, post(token));
  for (int i = 0; i < 100 && slots_.offers.empty(); ++i) pump();
  slots_.answer("remote1");
  ASSERT_EQ(answerTo(1).status, 201u);

  const core::CommandOutcome on =
      sendAsProducer(commands_, {{"type", "guests.talk"}, {"source", "remote1"}, {"on", true}});
  ASSERT_NE(on.fields(), nullptr);
  EXPECT_EQ((*on.fields())["to"], json::array({"remote1"}));
  EXPECT_TRUE(slots_.talking["remote1"]);
  EXPECT_TRUE(guests_->slotJson("remote1")["talkback"]);
  EXPECT_EQ(events_.back().first, "guests.changed");
  // The guest's page knows (it shows that the producer is talking).
  guests_->request(2, {"GET", "/api/guest", "Bearer " + token, "", "", "a"});
  EXPECT_EQ(json::parse(answerTo(2).body)["talkback"], true);
  for (const json& bad : {json{{"type", "guests.talk"}, {"source", "remote1"}},
                          json{{"type", "guests.talk"}, {"on", "yes"}},
                          json{{"type", "guests.talk"}, {"source", "cam"}, {"on", true}}}) {
    SCOPED_TRACE(bad.dump());
    EXPECT_NE(sendAsProducer(commands_, bad).error(), nullptr);
  }
  // Off for every guest at once (no source).
  EXPECT_EQ(sendAsProducer(commands_, {{"type", "guests.talk"}, {"on", false}}).error(), nullptr);
  EXPECT_FALSE(slots_.talking["remote1"]);
  // On again, then the session ends: the next guest in the slot starts without it.
  EXPECT_EQ(sendAsProducer(commands_, {{"type", "guests.talk"}, {"on", true}}).error(), nullptr);
  EXPECT_TRUE(slots_.talking["remote1"]);
  EXPECT_EQ(sendAsProducer(commands_, {{"type", "guests.end"}, {"source", "remote1"}}).error(),
            nullptr);
  EXPECT_FALSE(slots_.talking["remote1"]);
  EXPECT_FALSE(guests_->slotJson("remote1")["talkback"]);
}

TEST_F(GuestsTest, OneOfferAtATimePerSlot) {
  // A page or an encoder posting in a loop: while an offer is being
  // answered, the next is turned away with Retry-After; once answered, the
  // same guest's next offer (a rejoin) is taken.
  const std::string token = invite("张三");
  guests_->request(1, post(token));
  for (int i = 0; i < 100 && slots_.offers.empty(); ++i) pump();
  ASSERT_EQ(slots_.offers.size(), 1u);
  guests_->request(2, post(token));
  const server::ApiResponse& busy = answerTo(2);
  EXPECT_EQ(busy.status, 429u);
  ASSERT_EQ(busy.headers.size(), 1u);
  EXPECT_EQ(busy.headers[0].first, "retry-after");
  EXPECT_EQ(slots_.offers.size(), 1u) << "the slot's input was not rebuilt";
  slots_.answer("remote1");
  EXPECT_EQ(answerTo(1).status, 201u);
  guests_->request(3, post(token));
  for (int i = 0; i < 100 && slots_.offers.size() < 2; ++i) pump();
  EXPECT_EQ(slots_.offers.size(), 2u);
  slots_.answer("remote1");
  EXPECT_EQ(answerTo(3).status, 201u);
}

TEST_F(GuestsTest, AProducerInvitesAGuestAndTheLinkWorks) {
  const core::CommandOutcome queued = sendAsProducer(commands_, {{"type", "guests.invite"},
                                                                 {"source", "remote1"},
                                                                 {"name", "王五"},
                                                                 {"title", "市民观察员"}});
  EXPECT_TRUE(queued.handled());
  for (int i = 0; i < 100 && sent_.empty(); ++i) pump();
  ASSERT_EQ(sent_.size(), 1u);
  const json reply = sent_[0];
  EXPECT_EQ(reply["command"], "guests.invite");
  const std::string path = reply["path"];
  ASSERT_EQ(path.rfind("/g/", 0), 0u);
  EXPECT_EQ(reply["link"], "https://yishiting.example.org" + path) << "the whole link to send";
  guests_->request(1, {"GET", "/api/guest", "Bearer " + path.substr(3), "", "", "a"});
  const server::ApiResponse& info = answerTo(1);
  ASSERT_EQ(info.status, 200u);
  EXPECT_EQ(json::parse(info.body)["name"], "王五");

  for (const json& bad :
       {json{{"type", "guests.invite"}, {"source", "cam"}, {"name", "x"}},
        json{{"type", "guests.invite"}, {"source", "remote1"}, {"name", ""}},
        json{{"type", "guests.invite"}, {"source", "remote1"}, {"name", "x"}, {"hours", 0}},
        json{{"type", "guests.invite"}, {"source", "remote1"}}}) {
    SCOPED_TRACE(bad.dump());
    EXPECT_NE(sendAsProducer(commands_, bad).error(), nullptr);
  }
  // Only producers.
  core::ClientInfo viewer;
  viewer.role = core::Role::kViewer;
  const json message = {{"type", "guests.admit"}, {"source", "remote1"}};
  const json no_id;
  core::CommandContext context{2, viewer, message, no_id};
  const core::CommandOutcome refused = commands_.dispatch(context);
  ASSERT_NE(refused.error(), nullptr);
  EXPECT_EQ(refused.error()->code, "forbidden");
}

}  // namespace
}  // namespace yst::desks
