#include "streaming/rtmp_publisher.h"

#include <gio/gio.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <optional>
#include <variant>

#include "streaming/media_url.h"
#include "streaming/uri_secrets.h"

namespace yst::streaming {

namespace rtmp {

std::string cleanServerText(std::string_view raw, std::size_t max_chars,
                            const std::vector<std::string>& secrets) {
  std::string text;
  bool space = false;  // whitespace seen since the last character kept
  const char* p = raw.data();
  const char* const end = raw.data() + raw.size();
  while (p < end) {
    const auto lead = static_cast<unsigned char>(*p);
    gunichar c = lead;
    std::size_t n = 1;
    if (lead >= 0x80) {
      // Refuses overlong forms, surrogates, values above U+10FFFF and
      // truncated sequences; such a byte is dropped and the next one tried.
      c = g_utf8_get_char_validated(p, end - p);
      if (c == static_cast<gunichar>(-1) || c == static_cast<gunichar>(-2)) {
        ++p;
        continue;
      }
      n = static_cast<std::size_t>(g_utf8_skip[lead]);
    }
    const std::string_view bytes(p, n);
    p += n;
    if (g_unichar_isspace(c)) {  // tab, newline, line separator, U+3000…
      space = true;
      continue;
    }
    const GUnicodeType type = g_unichar_type(c);
    if (type == G_UNICODE_CONTROL || type == G_UNICODE_FORMAT || type == G_UNICODE_SURROGATE) {
      continue;  // C0, DEL, C1; bidi overrides, zero-width characters
    }
    if (space && !text.empty()) text += ' ';
    space = false;
    text.append(bytes);
  }
  text = scrub(std::move(text), secrets);
  // At most max_chars code points, the last one an ellipsis when cut.
  std::size_t chars = 0;
  std::size_t cut = std::string::npos;  // where max_chars - 1 code points end
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (chars + 1 == max_chars) cut = i;
    if (++chars > max_chars) {
      if (max_chars == 0) return {};
      text.erase(cut);
      while (!text.empty() && text.back() == ' ') text.pop_back();
      return text + "\u2026";
    }
  }
  return text;
}

}  // namespace rtmp

using rtmp::AmfValue;
using rtmp::AmfWriter;
using rtmp::Error;
using rtmp::Failure;
using rtmp::Message;

namespace {

constexpr int kCsidControl = 2;
constexpr int kCsidCommand = 3;
constexpr int kCsidAudio = 4;
constexpr int kCsidData = 5;
constexpr int kCsidVideo = 6;
constexpr std::size_t kFlvHeader = 11;    // FLV tag header
constexpr std::size_t kFlvTrailer = 4;    // PreviousTagSize
constexpr std::size_t kMaxVectors = 512;  // per writev, well under IOV_MAX

std::string errorText(GError* error) {
  std::string text = error ? error->message : "unknown error";
  g_clear_error(&error);
  return text;
}

std::string u32(std::uint32_t v) {
  std::string s;
  rtmp::appendBigEndian(s, v, 4);
  return s;
}

// "10 s", "1.5 s".
std::string seconds(int ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%g s", ms / 1000.0);
  return text;
}

// "@setDataFrame" as AMF0: what a publisher puts before onMetaData so the
// server keeps the metadata for players that join later.
const std::string& setDataFrame() {
  static const std::string bytes = AmfWriter().string("@setDataFrame").bytes();
  return bytes;
}

// A command's name, transaction id and the rest; empty name if it is none.
struct Command {
  std::string name;
  double transaction = -1;
  std::vector<AmfValue> args;  // after the command object (usually null)
  AmfValue info;               // the first object among the args (onStatus, _error)
};

Command parseCommand(const Message& message) {
  Command c;
  if (message.type != rtmp::kCommandAmf0) return c;
  std::vector<AmfValue> values = rtmp::decodeAmf0(message.payload);
  if (values.empty() || values[0].type != AmfValue::Type::kString) return c;
  c.name = values[0].string;
  if (values.size() > 1 && values[1].type == AmfValue::Type::kNumber) {
    c.transaction = values[1].number;
  }
  for (std::size_t i = 2; i < values.size(); ++i) {
    if (i > 2) c.args.push_back(values[i]);
    if (c.info.type == AmfValue::Type::kInvalid && values[i].type == AmfValue::Type::kObject) {
      c.info = values[i];
    }
  }
  return c;
}

// "NetStream.Publish.BadName (stream already publishing)", from the
// server's strings, cleaned and without `secrets`.
std::string statusText(const Command& c, const std::vector<std::string>& secrets) {
  std::string text = rtmp::cleanServerText(c.info.text("code"), rtmp::kMaxServerTextChars, secrets);
  const std::string description =
      rtmp::cleanServerText(c.info.text("description"), rtmp::kMaxServerTextChars, secrets);
  if (text.empty()) text = rtmp::cleanServerText(c.name, rtmp::kMaxServerTextChars, secrets);
  if (!description.empty()) text += " (" + description + ")";
  return text;
}

// Cancels `cancel` unless finish() comes within `timeout_ms`: the overall
// deadline of a connection's setup. GIO's blocking calls take a cancellable
// but no deadline, and a socket timeout counts per read, which a server
// trickling a byte at a time resets each time. One thread, asleep, for the
// few seconds of a setup.
class SetupDeadline {
 public:
  SetupDeadline(int timeout_ms, GCancellable* cancel)
      : thread_([this, timeout_ms, cancel] {
          std::unique_lock lock(mutex_);
          if (!changed_.wait_for(lock, std::chrono::milliseconds(std::max(timeout_ms, 0)),
                                 [this] { return finished_; })) {
            expired_ = true;
            g_cancellable_cancel(cancel);
          }
        }) {}
  ~SetupDeadline() { finish(); }
  SetupDeadline(const SetupDeadline&) = delete;
  SetupDeadline& operator=(const SetupDeadline&) = delete;

  // Stops the clock; false if the deadline had passed (and the cancellable
  // was cancelled).
  bool finish() {
    {
      std::lock_guard lock(mutex_);
      finished_ = true;
    }
    changed_.notify_all();
    if (thread_.joinable()) thread_.join();
    return !expired_;
  }
  bool expired() {
    std::lock_guard lock(mutex_);
    return expired_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool finished_ = false;  // Guarded by mutex_.
  bool expired_ = false;   // Guarded by mutex_.
  std::thread thread_;     // last: starts once the rest is built
};

}  // namespace

RtmpPublisher::RtmpPublisher(std::string url, std::string stream, bool tls_verify,
                             ErrorHandler on_error)
    : url_(std::move(url)),
      stream_(std::move(stream)),
      tls_verify_(tls_verify),
      on_error_(std::move(on_error)),
      cancel_(g_cancellable_new()) {}

RtmpPublisher::~RtmpPublisher() {
  close(0);
}

void RtmpPublisher::start() {
  thread_ = std::thread(&RtmpPublisher::run, this);
}

std::string RtmpPublisher::uriHost() const {
  return host_.find(':') != std::string::npos ? "[" + host_ + "]" : host_;  // IPv6
}

std::string RtmpPublisher::where() const {
  return tc_url_.empty() ? "the partner site" : tc_url_;
}

void RtmpPublisher::reportError(Failure failure, const std::string& reason) {
  if (closed_.load() || failed_.exchange(true)) return;
  on_error_(failure, reason);
}

void RtmpPublisher::run() {
  try {
    const RtmpKey key = stream_.empty() ? RtmpKey::kInPath : RtmpKey::kApart;
    // rtmp://host/app/stream[?auth] when there is no key, as players and
    // ffmpeg take it; the problems are whole sentences for the producer.
    const std::variant<RtmpTarget, UrlProblem> parsed = parseRtmpTarget(url_, stream_);
    if (const auto* problem = std::get_if<UrlProblem>(&parsed)) {
      throw Error(problem->text, Failure::kBadUrl);
    }
    const RtmpTarget& target = std::get<RtmpTarget>(parsed);
    tls_ = target.tls;
    host_ = target.host;
    port_ = target.port;
    app_ = target.app;
    stream_ = target.stream;
    tc_url_ = std::string(tls_ ? "rtmps" : "rtmp") + "://" + uriHost() + ":" +
              std::to_string(port_) + "/" + app_;
    // What a server might echo back, as Destination masks it (outputs.h):
    // the stream key, in the path or apart, and every query value.
    secrets_ = uriSecrets(url_, key);
    if (key == RtmpKey::kApart) secrets_.push_back(stream_);

    {
      SetupDeadline deadline(publish_timeout_ms, cancel_.get());
      const auto timeout = [&] {
        return Error(where() + " did not take the stream within " + seconds(publish_timeout_ms) +
                         " (waiting for " + setup_stage_ + ")",
                     Failure::kTimeout);
      };
      try {
        connectSocket();
        handshake();
        publish();
      } catch (const std::exception&) {
        if (deadline.expired()) throw timeout();
        throw;
      }
      if (!deadline.finish()) throw timeout();
    }
    ready_.store(true, std::memory_order_release);
    readLoop();
  } catch (const Error& e) {
    reportError(e.failure, e.what());
  } catch (const std::exception& e) {
    reportError(Failure::kProtocol, std::string("RTMP: ") + e.what());
  }
}

void RtmpPublisher::connectSocket() {
  setup_stage_ = "the connection";
  GObjectPtr<GSocketClient> client(g_socket_client_new());
  g_socket_client_set_timeout(client.get(), kConnectTimeoutS);
  // The studio dials its partner sites directly. With proxies on, GIO asks
  // libproxy first (environment, PAC, even WPAD on the network) from a thread
  // pool that outlives a cancelled connect and reads the host name while this
  // thread frees it: a race, and seconds of delay before a reconnect.
  g_socket_client_set_enable_proxy(client.get(), FALSE);
  GError* error = nullptr;
  tcp_.reset(g_socket_client_connect_to_host(client.get(), uriHost().c_str(),
                                             static_cast<guint16>(port_), cancel_.get(), &error));
  if (!tcp_) {
    throw Error("could not connect to " + where() + ": " + errorText(error), Failure::kConnect);
  }
  GSocket* socket = g_socket_connection_get_socket(tcp_.get());
  // No timeout per read or write from here: the setup deadline bounds the
  // setup, and once publishing a read waits as long as the server is quiet.
  g_socket_set_timeout(socket, 0);
  // Each send is a whole frame; Nagle would only hold its last segment back.
  g_socket_set_option(socket, IPPROTO_TCP, TCP_NODELAY, 1, nullptr);
  if (tls_) {
    setup_stage_ = "TLS";
    GObjectPtr<GSocketConnectable> identity(
        g_network_address_new(host_.c_str(), static_cast<guint16>(port_)));
    io_.reset(g_tls_client_connection_new(G_IO_STREAM(tcp_.get()), identity.get(), &error));
    if (!io_) {
      throw Error("TLS is not available for " + where() + ": " + errorText(error),
                  Failure::kConnect);
    }
    if (!tls_verify_) {
      g_signal_connect(io_.get(), "accept-certificate",
                       G_CALLBACK(+[](GTlsConnection*, GTlsCertificate*, GTlsCertificateFlags,
                                      gpointer) -> gboolean { return TRUE; }),
                       nullptr);
    }
    if (!g_tls_connection_handshake(G_TLS_CONNECTION(io_.get()), cancel_.get(), &error)) {
      throw Error("TLS with " + where() + " failed: " + errorText(error), Failure::kConnect);
    }
  } else {
    io_.reset(G_IO_STREAM(g_object_ref(tcp_.get())));
  }
  in_ = g_io_stream_get_input_stream(io_.get());
  out_ = g_io_stream_get_output_stream(io_.get());
  if (!G_IS_POLLABLE_OUTPUT_STREAM(out_) ||
      !g_pollable_output_stream_can_poll(G_POLLABLE_OUTPUT_STREAM(out_))) {
    throw Error("the connection to " + where() + " cannot be written without blocking",
                Failure::kConnect);
  }
}

void RtmpPublisher::writeAll(const std::string& bytes) {
  GError* error = nullptr;
  gsize written = 0;
  if (!g_output_stream_write_all(out_, bytes.data(), bytes.size(), &written, cancel_.get(),
                                 &error)) {
    throw Error("lost the connection to " + where() + ": " + errorText(error),
                Failure::kDisconnected);
  }
}

void RtmpPublisher::handshake() {
  setup_stage_ = "the RTMP handshake";
  // C0 (version 3) and C1: time, zero, 1528 random bytes. The simple
  // handshake, as OBS and rtmp2sink publish with.
  std::string c0c1(1 + 1536, '\0');
  c0c1[0] = 3;
  for (std::size_t i = 9; i < c0c1.size(); ++i) c0c1[i] = static_cast<char>(g_random_int());
  writeAll(c0c1);
  std::string s0s1(1 + 1536, '\0');
  GError* error = nullptr;
  gsize got = 0;
  if (!g_input_stream_read_all(in_, s0s1.data(), s0s1.size(), &got, cancel_.get(), &error)) {
    throw Error("no RTMP handshake from " + where() + ": " + errorText(error),
                Failure::kDisconnected);
  }
  if (got < s0s1.size()) {
    throw Error(where() + " closed the connection during the handshake", Failure::kDisconnected);
  }
  if (s0s1[0] != 3) {
    throw Error(where() + " does not speak RTMP (version byte " +
                std::to_string(static_cast<std::uint8_t>(s0s1[0])) + ")");
  }
  writeAll(s0s1.substr(1));  // C2 echoes S1
  std::string s2(1536, '\0');
  if (!g_input_stream_read_all(in_, s2.data(), s2.size(), &got, cancel_.get(), &error)) {
    throw Error("no RTMP handshake from " + where() + ": " + errorText(error),
                Failure::kDisconnected);
  }
  if (got < s2.size()) {
    throw Error(where() + " closed the connection during the handshake", Failure::kDisconnected);
  }
}

void RtmpPublisher::command(const AmfWriter& amf, std::uint32_t stream_id) {
  writeAll(
      rtmp::chunkBytes(kCsidCommand, {rtmp::kCommandAmf0, 0, stream_id, amf.bytes()}, kChunkSize));
}

void RtmpPublisher::publish() {
  setup_stage_ = "the answer to connect";
  // Our chunks are 4 KiB from here on, not RTMP's initial 128 bytes: a video
  // frame goes out in a few chunks instead of dozens.
  writeAll(rtmp::chunkBytes(kCsidControl, {rtmp::kSetChunkSize, 0, 0, u32(kChunkSize)}, 128));
  command(AmfWriter()
              .string("connect")
              .number(++transaction_)
              .beginObject()
              .key("app")
              .string(app_)
              .key("type")
              .string("nonprivate")
              .key("flashVer")
              .string("FMLE/3.0 (compatible; Yishiting Studio)")
              .key("tcUrl")
              .string(tc_url_)
              .endObject());
  const double connect_id = transaction_;
  for (;;) {
    const Command c = parseCommand(readMessage());
    if (c.transaction != connect_id) continue;  // onBWDone and the like
    if (c.name == "_result") break;
    if (c.name == "_error") {
      throw Error(where() + " refused the connection: " + statusText(c, secrets_),
                  Failure::kRefused);
    }
  }
  setup_stage_ = "a stream id";
  command(AmfWriter().string("releaseStream").number(++transaction_).null().string(stream_));
  command(AmfWriter().string("FCPublish").number(++transaction_).null().string(stream_));
  command(AmfWriter().string("createStream").number(++transaction_).null());
  const double create_id = transaction_;
  for (;;) {
    // releaseStream and FCPublish may get _error (nothing to release); only
    // createStream's reply matters.
    const Command c = parseCommand(readMessage());
    if (c.transaction != create_id) continue;
    if (c.name == "_error") {
      throw Error(where() + " refused a stream: " + statusText(c, secrets_), Failure::kRefused);
    }
    if (c.name != "_result") continue;
    if (c.args.empty() || c.args[0].type != AmfValue::Type::kNumber) {
      throw Error(where() + " gave no stream id");
    }
    // A double from the server: NaN or 1e300 has no integer to cast to.
    const std::optional<std::uint32_t> id = rtmp::wholeU32(c.args[0].number);
    if (!id) {
      char number[32];
      std::snprintf(number, sizeof number, "%g", c.args[0].number);
      throw Error(where() + " gave an unusable stream id (" + number + ")");
    }
    stream_id_ = *id;
    break;
  }
  setup_stage_ = "NetStream.Publish.Start";
  command(
      AmfWriter().string("publish").number(++transaction_).null().string(stream_).string("live"),
      stream_id_);
  for (;;) {
    const Command c = parseCommand(readMessage());
    if (c.name == "_error") {
      throw Error(where() + " refused the stream: " + statusText(c, secrets_), Failure::kRefused);
    }
    if (c.name != "onStatus") continue;
    const std::string code = c.info.text("code");
    if (code == "NetStream.Publish.Start") return;
    if (c.info.text("level") == "error" || code.find("Fail") != std::string::npos ||
        code.find("BadName") != std::string::npos) {
      throw Error(where() + " refused the stream: " + statusText(c, secrets_), Failure::kRefused);
    }
  }
}

Message RtmpPublisher::readMessage() {
  Message message;
  char buffer[16384];
  for (;;) {
    while (reader_.next(message)) {
      if (!handleControl(message)) return message;
    }
    GError* error = nullptr;
    const gssize n = g_input_stream_read(in_, buffer, sizeof buffer, cancel_.get(), &error);
    if (n < 0) {
      throw Error("lost the connection to " + where() + ": " + errorText(error),
                  Failure::kDisconnected);
    }
    if (n == 0) throw Error(where() + " closed the connection", Failure::kDisconnected);
    reader_.append(buffer, static_cast<std::size_t>(n));
    received_ += static_cast<std::uint64_t>(n);
    if (received_ - acknowledged_ >= ack_window_) {
      acknowledged_ = received_;
      sendControl(Queued::kAcknowledgement,
                  rtmp::chunkBytes(kCsidControl,
                                   {rtmp::kAcknowledgement, 0, 0,
                                    u32(static_cast<std::uint32_t>(received_))},  // wraps, as meant
                                   kChunkSize));
    }
  }
}

void RtmpPublisher::sendControl(Queued kind, const std::string& bytes) {
  if (!ready_.load(std::memory_order_acquire)) {
    // Setup: this thread is the only writer, and the setup deadline bounds
    // the wait for a server that does not read.
    writeAll(bytes);
    return;
  }
  std::lock_guard lock(write_mutex_);
  if (failed_.load()) return;  // dropped; cancel_ ends this thread's read
  if (backlog_.replaceUnsent(kind, bytes)) {
    // The newest answer took the place of the one still waiting.
    if (kind == Queued::kPingAnswer && backlog_.unansweredPings() >= kMaxUnansweredPings) {
      dropConnection(Failure::kPingFlood, where() + " sent " + std::to_string(kMaxUnansweredPings) +
                                              " pings while not reading our answers");
      return;
    }
  } else {
    backlog_.push(kind, bytes);
  }
  std::vector<GOutputVector> none;
  flush(none, Queued::kMedia);
  if (backlog_.bytes() > kMaxBacklogTotal) {
    dropConnection(Failure::kBacklogFull, where() + " is not reading: more than " +
                                              std::to_string(kMaxBacklogTotal >> 20) +
                                              " MiB waiting for it");
  }
}

bool RtmpPublisher::handleControl(const Message& message) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(message.payload.data());
  switch (message.type) {
    case rtmp::kSetChunkSize:  // the reader applied it
    case rtmp::kAbort:
    case rtmp::kAcknowledgement:
      return true;
    case rtmp::kSetPeerBandwidth:
      // Asks us to limit what we send unacknowledged. We do not (the server
      // reads what it can, the backlog is bounded), so no value of it can
      // stall us or make us answer more.
      return true;
    case rtmp::kWindowAckSize:
      if (message.payload.size() >= 4) {
        ack_window_ = std::max(rtmp::readBigEndian(p, 4), kMinAckWindow);
      }
      return true;
    case rtmp::kUserControl:
      // Ping request (6): answer with a ping response (7) of its timestamp,
      // or the server drops us as idle.
      if (message.payload.size() >= 6 && rtmp::readBigEndian(p, 2) == 6) {
        std::string reply = {0, 7};
        reply += message.payload.substr(2, 4);
        sendControl(Queued::kPingAnswer,
                    rtmp::chunkBytes(kCsidControl, {rtmp::kUserControl, 0, 0, reply}, kChunkSize));
      }
      return true;
    default:
      return false;
  }
}

void RtmpPublisher::readLoop() {
  for (;;) {
    const Command c = parseCommand(readMessage());
    if (c.name == "onStatus" && c.info.text("level") == "error") {
      throw Error(where() + " ended the stream: " + statusText(c, secrets_), Failure::kRefused);
    }
    if (c.name == "close") throw Error(where() + " closed the connection", Failure::kDisconnected);
  }
}

std::uint64_t RtmpPublisher::send(GstBuffer* const* tags, std::size_t count) {
  if (!ready_.load(std::memory_order_acquire) || failed_.load()) return 0;
  std::lock_guard lock(write_mutex_);
  std::uint64_t written = 0;
  if (backlog_.bytes() > 0) {
    std::vector<GOutputVector> none;
    written += flush(none, Queued::kMedia);  // what waited, before deciding about the new tags
    if (failed_.load()) return written;
  }
  // Headers go to scratch_ (offsets, as it grows); payloads stay where the
  // encoder put them, mapped until the write is done.
  struct Piece {
    const void* data;  // null: scratch_ at `offset`
    std::size_t offset;
    std::size_t size;
  };
  std::vector<Piece> pieces;
  std::vector<std::pair<GstBuffer*, GstMapInfo>> mapped;
  mapped.reserve(count);
  scratch_.clear();
  for (std::size_t i = 0; i < count; ++i) {
    GstMapInfo map;
    if (!gst_buffer_map(tags[i], &map, GST_MAP_READ)) continue;
    const std::uint8_t* t = map.data;
    const std::size_t body = map.size >= kFlvHeader ? rtmp::readBigEndian(t + 1, 3) : 0;
    if (map.size < kFlvHeader + kFlvTrailer || kFlvHeader + body + kFlvTrailer > map.size) {
      gst_buffer_unmap(tags[i], &map);  // not a tag: never from FlvPackager
      continue;
    }
    const std::uint8_t type = t[0];
    // The FLV timestamp: 24 bits, then the extension holding bits 24-31.
    const std::uint32_t timestamp_low = rtmp::readBigEndian(t + 4, 3);
    const std::uint32_t timestamp = timestamp_low | static_cast<std::uint32_t>(t[7]) << 24;
    const std::uint8_t* payload = t + kFlvHeader;
    const bool media = (type == rtmp::kVideo || type == rtmp::kAudio) && body >= 2;
    const bool header = media && payload[1] == 0;  // a sequence header
    const bool keyframe = media && type == rtmp::kVideo && payload[0] >> 4 == 1;
    if (!backlog_.admit({.keyframe = keyframe, .sequence_header = header})) {
      gst_buffer_unmap(tags[i], &map);
      continue;
    }
    mapped.emplace_back(tags[i], map);
    const bool script = type == rtmp::kDataAmf0;
    const std::size_t prefix = script ? setDataFrame().size() : 0;
    const int csid = type == rtmp::kVideo   ? kCsidVideo
                     : type == rtmp::kAudio ? kCsidAudio
                                            : kCsidData;
    rtmp::chunk(
        csid, type, timestamp, stream_id_, prefix + body, kChunkSize,
        [&](const std::uint8_t* h, std::size_t n) {
          pieces.push_back({nullptr, scratch_.size(), n});
          scratch_.append(reinterpret_cast<const char*>(h), n);
        },
        [&](std::size_t offset, std::size_t n) {
          // The @setDataFrame prefix (scratch) and the tag's body.
          const std::size_t end = offset + n;
          if (offset < prefix) {
            const std::size_t k = std::min(prefix, end) - offset;
            pieces.push_back({nullptr, scratch_.size(), k});
            scratch_.append(setDataFrame(), offset, k);
            offset += k;
          }
          if (offset < end) pieces.push_back({payload + offset - prefix, 0, end - offset});
        });
  }
  std::vector<GOutputVector> vectors;
  vectors.reserve(pieces.size() + 1);
  for (const Piece& piece : pieces) {
    vectors.push_back({piece.data ? piece.data : scratch_.data() + piece.offset, piece.size});
  }
  if (!vectors.empty()) written += flush(vectors, Queued::kMedia);
  for (auto& [tag, map] : mapped) gst_buffer_unmap(tag, &map);
  if (backlog_.bytes() > kMaxBacklogTotal) {
    dropConnection(Failure::kBacklogFull, where() + " is not reading: more than " +
                                              std::to_string(kMaxBacklogTotal >> 20) +
                                              " MiB waiting for it");
  }
  return written;
}

void RtmpPublisher::dropConnection(Failure failure, const std::string& reason) {
  backlog_.clear();
  reportError(failure, reason);
  g_cancellable_cancel(cancel_.get());  // the reading thread ends; close() closes the socket
}

std::uint64_t RtmpPublisher::flush(std::vector<GOutputVector>& vectors, Queued kind) {
  auto writev = [&](GOutputVector* v, std::size_t count, gsize* n) {
    GError* error = nullptr;
    const GPollableReturn r = g_pollable_output_stream_writev_nonblocking(
        G_POLLABLE_OUTPUT_STREAM(out_), v, count, n, nullptr, &error);
    if (r == G_POLLABLE_RETURN_FAILED) {
      dropConnection(Failure::kDisconnected,
                     "lost the connection to " + where() + ": " + errorText(error));
    }
    return r;
  };
  std::uint64_t written = 0;
  // What waited goes first, entry by entry as they are, never copied.
  GOutputVector batch[kMaxVectors];
  bool blocked = false;
  while (!backlog_.empty() && !blocked) {
    std::size_t count = 0;
    backlog_.gather(kMaxVectors, [&](const char* data, std::size_t size) {
      batch[count++] = {data, size};
    });
    gsize n = 0;
    const GPollableReturn r = writev(batch, count, &n);
    if (r == G_POLLABLE_RETURN_FAILED) return written;
    if (r == G_POLLABLE_RETURN_WOULD_BLOCK || n == 0) break;
    written += n;
    blocked = backlog_.sent(n);  // the socket took part of an entry: full for now
  }
  std::size_t i = 0;
  if (backlog_.empty()) {
    while (i < vectors.size()) {
      gsize n = 0;
      const GPollableReturn r = writev(&vectors[i], std::min(vectors.size() - i, kMaxVectors), &n);
      if (r == G_POLLABLE_RETURN_FAILED) return written;
      if (r == G_POLLABLE_RETURN_WOULD_BLOCK || n == 0) break;
      written += n;
      while (i < vectors.size() && n >= vectors[i].size) n -= vectors[i++].size;
      if (i < vectors.size()) {
        vectors[i].buffer = static_cast<const char*>(vectors[i].buffer) + n;
        vectors[i].size -= n;
      }
    }
  }
  // What the socket did not take of the new bytes waits, in order, as one
  // entry: only those bytes are copied.
  std::string rest;
  for (; i < vectors.size(); ++i) {
    rest.append(static_cast<const char*>(vectors[i].buffer), vectors[i].size);
  }
  if (!rest.empty()) backlog_.push(kind, std::move(rest));
  return written;
}

void RtmpPublisher::close(int timeout_ms) {
  if (closed_.exchange(true)) return;
  g_cancellable_cancel(cancel_.get());  // wakes the connection thread wherever it waits
  if (thread_.joinable()) thread_.join();
  if (!io_) return;
  GSocket* socket = g_socket_connection_get_socket(tcp_.get());
  g_socket_set_timeout(socket, static_cast<guint>(std::max(1, (timeout_ms + 999) / 1000)));
  if (ready_.load() && !failed_.load() && timeout_ms > 0) {
    // Tell the partner site the stream ended, rather than let it time out.
    std::lock_guard lock(write_mutex_);
    backlog_.push(Queued::kCommand, rtmp::chunkBytes(kCsidCommand,
                                                     {rtmp::kCommandAmf0, 0, 0,
                                                      AmfWriter()
                                                          .string("FCUnpublish")
                                                          .number(++transaction_)
                                                          .null()
                                                          .string(stream_)
                                                          .bytes()},
                                                     kChunkSize));
    backlog_.push(Queued::kCommand, rtmp::chunkBytes(kCsidCommand,
                                                     {rtmp::kCommandAmf0, 0, 0,
                                                      AmfWriter()
                                                          .string("deleteStream")
                                                          .number(++transaction_)
                                                          .null()
                                                          .number(stream_id_)
                                                          .bytes()},
                                                     kChunkSize));
    bool writing = true;
    backlog_.gather(SIZE_MAX, [&](const char* data, std::size_t size) {
      gsize written = 0;
      writing = writing && g_output_stream_write_all(out_, data, size, &written, nullptr, nullptr);
    });
    backlog_.clear();
  }
  g_io_stream_close(io_.get(), nullptr, nullptr);
}

}  // namespace yst::streaming
