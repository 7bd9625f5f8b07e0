// RtmpTransport (streaming/rtmp_transport.h) around its publisher: not ready
// until a site accepts the stream, the publisher's failure handed to the
// listener on the controller thread, and nothing after close() even when
// the failure was already on its way. The publisher's exchange with a
// server is in rtmp_publisher_test.cpp; a whole destination against
// nginx-rtmp in tests/integration (test_restream, test_destinations).
#include "streaming/rtmp_transport.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QThread>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/unit/qt_test_app.h"

namespace yst::streaming {
namespace {

struct RtmpEvents : TransportListener {
  std::vector<std::string> failures;
  bool off_thread = false;  // a call away from the controller thread
  void transportFailed(const std::string& reason) override {
    off_thread |= QThread::currentThread() != qt_test::app()->thread();
    failures.push_back(reason);
  }
  void transportWarning(const std::string&) override {}
};

// rtmp://127.0.0.1:<a port nothing listens on>/live
std::string refusingUrl() {
  const int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(s);
  return "rtmp://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/live";
}

class RtmpTransportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { qt_test::app(); }
};

TEST_F(RtmpTransportTest, HandsThePublishersFailureToTheControllerThread) {
  const std::string url = refusingUrl();
  RtmpTransport transport(url, "the-key", true);
  RtmpEvents events;
  EXPECT_FALSE(transport.ready());
  transport.start(events);
  EXPECT_FALSE(transport.ready()) << "no site has accepted the stream";
  ASSERT_TRUE(qt_test::spinUntil([&] { return !events.failures.empty(); }, 15000));
  EXPECT_NE(events.failures[0].find("could not connect to " + url), std::string::npos)
      << events.failures[0];
  EXPECT_FALSE(events.off_thread) << "heard on the publisher's thread";
  EXPECT_EQ(transport.close(StopMode::kImmediate, 0), "");
  EXPECT_EQ(transport.bytes(), 0u);
  EXPECT_EQ(transport.droppedPackets(), 0u);
  qt_test::spinUntil([] { return false; }, 100);
  EXPECT_EQ(events.failures.size(), 1u) << "once";
}

TEST_F(RtmpTransportTest, TellsNothingOnceClosedThoughTheFailureWasOnItsWay) {
  RtmpTransport transport(refusingUrl(), "the-key", true);
  RtmpEvents events;
  transport.start(events);
  // The refusal comes at once on loopback, and is queued to this thread,
  // which does not look before close().
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(transport.close(StopMode::kFinalize, 1000), "");
  qt_test::spinUntil([] { return false; }, 300);
  EXPECT_TRUE(events.failures.empty()) << events.failures.front();
}

}  // namespace
}  // namespace yst::streaming
