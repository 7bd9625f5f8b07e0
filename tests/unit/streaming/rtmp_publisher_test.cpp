// The RTMP publisher (streaming/rtmp_publisher.h): the cleaning of a
// server's strings, and the publisher against a scripted server on a real
// loopback socket: the command exchange, media as messages, pings, refusals,
// a server that hangs up or stops reading, and the goodbye on close; and what
// a hostile server might try: a ping flood while it reads nothing, a window
// of 1 byte, a trickled handshake, a stream id of NaN, control characters and
// our key in its strings. Which frames are dropped for a slow site is tested
// on its own in send_queue_test.cpp; the publisher against a real nginx-rtmp
// is in tests/integration (test_restream, test_destinations, test_faults).
#include "streaming/rtmp_publisher.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "streaming/flv.h"
#include "streaming/output_types.h"
#include "streaming/uri_secrets.h"
#include "tests/unit/streaming/hex.h"

namespace yst::streaming {
namespace {

using rtmp::AmfValue;
using rtmp::AmfWriter;
using rtmp::ChunkReader;
using rtmp::Message;
using test::hex;

TEST(ServerText, KeepsWhatIsPrintableAndNothingElse) {
  using rtmp::cleanServerText;
  EXPECT_EQ(cleanServerText("NetStream.Publish.Start", 200), "NetStream.Publish.Start");
  EXPECT_EQ(cleanServerText("  stream\tis\r\n\n  busy  ", 200), "stream is busy");
  EXPECT_EQ(cleanServerText("a\x01"
                            "b\x1b[31m\x7f"
                            "c",
                            200),
            "ab[31mc")
      << "C0 controls and DEL";
  EXPECT_EQ(cleanServerText("a\xc2\x85"
                            "b",
                            200),
            "ab")
      << "a C1 control (NEL)";
  EXPECT_EQ(cleanServerText("x\xff\xfe"
                            "y\xc0\xafz\xed\xa0\x80!\xe4\xb8",
                            200),
            "xyz!")
      << "invalid UTF-8: stray bytes, an overlong '/', a surrogate, a cut sequence";
  EXPECT_EQ(cleanServerText(std::string("nul\0byte", 8), 200), "nulbyte");
  EXPECT_EQ(cleanServerText("safe\xe2\x80\xae"
                            "txt.exe\xe2\x80\x8b",
                            200),
            "safetxt.exe")
      << "a bidi override and a zero-width space";
  EXPECT_EQ(cleanServerText("直播已开始 ✓", 200), "直播已开始 ✓");
  EXPECT_EQ(cleanServerText(std::string(500, 'x'), 200), std::string(199, 'x') + "\u2026");
  EXPECT_EQ(cleanServerText("直播已开始", 3), "直播\u2026") << "cut in code points";
  EXPECT_EQ(cleanServerText("ab", 2), "ab");
  EXPECT_EQ(cleanServerText("abc", 0), "");
  EXPECT_EQ(cleanServerText("key se\x01"
                            "cret-1 in use",
                            200, {"secret-1", "k"}),
            "key *** in use")
      << "scrubbed after cleaning, so a control character cannot split the key";
}

// A scripted RTMP server on a loopback port: one connection, blocking I/O.
class FakeServer {
 public:
  FakeServer() {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    listen(listener_, 1);
  }
  ~FakeServer() {
    join();
    ::close(listener_);
  }
  // Waits for the script to end; then closes the connection.
  void join() {
    if (thread_.joinable()) thread_.join();
    if (conn_ >= 0) ::close(conn_);
    conn_ = -1;
  }
  int port() const { return port_; }
  std::string url() const { return "rtmp://127.0.0.1:" + std::to_string(port_) + "/live"; }

  // Runs `script` on the server's thread once a client has connected.
  void run(std::function<void(FakeServer&)> script) {
    thread_ = std::thread([this, script] {
      conn_ = accept(listener_, nullptr, nullptr);
      if (conn_ < 0) return;
      timeval tv{10, 0};
      setsockopt(conn_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      setsockopt(conn_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
      script(*this);
    });
  }

  // The server's side of the handshake; false if the client misbehaved.
  bool handshake() {
    std::string c0c1 = readExact(1537);
    if (c0c1.size() != 1537 || c0c1[0] != 3) return false;
    std::string s0s1s2(1 + 1536 * 2, '\x07');
    s0s1s2[0] = 3;
    write(s0s1s2);
    const std::string c2 = readExact(1536);
    return c2 == s0s1s2.substr(1, 1536);  // C2 echoes S1
  }
  std::string readExact(std::size_t n) {
    std::string out;
    while (out.size() < n) {
      char buffer[4096];
      const ssize_t got = recv(conn_, buffer, std::min(sizeof buffer, n - out.size()), 0);
      if (got <= 0) break;
      out.append(buffer, static_cast<std::size_t>(got));
    }
    return out;
  }
  // The next message from the client, if it comes.
  std::optional<Message> next() {
    Message m;
    while (!reader_.next(m)) {
      char buffer[65536];
      const ssize_t got = recv(conn_, buffer, sizeof buffer, 0);
      if (got <= 0) return std::nullopt;
      reader_.append(buffer, static_cast<std::size_t>(got));
    }
    return m;
  }
  // The next command: its AMF0 values.
  std::optional<std::vector<AmfValue>> nextCommand(std::uint32_t* stream_id = nullptr) {
    while (std::optional<Message> m = next()) {
      if (m->type != rtmp::kCommandAmf0) continue;
      if (stream_id) *stream_id = m->stream_id;
      return rtmp::decodeAmf0(m->payload);
    }
    return std::nullopt;
  }
  // False once the client has gone (or not read for 10 s).
  bool write(const std::string& bytes) {
    return ::send(conn_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }
  // In the 4 KiB chunks announced by acceptUpToPublish, which sends only
  // after announcing them.
  void send(const AmfWriter& amf, std::uint32_t stream_id = 0) {
    write(rtmp::chunkBytes(3, {rtmp::kCommandAmf0, 0, stream_id, amf.bytes()}, 4096));
  }
  void onStatus(const char* level, const char* code, const char* description) {
    send(AmfWriter()
             .string("onStatus")
             .number(0)
             .null()
             .beginObject()
             .key("level")
             .string(level)
             .key("code")
             .string(code)
             .key("description")
             .string(description)
             .endObject(),
         1);
  }
  // Answers like nginx-rtmp up to the publish command; `reply` then answers
  // that. Records the commands seen.
  void acceptUpToPublish(const std::function<void(FakeServer&)>& reply) {
    if (!handshake()) return;
    // A window and a chunk size of the server's own, as nginx sends.
    write(rtmp::chunkBytes(2, {rtmp::kWindowAckSize, 0, 0, std::string("\0\x4c\x4b\x40", 4)}, 128));
    write(rtmp::chunkBytes(2, {rtmp::kSetChunkSize, 0, 0, std::string("\0\0\x10\0", 4)}, 128));
    while (auto values = nextCommand()) {
      const std::string name = values->at(0).string;
      commands.push_back(name);
      const double id = values->at(1).number;
      if (name == "connect") {
        app = values->at(2).text("app");
        tc_url = values->at(2).text("tcUrl");
        send(AmfWriter()
                 .string("_result")
                 .number(id)
                 .null()
                 .beginObject()
                 .key("code")
                 .string("NetConnection.Connect.Success")
                 .endObject());
      } else if (name == "releaseStream" || name == "FCPublish") {
        send(AmfWriter().string("_error").number(id).null().null());  // nothing to release
      } else if (name == "createStream") {
        send(AmfWriter().string("_result").number(id).null().number(stream_id_reply));
      } else if (name == "publish") {
        stream = values->at(3).string;
        reply(*this);
        return;
      }
    }
  }

  std::vector<std::string> commands;
  std::string app, tc_url, stream;
  double stream_id_reply = 1;  // what createStream gets

 private:
  int listener_ = -1;
  int conn_ = -1;
  int port_ = 0;
  std::thread thread_;
  ChunkReader reader_;
};

// Collects the publisher's one error.
struct Errors {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::string> seen;
  std::vector<rtmp::Failure> failures;
  RtmpPublisher::ErrorHandler handler() {
    return [this](rtmp::Failure failure, const std::string& e) {
      std::lock_guard lock(mutex);
      seen.push_back(e);
      failures.push_back(failure);
      changed.notify_all();
    };
  }
  bool any() {
    std::lock_guard lock(mutex);
    return !seen.empty();
  }
  rtmp::Failure failure() {
    wait();
    std::lock_guard lock(mutex);
    return failures.empty() ? rtmp::Failure::kInvalid : failures.front();
  }
  std::string wait() {
    std::unique_lock lock(mutex);
    changed.wait_for(lock, std::chrono::seconds(15), [&] { return !seen.empty(); });
    return seen.empty() ? "" : seen.front();
  }
};

bool waitFor(const std::function<bool()>& done) {
  for (int i = 0; i < 1500 && !done(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

GstBuffer* tag(std::uint8_t type, std::uint32_t ms, std::vector<std::uint8_t> prefix,
               std::size_t size) {
  GstBuffer* body = gst_buffer_new_allocate(nullptr, size, nullptr);
  gst_buffer_memset(body, 0, static_cast<std::uint8_t>(ms), size);
  GstBuffer* t = flvTag(type, ms, prefix.data(), prefix.size(), body);
  gst_buffer_unref(body);
  return t;
}

class Publisher : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { gst_init(nullptr, nullptr); }
};

TEST_F(Publisher, PublishesAndSendsTagsAsMessages) {
  FakeServer server;
  std::vector<Message> media;
  std::mutex mutex;
  server.run([&](FakeServer& s) {
    s.acceptUpToPublish([&](FakeServer& s) {
      s.onStatus("status", "NetStream.Publish.Start", "Start publishing");
      while (std::optional<Message> m = s.next()) {
        std::lock_guard lock(mutex);
        if (m->type == rtmp::kCommandAmf0) {
          s.commands.push_back(rtmp::decodeAmf0(m->payload).at(0).string);
        } else {
          media.push_back(*m);
        }
      }
    });
  });
  Errors errors;
  RtmpPublisher publisher(server.url(), "the-key", true, errors.handler());
  publisher.start();
  ASSERT_TRUE(waitFor([&] { return publisher.ready(); })) << errors.wait();

  std::vector<GstBuffer*> tags = {
      flvTag(18, 0, nullptr, 0, nullptr),   // (an empty) onMetaData
      tag(9, 0, {0x17, 0}, 10),             // AVC sequence header
      tag(9, 0, {0x17, 1, 0, 0, 0}, 9000),  // a keyframe: three 4 KiB chunks
      tag(8, 21, {0xAF, 1}, 300),
      tag(9, 0x01000000, {0x27, 1, 0, 0, 0}, 50),  // 4.66 hours in
  };
  const std::uint64_t sent = publisher.send(tags.data(), tags.size());
  EXPECT_GT(sent, 9000u + 300u) << "the socket takes it all at once";
  ASSERT_TRUE(waitFor([&] {
    std::lock_guard lock(mutex);
    return media.size() == 5;
  }));
  publisher.close(2000);
  server.join();
  for (GstBuffer* t : tags) gst_buffer_unref(t);

  EXPECT_EQ(server.commands,
            (std::vector<std::string>{"connect", "releaseStream", "FCPublish", "createStream",
                                      "publish", "FCUnpublish", "deleteStream"}))
      << "the goodbye on close, too";
  EXPECT_EQ(server.app, "live");
  EXPECT_EQ(server.tc_url, server.url());
  EXPECT_EQ(server.stream, "the-key");
  ASSERT_EQ(media.size(), 5u);
  EXPECT_EQ(media[0].type, rtmp::kDataAmf0);
  EXPECT_EQ(media[0].payload, std::string("\x02\x00\x0d@setDataFrame", 16))
      << "metadata for players that join later";
  EXPECT_EQ(media[1].type, rtmp::kVideo);
  EXPECT_EQ(media[1].payload.size(), 12u);
  EXPECT_EQ(media[2].payload.size(), 9005u);
  EXPECT_EQ(static_cast<unsigned char>(media[2].payload[0]), 0x17);
  EXPECT_EQ(media[2].stream_id, 1u) << "on the stream createStream gave";
  EXPECT_EQ(media[3].type, rtmp::kAudio);
  EXPECT_EQ(media[3].timestamp, 21u);
  EXPECT_EQ(media[3].payload, std::string("\xAF\x01", 2) + std::string(300, char(21)));
  EXPECT_EQ(media[4].timestamp, 0x01000000u);
  EXPECT_TRUE(errors.seen.empty()) << errors.seen.front();
}

TEST_F(Publisher, TakesTheStreamNameFromTheUrlWhenThereIsNoKey) {
  // A CDN's push URL with the stream and its signature in it.
  FakeServer server;
  server.run([&](FakeServer& s) {
    s.acceptUpToPublish(
        [&](FakeServer& s) { s.onStatus("status", "NetStream.Publish.Start", ""); });
  });
  Errors errors;
  RtmpPublisher publisher(server.url() + "/show-42?auth_key=1700000000-0-0-abc", "", true,
                          errors.handler());
  publisher.start();
  server.join();
  publisher.close(0);
  EXPECT_EQ(server.app, "live");
  EXPECT_EQ(server.tc_url, server.url());
  EXPECT_EQ(server.stream, "show-42?auth_key=1700000000-0-0-abc");
}

TEST_F(Publisher, AnswersThePing) {
  FakeServer server;
  std::string pong;
  server.run([&](FakeServer& s) {
    s.acceptUpToPublish([&](FakeServer& s) {
      s.onStatus("status", "NetStream.Publish.Start", "");
      s.write(rtmp::chunkBytes(
          2, {rtmp::kUserControl, 0, 0, std::string("\x00\x06\x12\x34\x56\x78", 6)}, 4096));
      while (std::optional<Message> m = s.next()) {
        if (m->type == rtmp::kUserControl) {
          pong = m->payload;
          return;
        }
      }
    });
  });
  Errors errors;
  RtmpPublisher publisher(server.url(), "k", true, errors.handler());
  publisher.start();
  server.join();
  EXPECT_EQ(hex(pong), "000712345678") << "a ping response with the request's timestamp";
}

TEST_F(Publisher, ReportsTheServersRefusalWithoutTheKey) {
  FakeServer server;
  server.run([&](FakeServer& s) {
    s.acceptUpToPublish([&](FakeServer& s) {
      s.onStatus("error", "NetStream.Publish.BadName", "Already publishing");
      s.next();  // until the client hangs up
    });
  });
  Errors errors;
  RtmpPublisher publisher(server.url(), "secret-key-123", true, errors.handler());
  publisher.start();
  const std::string error = errors.wait();
  EXPECT_NE(error.find("refused the stream: NetStream.Publish.BadName (Already publishing)"),
            std::string::npos)
      << error;
  EXPECT_EQ(error.find("secret-key-123"), std::string::npos) << error;
  EXPECT_FALSE(publisher.ready());
  publisher.close(0);
}

TEST_F(Publisher, ARefusalEchoingACdnsSignedStreamIsScrubbed) {
  // A Tencent-style push URL; the ingest names the stream it refuses, query
  // and all, as some do.
  FakeServer server;
  std::string echoed;
  server.run([&](FakeServer& s) {
    s.acceptUpToPublish([&](FakeServer& s) {
      echoed = s.stream + " is not authorised";
      s.onStatus("error", "NetStream.Publish.BadAuth", echoed.c_str());
      s.next();  // until the client hangs up
    });
  });
  const DestinationSpec spec{"cdn", "CDN",
                             server.url() + "/show42?txSecret=abc123def&txTime=5F5E0FFF", "", true};
  Errors errors;
  RtmpPublisher publisher(spec.url, spec.key, true, errors.handler());
  publisher.start();
  const std::string error = errors.wait();
  publisher.close(0);
  server.join();
  ASSERT_NE(echoed.find("abc123def"), std::string::npos) << "the server echoes it: " << echoed;
  // The publisher masks the server's strings as the destination does, and
  // what the destination reports (Output::fail masks with these) stays so.
  for (const std::string& shown : {error, scrub(error, destinationSecrets(spec))}) {
    for (const char* secret : {"show42", "abc123def", "5F5E0FFF"}) {
      EXPECT_EQ(shown.find(secret), std::string::npos) << shown;
    }
    EXPECT_NE(shown.find("(***?txSecret=***&txTime=*** is not authorised)"), std::string::npos)
        << shown;
  }
}

TEST_F(Publisher, ReportsAServerThatHangsUpOnce) {
  FakeServer server;
  server.run([&](FakeServer& s) {
    s.acceptUpToPublish(
        [&](FakeServer& s) { s.onStatus("status", "NetStream.Publish.Start", ""); });
  });
  Errors errors;
  RtmpPublisher publisher(server.url(), "k", true, errors.handler());
  publisher.start();
  ASSERT_TRUE(waitFor([&] { return publisher.ready(); }));
  server.join();  // the script ends: the server closes the connection
  const std::string error = errors.wait();
  EXPECT_NE(error.find("closed the connection"), std::string::npos) << error;
  GstBuffer* t = tag(9, 0, {0x17, 1, 0, 0, 0}, 100);
  EXPECT_EQ(publisher.send(&t, 1), 0u) << "dead after the error";
  gst_buffer_unref(t);
  publisher.close(1000);
  std::lock_guard lock(errors.mutex);
  EXPECT_EQ(errors.seen.size(), 1u) << "reported once";
}

TEST_F(Publisher, ReportsWhereNothingListens) {
  int port = 0;
  {
    FakeServer closed;  // a free port, closed again
    port = closed.port();
  }
  Errors errors;
  RtmpPublisher publisher("rtmp://127.0.0.1:" + std::to_string(port) + "/live", "k", true,
                          errors.handler());
  publisher.start();
  const std::string error = errors.wait();
  EXPECT_NE(error.find("could not connect to rtmp://127.0.0.1:" + std::to_string(port) + "/live"),
            std::string::npos)
      << error;
}

TEST_F(Publisher, AServerThatStopsReadingCostsFramesNeverTheCaller) {
  // The partner site stops reading. send() must never block the encoder's
  // thread: the socket fills, then the backlog, then frames are dropped; when
  // the site reads again the stream resumes at a keyframe.
  FakeServer server;
  std::mutex mutex;
  std::condition_variable resume;
  bool reading = false;
  std::vector<std::pair<std::uint32_t, unsigned char>> video;  // timestamp, first byte
  server.run([&](FakeServer& s) {
    s.acceptUpToPublish([&](FakeServer& s) {
      s.onStatus("status", "NetStream.Publish.Start", "");
      {
        std::unique_lock lock(mutex);
        resume.wait(lock, [&] { return reading; });
      }
      while (std::optional<Message> m = s.next()) {
        if (m->type != rtmp::kVideo) continue;
        std::lock_guard lock(mutex);
        video.emplace_back(m->timestamp, static_cast<unsigned char>(m->payload[0]));
      }
    });
  });
  Errors errors;
  RtmpPublisher publisher(server.url(), "k", true, errors.handler());
  publisher.start();
  ASSERT_TRUE(waitFor([&] { return publisher.ready(); }));
  std::uint32_t ms = 0;
  for (int i = 0; i < 4000 && publisher.droppedTags() == 0; ++i) {
    GstBuffer* t = tag(9, ms++, {0x27, 1, 0, 0, 0}, 64 << 10);
    publisher.send(&t, 1);  // returns, however full the socket is
    gst_buffer_unref(t);
  }
  ASSERT_GT(publisher.droppedTags(), 0u) << "up to 256 MiB offered, nothing dropped";
  const std::uint32_t resumed_from = ms;
  {
    std::lock_guard lock(mutex);
    reading = true;
  }
  resume.notify_all();
  // Inter frames keep coming, a keyframe every tenth: the stream resumes at
  // one once the backlog has gone out.
  ASSERT_TRUE(waitFor([&] {
    GstBuffer* t = tag(9, ms, {static_cast<std::uint8_t>(ms % 10 ? 0x27 : 0x17), 1, 0, 0, 0}, 1000);
    ++ms;
    publisher.send(&t, 1);
    gst_buffer_unref(t);
    std::lock_guard lock(mutex);
    return !video.empty() && video.back().first >= resumed_from;
  }));
  publisher.close(0);
  server.join();
  std::lock_guard lock(mutex);
  std::uint32_t last = 0;
  bool gap_seen = false;
  for (std::size_t i = 0; i < video.size(); ++i) {
    if (i > 0 && video[i].first != last + 1) {
      EXPECT_GT(video[i].first, last) << "in order";
      EXPECT_EQ(video[i].second, 0x17)
          << "after a gap, a keyframe first (at " << video[i].first << ")";
      gap_seen = true;
    }
    last = video[i].first;
  }
  EXPECT_TRUE(gap_seen);
  EXPECT_TRUE(errors.seen.empty());
}

// A ping request, as a server sends it.
std::string ping(std::uint32_t ms) {
  std::string payload("\x00\x06", 2);
  for (int shift = 24; shift >= 0; shift -= 8) payload += static_cast<char>(ms >> shift);
  return rtmp::chunkBytes(2, {rtmp::kUserControl, 0, 0, payload}, 4096);
}

TEST_F(Publisher, APingFloodWhileNotReadingIsDroppedWithTheBacklogBounded) {
  // The server stops reading once publishing starts and sends ping requests
  // as fast as it can. Each would have been answered into the backlog, and
  // each answer copied with the whole backlog on every flush: memory and
  // time grew until the watchdog gave up 10 s later. An unsent answer is now
  // replaced by the newer one, and a server that keeps pinging while taking
  // none of them is dropped.
  FakeServer server;
  std::atomic<std::uint64_t> pings{0};
  server.run([&](FakeServer& s) {
    s.acceptUpToPublish([&](FakeServer& s) {
      s.onStatus("status", "NetStream.Publish.Start", "");
      std::string batch;
      for (std::uint32_t i = 0; i < 1000; ++i) batch += ping(i);
      while (s.write(batch)) pings += 1000;  // until the client hangs up
    });
  });
  Errors errors;
  RtmpPublisher publisher(server.url(), "k", true, errors.handler());
  publisher.start();
  ASSERT_TRUE(waitFor([&] { return publisher.ready() || errors.any(); })) << errors.wait();
  // The program goes on meanwhile, filling the socket the server does not read.
  for (std::uint32_t ms = 0; ms < 20000 && !errors.any(); ++ms) {
    GstBuffer* t =
        tag(9, ms, {static_cast<std::uint8_t>(ms % 30 ? 0x27 : 0x17), 1, 0, 0, 0}, 64 << 10);
    publisher.send(&t, 1);
    gst_buffer_unref(t);
    if (ms % 8 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(errors.failure(), rtmp::Failure::kPingFlood) << errors.wait();
  EXPECT_NE(errors.wait().find(server.url() + " sent 100 pings while not reading our answers"),
            std::string::npos)
      << errors.wait();
  EXPECT_LE(publisher.backlogPeakBytes(), RtmpPublisher::kMaxBacklogTotal);
  EXPECT_GT(pings.load(), 0u);
  publisher.close(0);
  server.join();
}

TEST_F(Publisher, DropsTheConnectionWhenTheBacklogPassesItsLimit) {
  // Sequence headers are never dropped, as a viewer cannot decode without
  // them: were the encoder to send nothing else to a server that reads
  // nothing, only the limit would stop the backlog.
  FakeServer server;
  std::mutex mutex;
  std::condition_variable changed;
  bool done = false;
  server.run([&](FakeServer& s) {
    s.acceptUpToPublish([&](FakeServer& s) {
      s.onStatus("status", "NetStream.Publish.Start", "");
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return done; });
    });
  });
  Errors errors;
  RtmpPublisher publisher(server.url(), "k", true, errors.handler());
  publisher.start();
  ASSERT_TRUE(waitFor([&] { return publisher.ready(); })) << errors.wait();
  constexpr std::size_t kTagBytes = 64 << 10;
  for (int i = 0; i < 2000 && !errors.any(); ++i) {
    GstBuffer* t = tag(9, 0, {0x17, 0}, kTagBytes);  // an AVC sequence header
    publisher.send(&t, 1);
    gst_buffer_unref(t);
  }
  EXPECT_EQ(errors.failure(), rtmp::Failure::kBacklogFull) << errors.wait();
  EXPECT_NE(errors.wait().find("is not reading: more than 4 MiB waiting for it"), std::string::npos)
      << errors.wait();
  EXPECT_LE(publisher.backlogPeakBytes(), RtmpPublisher::kMaxBacklogTotal + kTagBytes + 64)
      << "past the limit by one send() at most";
  GstBuffer* t = tag(9, 0, {0x17, 0}, 100);
  EXPECT_EQ(publisher.send(&t, 1), 0u) << "dead after the error";
  gst_buffer_unref(t);
  publisher.close(0);
  {
    std::lock_guard lock(mutex);
    done = true;
  }
  changed.notify_all();
  server.join();
}

TEST_F(Publisher, TakesAWindowOfOneByteAsTheMinimumWindow) {
  // A window acknowledgement size of 1 would have us answer every read with
  // a 16-byte acknowledgement.
  FakeServer server;
  std::size_t acks = 0;
  std::size_t sent = 0;  // bytes after the window
  server.run([&](FakeServer& s) {
    s.acceptUpToPublish([&](FakeServer& s) {
      s.onStatus("status", "NetStream.Publish.Start", "");
      s.write(rtmp::chunkBytes(2, {rtmp::kWindowAckSize, 0, 0, std::string("\0\0\0\1", 4)}, 128));
      // Small messages, one write each, so that the client reads them apart.
      const std::string filler = rtmp::chunkBytes(
          3, {rtmp::kCommandAmf0, 0, 0, AmfWriter().string("onFiller").number(0).null().bytes()},
          4096);
      for (int i = 0; i < 300; ++i) {
        s.write(filler);
        sent += filler.size();
        std::this_thread::sleep_for(std::chrono::microseconds(500));
      }
      // The answer to a ping comes after everything before it was read.
      s.write(ping(0xC0FFEE));
      sent += ping(0).size();
      while (std::optional<Message> m = s.next()) {
        if (m->type == rtmp::kAcknowledgement) ++acks;
        if (m->type == rtmp::kUserControl && hex(m->payload) == "000700c0ffee") return;
      }
    });
  });
  Errors errors;
  RtmpPublisher publisher(server.url(), "k", true, errors.handler());
  publisher.start();
  server.join();
  publisher.close(0);
  EXPECT_GE(acks, 1u) << "still acknowledged";
  EXPECT_LE(acks, sent / RtmpPublisher::kMinAckWindow + 1) << sent << " bytes";
}

TEST_F(Publisher, GivesUpOnATricklingServerAtItsDeadline) {
  // A socket timeout counts per read: a byte every 20 ms keeps each read
  // alive. The setup has one deadline, wherever the server trickles.
  const auto trickle = [](FakeServer& s, const std::string& bytes) {
    for (char c : bytes) {
      if (!s.write(std::string(1, c))) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  };
  struct Case {
    const char* stage;
    std::function<void(FakeServer&)> script;
  };
  const Case cases[] = {
      {"the RTMP handshake",
       [&](FakeServer& s) {
         s.readExact(1537);
         std::string s0s1s2(1 + 1536 * 2, '\x07');
         s0s1s2[0] = 3;
         trickle(s, s0s1s2);  // 60 s at this pace
       }},
      {"the answer to connect",
       [&](FakeServer& s) {
         if (!s.handshake() || !s.nextCommand()) return;
         trickle(s, rtmp::chunkBytes(3,
                                     {rtmp::kCommandAmf0, 0, 0,
                                      AmfWriter()
                                          .string("_result")
                                          .number(1)
                                          .null()
                                          .string(std::string(3000, 'x'))
                                          .bytes()},
                                     128));
       }},
  };
  for (const Case& c : cases) {
    FakeServer server;
    server.run(c.script);
    Errors errors;
    RtmpPublisher publisher(server.url(), "k", true, errors.handler());
    publisher.publish_timeout_ms = 500;
    const auto start = std::chrono::steady_clock::now();
    publisher.start();
    EXPECT_EQ(errors.failure(), rtmp::Failure::kTimeout) << c.stage << ": " << errors.wait();
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(errors.wait(),
              server.url() + " did not take the stream within 0.5 s (waiting for " + c.stage + ")");
    EXPECT_LT(elapsed, std::chrono::seconds(5)) << c.stage << ": the trickle takes a minute";
    publisher.close(0);
    server.join();
  }
}

TEST_F(Publisher, RefusesAStreamIdThatIsNotOne) {
  // A double from the server, cast to an integer: undefined behaviour for
  // NaN or 1e300 (UBSan stops the test there), a wrong stream otherwise.
  const std::pair<double, const char*> cases[] = {
      {std::nan(""), "nan"}, {1e300, "1e+300"}, {-HUGE_VAL, "-inf"}, {-1, "-1"}, {2.5, "2.5"}};
  for (const auto& [id, text] : cases) {
    FakeServer server;
    server.stream_id_reply = id;
    bool published = false;
    server.run([&](FakeServer& s) { s.acceptUpToPublish([&](FakeServer&) { published = true; }); });
    Errors errors;
    RtmpPublisher publisher(server.url(), "k", true, errors.handler());
    publisher.start();
    EXPECT_EQ(errors.failure(), rtmp::Failure::kProtocol) << text;
    EXPECT_EQ(errors.wait(), server.url() + " gave an unusable stream id (" + text + ")");
    publisher.close(0);
    server.join();
    EXPECT_FALSE(published) << text;
  }
}

TEST_F(Publisher, CleansTheServersStringsBeforeTheyReachALog) {
  FakeServer server;
  std::string description = "\x1b[2J stream se\x01";
  description += "cret-key-123 is\r\n\n already\xff\xfe publishing\xe2\x80\xae ";
  description += std::string(1000, 'x');
  server.run([&](FakeServer& s) {
    s.acceptUpToPublish([&](FakeServer& s) {
      s.onStatus("error", "NetStream.Publish.BadName\a", description.c_str());
      s.next();  // until the client hangs up
    });
  });
  Errors errors;
  RtmpPublisher publisher(server.url(), "secret-key-123", true, errors.handler());
  publisher.start();
  EXPECT_EQ(errors.failure(), rtmp::Failure::kRefused);
  const std::string error = errors.wait();
  EXPECT_EQ(error.substr(0, error.find(" xxx")),
            server.url() +
                " refused the stream: NetStream.Publish.BadName ([2J stream *** is already "
                "publishing")
      << error;
  EXPECT_TRUE(g_utf8_validate(error.data(), static_cast<gssize>(error.size()), nullptr)) << error;
  for (char c : error) EXPECT_GE(static_cast<unsigned char>(c), 0x20) << error;
  EXPECT_EQ(error.substr(error.size() - 5), "x\u2026)") << "cut";
  EXPECT_LT(error.size(), server.url().size() + 300);
  publisher.close(0);
  server.join();
}

}  // namespace
}  // namespace yst::streaming
