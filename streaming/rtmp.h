// Publishing to a partner site over RTMP and RTMPS (Adobe RTMP 1.0, with the
// AMF0 command set every ingest server speaks: connect, releaseStream,
// FCPublish, createStream, publish).
//
// Why our own client and not rtmp2sink: the tags are ready on the encoder's
// thread (flv.h), and a tag is an RTMP message once it has a chunk header.
// rtmp2sink needs a pipeline per destination (appsrc's thread, then its own
// main loop) and takes one GTask and one asynchronous write per message:
// about 0.0045 cores per destination, most of an extra destination's 0.85 %
// of a core against ffmpeg's 0.15 %. Here the encoder's thread writes a
// frame's chunks with one non-blocking writev, as ffmpeg's tee does, and
// never waits: what the socket does not take stays in a bounded backlog
// sent first next time. A thread per destination connects and then sleeps in
// a read, waking only for the server's few messages (acknowledgements,
// pings, status). Measured (two studios at once, 4 rounds of 30 s): with 3
// destinations 0.566 -> 0.550 cores; one destination against three now
// 0.534 against 0.531, an extra destination below what the machine resolves.
//
// The server is not trusted: whatever it sends or stops reading, what we
// hold for it is bounded (the backlog, control answers included, unfinished
// messages, the values of a command), setting up has one overall deadline,
// its numbers are range-checked before any integer cast and its strings are
// cleaned before they reach a log or the status.
#pragma once

#include <gst/gst.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

// GIO's types, declared here rather than by <gio/gio.h>: that header has a
// member named `signals`, which Qt defines as a macro in every file that
// includes output.h.
typedef struct _GCancellable GCancellable;
typedef struct _GSocketConnection GSocketConnection;
typedef struct _GIOStream GIOStream;
typedef struct _GInputStream GInputStream;
typedef struct _GOutputStream GOutputStream;
typedef struct _GOutputVector GOutputVector;

namespace yst::streaming {

namespace rtmp {  // the wire format; exposed for the tests

// Why a publisher gave up, as OBS's output stop codes: the owner and the
// tests tell failures apart without parsing the text.
enum class Failure {
  kInvalid = 0,
  kBadUrl,        // the URL names no host, application or stream
  kConnect,       // DNS, TCP or TLS
  kTimeout,       // not publishing within the setup deadline
  kRefused,       // the server said no (connect, createStream, publish) or ended the stream
  kProtocol,      // malformed chunks or AMF0, no usable stream id
  kDisconnected,  // the server or the network closed the connection
  kBacklogFull,   // more waiting for the server than kMaxBacklogTotal
  kPingFlood,     // ping requests far faster than the server reads the answers
};

// A protocol violation or refusal; what() is for the producer (no secrets
// are added here, the caller masks the stream key anyway).
struct Error : std::runtime_error {
  explicit Error(const std::string& what, Failure why = Failure::kProtocol)
      : std::runtime_error(what), failure(why) {}
  Failure failure;
};

// A string the server sent (an onStatus code or description, an _error's
// text), fit for a log line and the status: invalid UTF-8, control and
// format characters (bidi overrides, zero-width) removed, tabs and newlines
// as spaces, whitespace runs collapsed and trimmed; every occurrence of a
// `secrets` entry (3 characters or more) replaced by "***" once that is done,
// so a control character inside the stream key cannot smuggle it through;
// then cut to `max_chars` code points, the last of them "…".
std::string cleanServerText(std::string_view raw, std::size_t max_chars,
                            const std::vector<std::string>& secrets = {});
// How much of each of the server's strings an error text quotes.
inline constexpr std::size_t kMaxServerTextChars = 200;

// AMF0 values, as much as commands and their replies use.
struct AmfProperty;
struct AmfValue {
  enum class Type { kInvalid = 0, kNumber, kBoolean, kString, kObject, kNull, kUndefined, kArray };
  Type type = Type::kInvalid;
  double number = 0;
  bool boolean = false;
  std::string string;
  // A struct of its own, not a std::pair: a pair of a type still being
  // defined does not compile with clang and libstdc++ (the fuzz target's).
  std::vector<AmfProperty> properties;  // kObject (also ECMA arrays)
  std::vector<AmfValue> elements;       // kArray (strict arrays)

  // The property `key` of an object, or null.
  const AmfValue* find(std::string_view key) const;
  // The property `key` as a string, or "" when absent or not a string.
  std::string text(std::string_view key) const;
};
struct AmfProperty {
  std::string name;
  AmfValue value;
};

// Decodes a sequence of AMF0 values (a command's payload). Throws Error on
// a truncated or malformed payload, an unknown type, nesting deeper than 16
// levels, or more than kMaxAmfValues values in all: a value costs ~100 bytes
// decoded against 1 on the wire, and a server's replies hold a few dozen.
inline constexpr std::size_t kMaxAmfValues = 4096;
std::vector<AmfValue> decodeAmf0(std::string_view bytes);

// An AMF0 number as a 32-bit id (a stream id), or nothing when it is not
// one: NaN, an infinity, negative, fractional or above 2^32 - 1. Converting
// such a double to an integer is undefined behaviour, so this comes first.
std::optional<std::uint32_t> wholeU32(double v);

class AmfWriter {
 public:
  AmfWriter& number(double v);
  AmfWriter& boolean(bool v);
  AmfWriter& string(std::string_view v);
  AmfWriter& null();
  AmfWriter& beginObject();
  AmfWriter& beginEcmaArray(std::uint32_t count);  // properties as an object's, endObject()
  AmfWriter& key(std::string_view name);           // inside an object: the next value's name
  AmfWriter& endObject();
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

// Message type ids.
enum : std::uint8_t {
  kSetChunkSize = 1,
  kAbort = 2,
  kAcknowledgement = 3,
  kUserControl = 4,
  kWindowAckSize = 5,
  kSetPeerBandwidth = 6,
  kAudio = 8,
  kVideo = 9,
  kDataAmf0 = 18,
  kCommandAmf0 = 20,
};

struct Message {
  std::uint8_t type = 0;
  std::uint32_t timestamp = 0;
  std::uint32_t stream_id = 0;
  std::string payload;
};

// The chunk header bytes of one message: a type-0 header (with the extended
// timestamp from 0xFFFFFF ms on) before the first chunk, and a type-3
// header (repeating the extended timestamp) before each further one.
// Calls header(bytes, size) and payload(offset, size) in wire order.
// csid is 2..63 here (one-byte basic header).
template <typename Header, typename Payload>
void chunk(int csid, std::uint8_t type, std::uint32_t timestamp, std::uint32_t stream_id,
           std::size_t length, std::size_t chunk_size, Header&& header, Payload&& payload) {
  const bool extended = timestamp >= 0xFFFFFF;
  const std::uint32_t ts = extended ? 0xFFFFFF : timestamp;
  std::uint8_t h[16] = {
      static_cast<std::uint8_t>(csid & 0x3F),     static_cast<std::uint8_t>(ts >> 16),
      static_cast<std::uint8_t>(ts >> 8),         static_cast<std::uint8_t>(ts),
      static_cast<std::uint8_t>(length >> 16),    static_cast<std::uint8_t>(length >> 8),
      static_cast<std::uint8_t>(length),          type,
      static_cast<std::uint8_t>(stream_id),  // the message stream id is little-endian
      static_cast<std::uint8_t>(stream_id >> 8),  static_cast<std::uint8_t>(stream_id >> 16),
      static_cast<std::uint8_t>(stream_id >> 24),
  };
  const std::uint8_t ext[4] = {
      static_cast<std::uint8_t>(timestamp >> 24), static_cast<std::uint8_t>(timestamp >> 16),
      static_cast<std::uint8_t>(timestamp >> 8), static_cast<std::uint8_t>(timestamp)};
  std::size_t size = 12;
  if (extended) {
    std::copy(ext, ext + 4, h + size);
    size += 4;
  }
  header(h, size);
  std::size_t offset = 0;
  for (;;) {
    const std::size_t n = std::min(chunk_size, length - offset);
    payload(offset, n);
    offset += n;
    if (offset >= length) return;
    std::uint8_t c[5] = {static_cast<std::uint8_t>(0xC0 | (csid & 0x3F))};
    if (extended) std::copy(ext, ext + 4, c + 1);
    header(c, extended ? 5 : 1);
  }
}

// One whole message as bytes (commands and control messages).
std::string chunkBytes(int csid, const Message& message, std::size_t chunk_size);

// Reassembles the server's messages from its chunks. Handles the four
// header types, extended timestamps, interleaved chunk streams and the
// server's Set Chunk Size. Throws Error on what no server sends: a chunk size
// of 0 or above 2^24, a message over 1 MiB, more than 64 chunk streams, or
// more than 1 MiB of messages begun and not finished on all of them together
// (64 streams of unfinished 1 MiB messages would otherwise be 64 MiB).
class ChunkReader {
 public:
  static constexpr std::size_t kMaxMessage = 1 << 20;
  static constexpr std::size_t kMaxUnfinished = 1 << 20;
  void append(const char* data, std::size_t size);
  // The next complete message, if any.
  bool next(Message& out);

 private:
  struct Stream {
    int csid = 0;
    std::uint32_t timestamp = 0;
    std::uint32_t delta = 0;
    std::uint32_t length = 0;
    std::uint8_t type = 0;
    std::uint32_t stream_id = 0;
    bool extended = false;
    bool started = false;
    std::string partial;
  };
  Stream& stream(int csid);

  std::string buffer_;
  std::size_t pos_ = 0;
  std::size_t chunk_size_ = 128;
  std::size_t unfinished_ = 0;  // bytes in the streams' partial messages
  std::vector<Stream> streams_;
};

}  // namespace rtmp

// One attempt at publishing the program to one partner site.
//
// start() connects on a thread of its own: TCP (TLS for rtmps://), the
// handshake, connect, releaseStream, FCPublish, createStream, publish, all
// within publish_timeout_ms. When the server says NetStream.Publish.Start,
// ready() turns true and send() may be called. Anything that goes wrong
// (refused, unknown application, bad certificate, the server closes, the
// network drops, the server stops reading) is reported once through
// `on_error`, from whichever thread found it; the publisher is dead after
// that, and the owner makes a new one to retry.
class RtmpPublisher {
 public:
  using Failure = rtmp::Failure;
  // `text` names the partner site and the cause; no secrets are added, and
  // the server's own strings in it are cleaned (rtmp::cleanServerText).
  using ErrorHandler = std::function<void(Failure failure, const std::string& text)>;

  static constexpr std::size_t kChunkSize = 4096;  // announced to the server
  // What may wait in the backlog before frames are dropped (to the next
  // keyframe, once it is under a quarter of this): about 6.7 s of a
  // 2.5 Mb/s program, 2.8 s at 6 Mb/s, on top of the socket's own buffer.
  // Viewers of a site that cannot keep up get gaps, not an ever longer delay.
  static constexpr std::size_t kMaxBacklog = 2 << 20;
  // What may wait at all, media and control answers together. Media stops
  // at kMaxBacklog but for sequence headers and the one send() under way,
  // and control answers are coalesced (below), so only a server that stops
  // reading while we must still queue for it gets here: the connection is
  // dropped (Failure::kBacklogFull) and the owner reconnects.
  static constexpr std::size_t kMaxBacklogTotal = 2 * kMaxBacklog;
  // A ping answer that has not gone out yet is replaced by the next one
  // rather than queued beside it (only the newest timestamp matters to the
  // server), as is an acknowledgement (the newest count covers the older).
  // A server that sends this many pings in a row while not taking the
  // answer to the first is flooding us (nginx pings once a minute): the
  // connection is dropped (Failure::kPingFlood).
  static constexpr int kMaxUnansweredPings = 100;
  // The server's window acknowledgement size is taken down to this, not
  // below: a window of 1 byte would have us answer each read with 16 bytes.
  // Real servers ask for 2.5 MB (SRS, YouTube) or 5 MB (nginx).
  static constexpr std::uint32_t kMinAckWindow = 4096;
  static constexpr int kConnectTimeoutS = 10;

  // `url`: rtmp[s]://host[:port]/app[/instance][?query]; `stream`: the
  // stream name (the secret key). With no key, the URL's last path segment
  // is the stream name (parseRtmpTarget in media_url.h reads them).
  RtmpPublisher(std::string url, std::string stream, bool tls_verify, ErrorHandler on_error);
  ~RtmpPublisher();  // close(0) if not closed yet
  RtmpPublisher(const RtmpPublisher&) = delete;
  RtmpPublisher& operator=(const RtmpPublisher&) = delete;

  // Tuning, before start(): from start() to publishing (DNS, TCP, TLS, the
  // handshake and the commands) at most this long, however the server
  // trickles its bytes; then Failure::kTimeout.
  int publish_timeout_ms = 10000;

  void start();
  bool ready() const { return ready_.load(std::memory_order_acquire); }

  // Sends FLV tags (flv.h: header, body, previous-tag size) as RTMP
  // messages without blocking; script tags go as @setDataFrame. Returns the
  // bytes the socket took in this call. One caller at a time.
  std::uint64_t send(GstBuffer* const* tags, std::size_t count);
  std::uint64_t droppedTags() const { return dropped_.load(std::memory_order_relaxed); }
  // The most that waited in the backlog at once in this connection (bytes).
  std::size_t backlogPeakBytes() const { return backlog_peak_.load(std::memory_order_relaxed); }

  // Stops publishing: waits up to `timeout_ms` for the backlog and the
  // FCUnpublish and deleteStream commands to go out, then closes. Blocks:
  // never on the controller thread.
  void close(int timeout_ms);

 private:
  // One entry of the backlog: whole messages' chunks, so that a control
  // message queued after it never lands inside a media message.
  enum class Queued { kInvalid = 0, kMedia, kPingAnswer, kAcknowledgement, kCommand };
  struct Pending {
    Queued kind = Queued::kInvalid;
    std::string bytes;
  };
  static constexpr std::uint64_t kNone = ~std::uint64_t{0};

  void run();
  void connectSocket();
  void handshake();
  void publish();
  void readLoop();
  // Reads until a message arrives, answering control messages on the way.
  rtmp::Message readMessage();
  // Whether `message` was a control message, now handled.
  bool handleControl(const rtmp::Message& message);
  void command(const rtmp::AmfWriter& amf, std::uint32_t stream_id = 0);
  // A control message (acknowledgement, ping response): blocking during
  // setup, through the backlog once ready, replacing an unsent one of its
  // kind. Drops the connection when the server floods us with pings or the
  // backlog passes kMaxBacklogTotal.
  void sendControl(Queued kind, const std::string& bytes);
  // Blocking write (setup, close). Throws Error.
  void writeAll(const std::string& bytes);
  // Non-blocking: backlog first, then `vectors`; what the socket does not
  // take of `vectors` becomes one backlog entry of `kind`. write_mutex_ held.
  std::uint64_t flush(std::vector<GOutputVector>& vectors, Queued kind);
  // Appends to the backlog. write_mutex_ held.
  void enqueue(Queued kind, std::string bytes);
  // The backlog entry `index` counts from the first ever queued, or null
  // when it has gone or is partly sent. write_mutex_ held.
  Pending* unsent(std::uint64_t index);
  // Gives up on the connection (the server stopped reading or floods us,
  // or the socket failed): the backlog is freed, the error reported, the
  // reading thread woken to end; close() closes the socket. write_mutex_ held.
  void dropConnection(Failure failure, const std::string& reason);
  void reportError(Failure failure, const std::string& reason);
  std::string uriHost() const;  // host_, in brackets if IPv6
  std::string where() const;    // "rtmp://host:port/app" for messages

  std::string url_;
  std::string stream_;
  bool tls_verify_;
  ErrorHandler on_error_;
  // From the URL.
  bool tls_ = false;
  std::string host_;
  int port_ = 0;
  std::string app_;
  std::string tc_url_;
  std::vector<std::string> secrets_;  // the stream name, the URL's secrets

  std::thread thread_;
  GCancellable* cancel_ = nullptr;
  GSocketConnection* tcp_ = nullptr;  // set on the connection thread before ready_
  GIOStream* io_ = nullptr;           // tcp_ or the TLS connection over it
  GInputStream* in_ = nullptr;
  GOutputStream* out_ = nullptr;
  rtmp::ChunkReader reader_;
  std::uint64_t received_ = 0;      // for the acknowledgement window
  std::uint64_t acknowledged_ = 0;  // received_ when we last acknowledged
  std::uint32_t ack_window_ = 2500000;
  std::uint32_t stream_id_ = 0;
  double transaction_ = 0;
  const char* setup_stage_ = "the connection";  // what the setup waits for, for a timeout's text
  std::atomic<bool> ready_{false};
  std::atomic<bool> failed_{false};
  std::atomic<bool> closed_{false};
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::size_t> backlog_peak_{0};

  std::mutex write_mutex_;  // the output stream once ready: send(), pings, close()
  // Guarded by write_mutex_. What the socket has not taken yet, in order; a
  // deque of entries so that a flush never copies what waits.
  std::deque<Pending> backlog_;
  std::size_t backlog_sent_ = 0;      // Guarded by write_mutex_. Bytes of the front entry sent.
  std::size_t backlog_bytes_ = 0;     // Guarded by write_mutex_. Unsent bytes in backlog_.
  std::uint64_t backlog_popped_ = 0;  // Guarded by write_mutex_. Entries ever sent in full.
  // Guarded by write_mutex_. The queued ping answer and acknowledgement
  // (their backlog_popped_-based index), or kNone.
  std::uint64_t ping_answer_at_ = kNone;
  std::uint64_t ack_at_ = kNone;
  int unanswered_pings_ = 0;  // Guarded by write_mutex_. Answers replaced before going out.
  std::string scratch_;       // Guarded by write_mutex_. Chunk headers of one send().
  bool dropping_ = false;     // Guarded by write_mutex_. Dropping until the next keyframe.
};

}  // namespace yst::streaming
