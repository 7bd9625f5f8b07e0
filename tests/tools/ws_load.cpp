// ws_load: the audience benchmark's load generator, run by scripts/bench-audience
// (which starts the studio, reads this tool's stdout and prints the report).
//
// Opens VIEWERS viewer WebSockets on one studio, has the first SUBMITTERS of
// them send RATE questions a second in all for SECONDS, while one producer
// connection approves every question as soon as it is announced
// (questions.changed, action "received"). Measures
//   submit → question.received latency (p50/p99),
//   approve sent → the approved question reached every viewer (p50/p99),
//   questions sent / acknowledged / refused, viewers dropped by the studio,
//   and the viewer traffic.
//
// It is written to cost the studio's machine as little as possible, so that
// the benchmark measures the studio and not itself: one thread, one epoll,
// non-blocking sockets and a minimal RFC 6455 client (no extensions; client
// frames masked, fragmented server messages reassembled, ping answered).
// Viewers do not parse what they receive (10,000 viewers receive gigabytes a
// minute): a questions.public message is scanned for "id":N, which is all
// the measurement needs, and one that arrives in pieces is scanned piece by
// piece instead of being kept until complete (Load::skim(): a studio that
// half-sends large messages to 10,000 viewers would otherwise cost this
// tool a gigabyte and most of its CPU in page faults). Submit replies and
// the producer's events are read with a small JSON scanner (top-level
// fields and the ids in "questions"). Between two epoll_wait()s it lets at
// least 1 ms pass, so times are measured to within 1 ms.
//
// Parameters come from the environment (as scripts/bench-audience sets them)
// or from flags, which win:
//   YST_WS              --url URL[,URL…]       ws://127.0.0.1:PORT/ws; several (public
//                                              edges): the viewers spread over them in turn
//   YST_PRODUCER_WS     --producer-url URL     the producer's (the studio's own; default
//                                              the first of --url)
//   YST_PRODUCER_TOKEN  --token TOKEN          the studio's producer token
//   VIEWERS             --viewers N            10000
//   SUBMITTERS          --submitters N         100
//   RATE                --rate Q               200 questions a second in all
//   SECONDS             --seconds S            60
//   OPEN_PER_SECOND     --open-per-second N    2000 new connections a second
//   PROGRESS=1          --progress             a status line on stderr every 10 s
//   REJOIN=1            --rejoin               a viewer whose connection closes comes back
//                                              as the viewer page does (below)
//   SPREAD=1            --spread               each viewer from its own loopback address,
//                                              127.0.X.Y (X 1-254, Y 1-250), as a crowd
//                                              of phones would come (IPv4 targets)
//
// With --rejoin, a viewer whose connection the server closes or loses (an
// edge killed) connects again as the viewer page does: after a jittered
// back-off (1 s doubling to 10 s, each wait between half of that and all of
// it), to the next URL of the list (nginx in front does the same with one
// URL), saying in its hello where it was in the public feed (`since`); a
// submitter then sends again, with the same client_id, every question that
// had no reply yet. Every questions.public message's place in the feed is
// checked against the last one the viewer had (a seq that skips one is a
// message lost).
//
// stdout: one JSON object a line, "phase" first:
//   {"phase":"connected","viewers":N}      all viewers have their hello.ok
//   {"phase":"flood"}                      the producer is in; questions start
//   {"phase":"drain"}                      questions stop; 3 s to settle
//   {"phase":"done", viewers, viewers_closed, sent, acknowledged, submit_errors
//    (code → count), producer_errors, received_p50_ms, received_p99_ms,
//    approved, broadcast_p50_ms, broadcast_p99_ms, broadcast_incomplete,
//    viewer_messages, viewer_mbytes, feed_missed, feed_repeated, rejoined,
//    still_down, rejoin_p95_ms, rejoin_max_ms (from the first viewer lost),
//    resumed, snapshots, resent}           percentiles null when there is none
// Diagnostics go to stderr. Exit 0 after "done"; 1 on a fatal error (the
// studio unreachable, the producer refused), 2 on a usage error.
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <queue>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr double kDrainMs = 3000;
constexpr double kSettleMs = 2000;  // after connecting, before the producer (RSS reading)
constexpr double kHandshakeTimeoutMs = 10000;  // connect + upgrade + hello.ok
constexpr std::size_t kMaxHttpHead = 16 * 1024;
constexpr std::uint64_t kMaxMessageBytes = 64 * 1024 * 1024;
constexpr std::size_t kScratchBytes = 256 * 1024;
// A viewer's text message at least this large is skimmed as it arrives
// rather than kept until complete (see Load::skim()): replies and events
// meant for one viewer are smaller, questions.public batches larger.
constexpr std::uint64_t kSkimBytes = 4096;
// What a skim keeps of the bytes read so far: enough for "id": and 19
// digits, for the type's name, and for the "seq": at the end of the message.
constexpr std::size_t kCarryBytes = 32;
constexpr int kMaxEvents = 512;
constexpr double kCoalesceMs = 1;  // the shortest time between two epoll_wait()s
constexpr std::string_view kWebSocketKey = "eXNoLWJlbmNoLWtleS0xMg==";  // 16 bytes, base64
// A lost viewer's back-off, as the viewer page's (assets/web/common.js).
constexpr double kRejoinFirstMs = 1000;
constexpr double kRejoinMaxMs = 10000;

double nowMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

[[noreturn]] void fatal(const char* format, ...) {
  std::va_list args;
  va_start(args, format);
  std::fputs("ws_load: ", stderr);
  std::vfprintf(stderr, format, args);
  std::fputc('\n', stderr);
  va_end(args);
  std::exit(1);
}

void note(const char* format, ...) {
  std::va_list args;
  va_start(args, format);
  std::fputs("[ws_load] ", stderr);
  std::vfprintf(stderr, format, args);
  std::fputc('\n', stderr);
  va_end(args);
}

bool contains(std::string_view text, std::string_view what) {
  return memmem(text.data(), text.size(), what.data(), what.size()) != nullptr;
}

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

// --- a little JSON ---

// The fields read from a submit reply or a producer event. Strings are raw
// (escapes left in place: they are compared with plain names or printed
// back into JSON).
struct Fields {
  std::string_view type, action, code, message;
  bool has_id = false;
  std::int64_t id = 0;
  std::vector<std::int64_t> question_ids;  // "questions":[{…,"id":N,…},…]
};

// Walks one JSON object and fills Fields from its top level; every other
// value is skipped (so the ids of "on_air" or of nested objects never count).
class JsonScanner {
 public:
  explicit JsonScanner(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  bool read(Fields* f) {
    if (!eat('{')) return false;
    if (eat('}')) return true;
    do {
      std::string_view key;
      if (!string(&key) || !eat(':')) return false;
      bool ok = true;
      if ((key == "type" || key == "action" || key == "code" || key == "message") && peek('"')) {
        std::string_view* target = key == "type"     ? &f->type
                                   : key == "action" ? &f->action
                                   : key == "code"   ? &f->code
                                                     : &f->message;
        ok = string(target);
      } else if (key == "id" && peekNumber()) {
        ok = integer(&f->id);
        f->has_id = ok;
      } else if (key == "questions" && peek('[')) {
        ok = questionIds(&f->question_ids);
      } else {
        ok = skip(1);
      }
      if (!ok) return false;
    } while (eat(','));
    return eat('}');
  }

 private:
  void space() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }
  bool peek(char c) {
    space();
    return p_ < end_ && *p_ == c;
  }
  bool peekNumber() {
    space();
    return p_ < end_ && (isDigit(*p_) || *p_ == '-');
  }
  bool eat(char c) {
    if (!peek(c)) return false;
    ++p_;
    return true;
  }
  bool string(std::string_view* out) {
    if (!eat('"')) return false;
    const char* start = p_;
    while (p_ < end_) {
      if (*p_ == '\\') {
        p_ += 2;
      } else if (*p_ == '"') {
        *out = std::string_view(start, static_cast<std::size_t>(p_ - start));
        ++p_;
        return true;
      } else {
        ++p_;
      }
    }
    return false;
  }
  bool integer(std::int64_t* out) {
    space();
    const bool negative = p_ < end_ && *p_ == '-';
    if (negative) ++p_;
    if (p_ >= end_ || !isDigit(*p_)) return false;
    std::int64_t value = 0;
    while (p_ < end_ && isDigit(*p_)) value = value * 10 + (*p_++ - '0');
    // A fraction or an exponent is not an id; skip it all the same.
    while (p_ < end_ &&
           (isDigit(*p_) || *p_ == '.' || *p_ == 'e' || *p_ == 'E' || *p_ == '+' || *p_ == '-')) {
      ++p_;
    }
    *out = negative ? -value : value;
    return true;
  }
  bool questionIds(std::vector<std::int64_t>* ids) {
    if (!eat('[')) return false;
    if (eat(']')) return true;
    do {
      if (eat('{')) {
        if (!eat('}')) {
          do {
            std::string_view key;
            if (!string(&key) || !eat(':')) return false;
            if (key == "id" && peekNumber()) {
              std::int64_t id = 0;
              if (!integer(&id)) return false;
              ids->push_back(id);
            } else if (!skip(2)) {
              return false;
            }
          } while (eat(','));
          if (!eat('}')) return false;
        }
      } else if (!skip(2)) {
        return false;
      }
    } while (eat(','));
    return eat(']');
  }
  bool skip(int depth) {
    if (depth > 64) return false;
    space();
    if (p_ >= end_) return false;
    if (*p_ == '"') {
      std::string_view ignored;
      return string(&ignored);
    }
    if (*p_ == '{') {
      ++p_;
      if (eat('}')) return true;
      do {
        std::string_view key;
        if (!string(&key) || !eat(':') || !skip(depth + 1)) return false;
      } while (eat(','));
      return eat('}');
    }
    if (*p_ == '[') {
      ++p_;
      if (eat(']')) return true;
      do {
        if (!skip(depth + 1)) return false;
      } while (eat(','));
      return eat(']');
    }
    const char* start = p_;  // number, true, false, null
    while (p_ < end_ && *p_ != ',' && *p_ != '}' && *p_ != ']' && *p_ != ' ' && *p_ != '\t' &&
           *p_ != '\n' && *p_ != '\r') {
      ++p_;
    }
    return p_ > start;
  }

  const char* p_;
  const char* end_;
};

bool readFields(std::string_view text, Fields* f) {
  return JsonScanner(text).read(f);
}

// Appends the numbers N of the "id":N in text whose 'd' is at an index in
// [from, to) (a pattern is complete only if a non-digit follows N). Finds
// them by their rarest byte: outside strings 'd' is in few of the studio's
// keys, and the questions' Chinese text has no ASCII bytes at all (memmem()
// on the whole pattern cost several times more). A question is listed at
// most once in "questions" and maybe again as "on_air": callers count each
// id once per message (sortUnique()).
void scanIds(const char* text, std::size_t size, std::size_t from, std::size_t to,
             std::vector<std::int64_t>* ids) {
  from = std::max<std::size_t>(from, 2);
  to = std::min(to, size);
  const char* p = text + from;
  const char* const last = text + to;
  const char* const end = text + size;
  while (p < last) {
    const void* found = std::memchr(p, 'd', static_cast<std::size_t>(last - p));
    if (!found) break;
    const char* d = static_cast<const char*>(found);
    p = d + 1;
    if (end - d < 5 || d[-1] != 'i' || d[-2] != '"' || d[1] != '"' || d[2] != ':' ||
        !isDigit(d[3])) {
      continue;
    }
    std::int64_t id = 0;
    const char* q = d + 3;
    for (; q < end && isDigit(*q) && id < (std::int64_t{1} << 40); ++q) id = id * 10 + (*q - '0');
    if (q < end) ids->push_back(id);
  }
}

void sortUnique(std::vector<std::int64_t>* ids) {
  std::sort(ids->begin(), ids->end());
  ids->erase(std::unique(ids->begin(), ids->end()), ids->end());
}

// A message is a questions.public update when it holds its type's name
// (which no viewer's text can: its quotes arrive escaped). Where the type
// stands is not relied on: the public feed appends its place ("feed") after
// the sorted keys.
constexpr std::string_view kPublicType = "\"questions.public\"";

bool isQuestionsPublic(std::string_view text) {
  return contains(text, kPublicType);
}

// The place in the public feed at the end of a public message,
// …"feed":{"epoch":"…","seq":N}}: N, or nothing when the end is not that.
std::optional<std::uint64_t> tailSeq(std::string_view text) {
  constexpr std::string_view kSeq = "\"seq\":";
  if (!text.ends_with("}}")) return std::nullopt;
  const std::size_t at = text.rfind(kSeq);
  if (at == std::string_view::npos) return std::nullopt;
  std::uint64_t seq = 0;
  std::size_t i = at + kSeq.size();
  const std::size_t digits_from = i;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    seq = seq * 10 + static_cast<std::uint64_t>(text[i] - '0');
  }
  if (i == digits_from || i + 2 != text.size()) return std::nullopt;
  return seq;
}

// hello.ok's "feed":{"epoch":"E","seq":N} (its keys sorted, as the studio
// writes them; a question's text cannot hold that with its quotes).
bool helloFeed(std::string_view text, std::string* epoch, std::uint64_t* seq) {
  constexpr std::string_view kFeed = "\"feed\":{\"epoch\":\"";
  const std::size_t at = text.find(kFeed);
  if (at == std::string_view::npos) return false;
  const std::size_t from = at + kFeed.size();
  const std::size_t quote = text.find('"', from);
  if (quote == std::string_view::npos || quote - from > 32) return false;
  const std::string_view rest = text.substr(quote);
  constexpr std::string_view kSeq = "\",\"seq\":";
  if (!rest.starts_with(kSeq)) return false;
  std::uint64_t n = 0;
  std::size_t i = kSeq.size();
  for (; i < rest.size() && rest[i] >= '0' && rest[i] <= '9'; ++i) {
    n = n * 10 + static_cast<std::uint64_t>(rest[i] - '0');
  }
  if (i == kSeq.size()) return false;
  *epoch = std::string(text.substr(from, quote - from));
  *seq = n;
  return true;
}

std::optional<double> percentile(std::vector<double> values, double p) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const auto at =
      static_cast<std::size_t>(std::floor(p / 100 * static_cast<double>(values.size())));
  return values[std::min(values.size() - 1, at)];
}

std::string jsonNumber(std::optional<double> value) {
  if (!value) return "null";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.3f", *value);
  return buffer;
}

// --- options ---

// One address the load connects to.
struct Target {
  std::string url;
  std::string host;
  std::string port;
  std::string path;
};

struct Options {
  // Where viewers connect: one URL, or several separated by commas (a
  // studio's public edges), taken in turn.
  std::string url;
  // Where the producer connects: the studio's own address (staff are refused
  // at an edge). Empty: the first of `url`.
  std::string producer_url;
  std::string token;
  long viewers = 10000;
  long submitters = 100;
  double rate = 200;
  double seconds = 60;
  double open_per_second = 2000;
  bool progress = false;
  bool rejoin = false;
  bool spread = false;
  // From url and producer_url.
  std::vector<Target> viewer_targets;
  Target producer_target;
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "ws_load: %s\n"
               "usage: ws_load [--url ws://HOST:PORT/PATH[,ws://…]] [--producer-url URL]\n"
               "               [--token TOKEN] [--viewers N]\n"
               "               [--submitters N] [--rate Q] [--seconds S] [--open-per-second N]\n"
               "               [--progress] [--rejoin] [--spread]\n"
               "(or YST_WS, YST_PRODUCER_TOKEN, VIEWERS, SUBMITTERS, RATE, SECONDS,\n"
               "OPEN_PER_SECOND, PROGRESS=1, REJOIN=1, SPREAD=1 in the environment)\n",
               why);
  std::exit(2);
}

double parseNumber(const char* name, const char* text) {
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(text, &end);
  if (errno != 0 || end == text || *end != '\0' || !std::isfinite(value)) {
    usage((std::string(name) + ": not a number: " + text).c_str());
  }
  return value;
}

Target parseTarget(std::string_view url) {
  Target t;
  t.url = std::string(url);
  constexpr std::string_view kScheme = "ws://";
  std::string_view rest = url;
  if (!rest.starts_with(kScheme)) usage("a URL must start with ws://");
  rest.remove_prefix(kScheme.size());
  const std::size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  t.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (authority.starts_with('[')) {  // [v6]:port
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) usage("bad host in a URL");
    t.host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    t.port = after.starts_with(':') ? std::string(after.substr(1)) : "80";
  } else {
    const std::size_t colon = authority.rfind(':');
    t.host = std::string(authority.substr(0, colon));
    t.port = colon == std::string_view::npos ? "80" : std::string(authority.substr(colon + 1));
  }
  if (t.host.empty() || t.port.empty()) usage("bad host or port in a URL");
  return t;
}

Options parseOptions(int argc, char** argv) {
  Options o;
  auto env = [](const char* name) -> const char* {
    const char* value = std::getenv(name);
    return value && *value ? value : nullptr;
  };
  if (const char* v = env("YST_WS")) o.url = v;
  if (const char* v = env("YST_PRODUCER_WS")) o.producer_url = v;
  if (const char* v = env("YST_PRODUCER_TOKEN")) o.token = v;
  if (const char* v = env("VIEWERS")) o.viewers = std::lround(parseNumber("VIEWERS", v));
  if (const char* v = env("SUBMITTERS")) o.submitters = std::lround(parseNumber("SUBMITTERS", v));
  if (const char* v = env("RATE")) o.rate = parseNumber("RATE", v);
  if (const char* v = env("SECONDS")) o.seconds = parseNumber("SECONDS", v);
  if (const char* v = env("OPEN_PER_SECOND")) {
    o.open_per_second = parseNumber("OPEN_PER_SECOND", v);
  }
  if (const char* v = env("PROGRESS")) o.progress = std::string_view(v) != "0";
  if (const char* v = env("REJOIN")) o.rejoin = std::string_view(v) != "0";
  if (const char* v = env("SPREAD")) o.spread = std::string_view(v) != "0";
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--progress") {
      o.progress = true;
      continue;
    }
    if (flag == "--rejoin") {
      o.rejoin = true;
      continue;
    }
    if (flag == "--spread") {
      o.spread = true;
      continue;
    }
    if (flag == "--help" || flag == "-h") usage("the audience benchmark's load generator");
    if (i + 1 >= argc) usage(("missing value for " + std::string(flag)).c_str());
    const char* value = argv[++i];
    if (flag == "--url") {
      o.url = value;
    } else if (flag == "--producer-url") {
      o.producer_url = value;
    } else if (flag == "--token") {
      o.token = value;
    } else if (flag == "--viewers") {
      o.viewers = std::lround(parseNumber("--viewers", value));
    } else if (flag == "--submitters") {
      o.submitters = std::lround(parseNumber("--submitters", value));
    } else if (flag == "--rate") {
      o.rate = parseNumber("--rate", value);
    } else if (flag == "--seconds") {
      o.seconds = parseNumber("--seconds", value);
    } else if (flag == "--open-per-second") {
      o.open_per_second = parseNumber("--open-per-second", value);
    } else {
      usage(("unknown option " + std::string(flag)).c_str());
    }
  }
  if (o.url.empty()) usage("no URL (YST_WS or --url)");
  if (o.token.empty()) usage("no producer token (YST_PRODUCER_TOKEN or --token)");
  if (o.viewers < 1 || o.viewers > 1000000) usage("viewers: 1 to 1,000,000");
  if (o.submitters < 1) usage("submitters: at least 1");
  if (o.rate <= 0 || o.seconds < 0 || o.open_per_second <= 0) {
    usage("rate and open-per-second must be positive, seconds not negative");
  }

  std::string_view urls = o.url;
  while (!urls.empty()) {
    const std::size_t comma = urls.find(',');
    o.viewer_targets.push_back(parseTarget(urls.substr(0, comma)));
    urls = comma == std::string_view::npos ? std::string_view() : urls.substr(comma + 1);
  }
  if (o.viewer_targets.empty()) usage("no URL (YST_WS or --url)");
  o.producer_target =
      o.producer_url.empty() ? o.viewer_targets.front() : parseTarget(o.producer_url);
  return o;
}

// --- connections ---

enum class State : std::uint8_t { kIdle, kConnecting, kUpgrading, kHello, kOpen, kClosed };

struct Conn {
  int fd = -1;
  State state = State::kIdle;
  bool producer = false;
  bool fragmented = false;      // inside a fragmented message, whose start is in msg
  std::int32_t submitter = -1;  // index in Load::submitters_, or -1
  std::uint32_t index = 0;      // the viewer's number
  double started_ms = 0;
  // --rejoin: coming back after a lost connection, the how-manieth try, and
  // how far along the URL list it has moved.
  bool rejoining = false;
  std::uint32_t attempts = 0;
  std::uint32_t shift = 0;
  std::uint64_t feed_seq = 0;  // the last place in the public feed it had
  std::string in;              // received, not yet processed: an incomplete HTTP head or frame
  std::string msg;             // a fragmented message being put together
  std::string out;             // not yet written (the socket was full)
  // A large message being skimmed (see Load::skim()).
  std::uint64_t skim_left = 0;  // payload bytes still to come
  std::uint64_t skim_size = 0;
  std::vector<std::int64_t> skim_ids;  // approved question ids seen so far
  bool skim_public = false;            // its type is questions.public
  std::uint8_t carry_size = 0;
  char carry[kCarryBytes];  // its last bytes so far
};

struct Submitter {
  std::uint32_t conn = 0;
  long index = 0;               // 第i位网友
  std::vector<double> sent_at;  // [request id - 1] → ms; < 0 once answered
};

struct Reach {
  std::uint32_t count = 0;  // viewers that have received the approved question
  double last_ms = 0;       // when the last of them did
};

// A target resolved, with the upgrade request its connections send.
struct Endpoint {
  sockaddr_storage address{};
  socklen_t length = 0;
  int family = AF_INET;
  std::string upgrade_request;
};

Endpoint resolve(const Target& t) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int rc = getaddrinfo(t.host.c_str(), t.port.c_str(), &hints, &found); rc != 0) {
    fatal("cannot resolve %s: %s", t.host.c_str(), gai_strerror(rc));
  }
  Endpoint e;
  std::memcpy(&e.address, found->ai_addr, found->ai_addrlen);
  e.length = found->ai_addrlen;
  e.family = found->ai_family;
  freeaddrinfo(found);
  const std::string host_header =
      t.port == "80"
          ? t.host
          : (t.host.find(':') != std::string::npos ? "[" + t.host + "]" : t.host) + ":" + t.port;
  e.upgrade_request = "GET " + t.path + " HTTP/1.1\r\nHost: " + host_header +
                      "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " +
                      std::string(kWebSocketKey) + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
  return e;
}

class Load {
 public:
  explicit Load(Options options) : o_(std::move(options)), scratch_(kScratchBytes) {
    for (const Target& t : o_.viewer_targets) endpoints_.push_back(resolve(t));
    producer_endpoint_ = resolve(o_.producer_target);
    conns_.resize(static_cast<std::size_t>(o_.viewers) + 1);
    conns_.back().producer = true;
    rng_ ^= static_cast<std::uint64_t>(nowMs() * 1000) ^ static_cast<std::uint64_t>(getpid());
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_ < 0) fatal("epoll_create1: %s", std::strerror(errno));
  }

  int run() {
    connectViewers();
    pumpFor(kSettleMs);
    connectProducer();
    flood();
    std::printf("{\"phase\":\"drain\"}\n");
    std::fflush(stdout);
    pumpFor(kDrainMs);
    report();
    shutdown();
    return 0;
  }

 private:
  // --- phases ---

  void connectViewers() {
    const double t0 = nowMs();
    const auto viewers = static_cast<std::size_t>(o_.viewers);
    // Connections being opened at once, so that a slow studio is not buried.
    const auto max_in_flight = static_cast<std::size_t>(std::max(16.0, o_.open_per_second / 4));
    std::size_t next = 0;
    double next_expiry_check = t0 + 500;
    while (next < viewers || in_flight_ > 0) {
      const double now = nowMs();
      const auto allowed =
          std::min(viewers, static_cast<std::size_t>((now - t0) / 1000 * o_.open_per_second) + 1);
      while (next < allowed && in_flight_ < max_in_flight) startConnection(next++);
      if (now >= next_expiry_check) {
        expireHandshakes(now);
        next_expiry_check = now + 500;
      }
      pump(next < viewers ? 2 : 50);
    }
    for (std::size_t i = 0; i < viewers; ++i) {
      Conn& c = conns_[i];
      if (c.state != State::kOpen) continue;
      if (submitters_.size() < static_cast<std::size_t>(o_.submitters)) {
        c.submitter = static_cast<std::int32_t>(submitters_.size());
        submitters_.push_back(
            {static_cast<std::uint32_t>(i), static_cast<long>(submitters_.size()), {}});
      }
    }
    note("%zu/%zu viewers connected in %.1f s", open_, viewers, (nowMs() - t0) / 1000);
    for (const auto& [why, count] : failures_) note("  %ld not connected: %s", count, why.c_str());
    if (open_ == 0) fatal("no viewer could connect to %s", o_.url.c_str());
    std::printf("{\"phase\":\"connected\",\"viewers\":%zu}\n", open_);
    std::fflush(stdout);
  }

  void connectProducer() {
    startConnection(conns_.size() - 1);
    const double deadline = nowMs() + kHandshakeTimeoutMs;
    while (!producer_ready_) {
      if (producer_closed_) fatal("the producer connection closed before its hello.ok");
      if (nowMs() > deadline)
        fatal("no hello.ok for the producer in %.0f s", kHandshakeTimeoutMs / 1000);
      pump(50);
    }
  }

  void flood() {
    std::printf("{\"phase\":\"flood\"}\n");
    std::fflush(stdout);
    const double start = nowMs();
    const double end = start + o_.seconds * 1000;
    double next_progress = start + 10000;
    std::uint64_t due = 0;
    for (;;) {
      const double now = nowMs();
      if (now >= end) break;
      const auto target = static_cast<std::uint64_t>(std::floor((now - start) / 1000 * o_.rate));
      for (; due < target; ++due) submit(submitters_[due % submitters_.size()]);
      if (o_.progress && now >= next_progress) {
        progress(now - start);
        next_progress += 10000;
      }
      const double next_due = start + static_cast<double>(due + 1) * 1000 / o_.rate;
      pump(static_cast<int>(std::ceil(std::max(0.0, std::min(next_due, end) - nowMs()))));
    }
  }

  void report() {
    // With --rejoin, the viewers back by now had what they missed replayed.
    const std::size_t gone = o_.rejoin ? down_ : viewers_closed_;
    const std::size_t reachable = open_ - std::min(open_, gone);
    std::vector<double> broadcast;
    std::size_t incomplete = 0;
    for (std::int64_t id : approved_ids_) {
      const Reach& r = reach_[static_cast<std::size_t>(id)];
      if (r.count < reachable) {
        ++incomplete;
      } else {
        broadcast.push_back(r.last_ms - approve_at_[static_cast<std::size_t>(id)]);
      }
    }
    std::string errors = "{";
    for (const auto& [code, count] : submit_errors_) {
      if (errors.size() > 1) errors += ',';
      errors += "\"" + code + "\":" + std::to_string(count);
    }
    errors += "}";
    std::printf(
        "{\"phase\":\"done\",\"viewers\":%zu,\"viewers_closed\":%zu,\"sent\":%lu,"
        "\"acknowledged\":%lu,\"submit_errors\":%s,\"producer_errors\":%lu,"
        "\"received_p50_ms\":%s,\"received_p99_ms\":%s,\"approved\":%zu,"
        "\"broadcast_p50_ms\":%s,\"broadcast_p99_ms\":%s,\"broadcast_incomplete\":%zu,"
        "\"viewer_messages\":%lu,\"viewer_mbytes\":%.3f,\"feed_missed\":%llu,"
        "\"feed_repeated\":%llu,\"rejoined\":%zu,\"still_down\":%zu,\"rejoin_p95_ms\":%s,"
        "\"rejoin_max_ms\":%s,\"resumed\":%zu,\"snapshots\":%zu,\"resent\":%lu}\n",
        open_, viewers_closed_, sent_, acknowledged_, errors.c_str(), producer_errors_,
        jsonNumber(percentile(latencies_, 50)).c_str(),
        jsonNumber(percentile(latencies_, 99)).c_str(), approved_ids_.size(),
        jsonNumber(percentile(broadcast, 50)).c_str(),
        jsonNumber(percentile(broadcast, 99)).c_str(), incomplete, viewer_messages_,
        static_cast<double>(viewer_bytes_) / 1e6, static_cast<unsigned long long>(feed_missed_),
        static_cast<unsigned long long>(feed_repeated_), rejoined_, down_,
        jsonNumber(percentile(rejoin_ms_, 95)).c_str(),
        jsonNumber(percentile(rejoin_ms_, 100)).c_str(), resumed_, snapshots_, resent_);
    std::fflush(stdout);
    if (producer_closed_) note("the producer connection was closed during the run");
  }

  void shutdown() {
    stopping_ = true;
    Conn& producer = conns_.back();
    if (producer.state == State::kOpen) {
      queueFrame(producer, 0x8, std::string_view("\x03\xe8", 2));  // 1000, normal closure
      flush(producer);
    }
    for (Conn& c : conns_) {
      if (c.fd >= 0) ::close(c.fd);
      c.fd = -1;
    }
    ::close(epoll_);
  }

  void progress(double elapsed_ms) {
    long pending = 0;
    for (const Submitter& s : submitters_) {
      for (double t : s.sent_at) pending += t >= 0;
    }
    note(
        "%3.0f s: sent %lu, acknowledged %lu, awaiting a reply %ld, approved %zu, "
        "viewer messages %lu (%.0f MB), viewers closed %zu",
        elapsed_ms / 1000, sent_, acknowledged_, pending, approved_ids_.size(), viewer_messages_,
        static_cast<double>(viewer_bytes_) / 1e6, viewers_closed_);
  }

  // --- the event loop ---

  void pumpFor(double ms) {
    const double end = nowMs() + ms;
    for (double now = nowMs(); now < end; now = nowMs()) {
      pump(static_cast<int>(std::ceil(end - now)));
    }
  }

  void pump(int timeout_ms) {
    epoll_event events[kMaxEvents];
    const int n = epoll_wait(epoll_, events, kMaxEvents, timeout_ms);
    if (n < 0) {
      if (errno == EINTR) return;
      fatal("epoll_wait: %s", std::strerror(errno));
    }
    const double woke = nowMs();
    for (int i = 0; i < n; ++i) onEvent(conns_[events[i].data.u32], events[i].events);
    if (o_.rejoin) serviceRejoins(woke);
    // Little to do: let events gather before the next epoll_wait. The studio
    // writes its sockets one by one, and waking for each costs both sides a
    // context switch (15-20 % of this tool's CPU at 2,000 viewers, measured);
    // the price is up to kCoalesceMs on the latencies measured.
    if (n > 0 && n < kMaxEvents) {
      const double left = kCoalesceMs - (nowMs() - woke);
      if (left > 0) {
        timespec pause{0, static_cast<long>(left * 1e6)};
        nanosleep(&pause, nullptr);
      }
    }
  }

  // A viewer's address: the targets in turn; the producer's, its own.
  const Endpoint& endpointOf(const Conn& c) const {
    return c.producer ? producer_endpoint_ : endpoints_[(c.index + c.shift) % endpoints_.size()];
  }

  void startConnection(std::size_t index) {
    Conn& c = conns_[index];
    c.index = static_cast<std::uint32_t>(index);
    c.started_ms = nowMs();
    c.state = State::kConnecting;
    if (!c.producer && !c.rejoining) ++in_flight_;
    const Endpoint& endpoint = endpointOf(c);
    c.fd = socket(endpoint.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) return closeConn(c, std::string("socket: ") + std::strerror(errno));
    const int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (o_.spread && !c.producer) {
      if (endpoint.family != AF_INET) fatal("--spread needs IPv4 targets");
      sockaddr_in source{};
      source.sin_family = AF_INET;
      const std::uint32_t x = 1 + (c.index / 250) % 254;
      const std::uint32_t y = 1 + c.index % 250;
      source.sin_addr.s_addr = htonl((127u << 24) | (x << 8) | y);
      if (bind(c.fd, reinterpret_cast<const sockaddr*>(&source), sizeof source) != 0) {
        return closeConn(c, std::string("bind: ") + std::strerror(errno));
      }
    }
    if (connect(c.fd, reinterpret_cast<const sockaddr*>(&endpoint.address), endpoint.length) != 0 &&
        errno != EINPROGRESS) {
      return closeConn(c, std::string("connect: ") + std::strerror(errno));
    }
    // Edge-triggered: every event is read or written until the socket has
    // no more; EPOLLOUT says when the connect is done and when a full socket
    // takes writes again.
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.u32 = static_cast<std::uint32_t>(index);
    if (epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &ev) != 0) {
      fatal("epoll_ctl: %s", std::strerror(errno));
    }
  }

  // --rejoin: the viewers whose wait is over connect again; handshakes of
  // those that hang are given up (and tried again) as at the start.
  void serviceRejoins(double now) {
    while (!rejoin_queue_.empty() && rejoin_queue_.top().first <= now) {
      const std::uint32_t index = rejoin_queue_.top().second;
      rejoin_queue_.pop();
      Conn& c = conns_[index];
      if (stopping_ || c.state != State::kClosed) continue;
      c.in.clear();
      c.msg.clear();
      c.out.clear();
      c.fragmented = false;
      c.skim_left = 0;
      c.skim_ids.clear();
      c.skim_public = false;
      c.carry_size = 0;
      startConnection(index);
    }
    if (now >= next_rejoin_expiry_ms_) {
      expireHandshakes(now);
      next_rejoin_expiry_ms_ = now + 500;
    }
  }

  void scheduleRejoin(Conn& c, double now) {
    const double backoff = std::min(kRejoinMaxMs, kRejoinFirstMs * std::pow(2.0, c.attempts));
    ++c.attempts;
    ++c.shift;  // the next URL, as nginx would pass it to the next edge
    rng_ ^= rng_ << 13;
    rng_ ^= rng_ >> 7;
    rng_ ^= rng_ << 17;
    const double random = static_cast<double>(rng_ >> 11) / static_cast<double>(1ull << 53);
    rejoin_queue_.push({now + backoff / 2 + backoff / 2 * random, c.index});
  }

  void expireHandshakes(double now) {
    for (Conn& c : conns_) {
      if (c.state != State::kClosed && c.state != State::kIdle && c.state != State::kOpen &&
          now - c.started_ms > kHandshakeTimeoutMs) {
        closeConn(c, "no hello.ok in 10 s");
      }
    }
  }

  void onEvent(Conn& c, std::uint32_t events) {
    if (c.state == State::kClosed) return;  // closed earlier in this batch
    if (c.state == State::kConnecting) {
      if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
      int error = 0;
      socklen_t len = sizeof error;
      getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &len);
      if (error != 0) return closeConn(c, std::string("connect: ") + std::strerror(error));
      c.state = State::kUpgrading;
      c.out += endpointOf(c).upgrade_request;
    }
    if ((events & EPOLLOUT) && !c.out.empty()) flush(c);
    if (c.state != State::kClosed && (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) {
      readAll(c, (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0);
    }
    if (c.state == State::kClosed) release(c);
  }

  // A closed connection's buffers (not in closeConn(): a caller may be
  // reading them).
  static void release(Conn& c) {
    std::string().swap(c.in);
    std::string().swap(c.msg);
    std::string().swap(c.out);
  }

  // `ending`: the peer has closed or reset (this edge says so, and no later
  // one will): read until the end, never stopping at a short read.
  void readAll(Conn& c, bool ending) {
    for (;;) {
      const ssize_t n = recv(c.fd, scratch_.data(), scratch_.size(), 0);
      if (n > 0) {
        onBytes(c, scratch_.data(), static_cast<std::size_t>(n));
        if (c.state == State::kClosed) return;
        // A short read emptied the socket: more data means a new edge.
        if (!ending && static_cast<std::size_t>(n) < scratch_.size()) return;
      } else if (n == 0) {
        closeConn(c, "connection closed by the studio (no close frame)");
        return;
      } else if (errno == EINTR) {
        continue;
      } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
        return;
      } else {
        closeConn(c, std::string("recv: ") + std::strerror(errno));
        return;
      }
    }
  }

  void onBytes(Conn& c, const char* data, std::size_t n) {
    if (c.state == State::kUpgrading) {
      c.in.append(data, n);
      const std::size_t head_end = c.in.find("\r\n\r\n");
      if (head_end == std::string::npos) {
        if (c.in.size() > kMaxHttpHead) closeConn(c, "upgrade: response head too long");
        return;
      }
      const std::string_view status(c.in.data(), c.in.find("\r\n"));
      if (status.find(" 101") == std::string_view::npos) {
        return closeConn(c, "upgrade refused: " + std::string(status.substr(0, 80)));
      }
      const std::string rest = c.in.substr(head_end + 4);
      c.in.clear();
      c.state = State::kHello;
      sendHello(c);
      if (c.state == State::kClosed || rest.empty()) return;
      return onBytes(c, rest.data(), rest.size());
    }
    if (c.skim_left > 0) {
      const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(n, c.skim_left));
      skim(c, data, take);
      data += take;
      n -= take;
      if (n == 0) return;
    }
    if (c.in.empty()) {
      const std::size_t used = frames(c, data, n);
      if (c.state != State::kClosed && used < n) c.in.assign(data + used, n - used);
    } else {
      c.in.append(data, n);
      const std::size_t used = frames(c, c.in.data(), c.in.size());
      if (c.state == State::kClosed) return;
      c.in.erase(0, used);
      if (c.in.empty() && c.in.capacity() > 16 * 1024) std::string().swap(c.in);
    }
  }

  // Handles the complete frames at the start of data; returns how many bytes
  // they took.
  std::size_t frames(Conn& c, const char* data, std::size_t n) {
    std::size_t at = 0;
    while (c.state != State::kClosed && n - at >= 2) {
      const auto* p = reinterpret_cast<const unsigned char*>(data + at);
      const bool fin = (p[0] & 0x80) != 0;
      const int opcode = p[0] & 0x0F;
      if ((p[1] & 0x80) != 0) {
        closeConn(c, "protocol error: a masked frame from the server");
        break;
      }
      std::uint64_t length = p[1] & 0x7F;
      std::size_t head = 2;
      if (length == 126) {
        if (n - at < 4) break;
        length = (std::uint64_t{p[2]} << 8) | p[3];
        head = 4;
      } else if (length == 127) {
        if (n - at < 10) break;
        length = 0;
        for (int i = 0; i < 8; ++i) length = (length << 8) | p[2 + i];
        head = 10;
      }
      if (length > kMaxMessageBytes) {
        closeConn(c, "protocol error: a frame of " + std::to_string(length) + " bytes");
        break;
      }
      if (n - at - head < length) {
        // Incomplete. A large message to a viewer is skimmed from here on
        // (what it has is all it needs of it): no viewer has to keep
        // megabytes the studio has half sent.
        if (length >= kSkimBytes && opcode == 0x1 && fin && !c.fragmented && !c.producer &&
            c.state == State::kOpen) {
          c.skim_left = length;
          c.skim_size = length;
          c.skim_ids.clear();
          c.skim_public = false;
          c.carry_size = 0;
          skim(c, data + at + head, n - at - head);
          return n;
        }
        break;
      }
      const std::string_view payload(data + at + head, static_cast<std::size_t>(length));
      at += head + static_cast<std::size_t>(length);
      switch (opcode) {
        case 0x1:  // text
        case 0x2:  // binary
          if (c.fragmented) {
            closeConn(c, "protocol error: a new message inside a fragmented one");
          } else if (fin) {
            onMessage(c, payload);
          } else {
            c.msg.assign(payload);
            c.fragmented = true;
          }
          break;
        case 0x0:  // continuation
          if (!c.fragmented) {
            closeConn(c, "protocol error: a continuation frame outside a message");
            break;
          }
          c.msg.append(payload);
          if (c.msg.size() > kMaxMessageBytes) {
            closeConn(c, "protocol error: a message over 64 MB");
            break;
          }
          if (fin) {
            c.fragmented = false;
            onMessage(c, c.msg);
            if (c.state == State::kClosed) break;
            c.msg.clear();
            if (c.msg.capacity() > 64 * 1024) std::string().swap(c.msg);
          }
          break;
        case 0x8: {  // close: answer it, then drop the connection
          std::string why = "close frame from the studio";
          if (payload.size() >= 2) {
            const auto* b = reinterpret_cast<const unsigned char*>(payload.data());
            why += " " + std::to_string((b[0] << 8) | b[1]);
            if (payload.size() > 2) why += " " + std::string(payload.substr(2));
          }
          queueFrame(c, 0x8, payload.substr(0, std::min<std::size_t>(2, payload.size())));
          flush(c);
          closeConn(c, why);
          break;
        }
        case 0x9:  // ping
          queueFrame(c, 0xA, payload);
          flush(c);
          break;
        case 0xA:  // pong
          break;
        default:
          closeConn(c, "protocol error: opcode " + std::to_string(opcode));
          break;
      }
    }
    return at;
  }

  // --- messages ---

  void sendHello(Conn& c) {
    if (c.producer) {
      std::string token;
      for (char ch : o_.token) {
        if (ch == '"' || ch == '\\') token += '\\';
        token += ch;
      }
      queueFrame(c, 0x1,
                 "{\"type\":\"hello\",\"role\":\"producer\",\"token\":\"" + token +
                     "\",\"name\":\"bench\"}");
    } else {
      char text[256];
      int n = 0;
      if (c.rejoining && c.feed_seq > 0 && !epoch_.empty()) {
        n = std::snprintf(
            text, sizeof text,
            "{\"type\":\"hello\",\"role\":\"viewer\",\"viewer\":\"bench-viewer-%08u\","
            "\"since\":{\"epoch\":\"%s\",\"seq\":%llu}}",
            c.index, epoch_.c_str(), static_cast<unsigned long long>(c.feed_seq));
      } else {
        n = std::snprintf(
            text, sizeof text,
            "{\"type\":\"hello\",\"role\":\"viewer\",\"viewer\":\"bench-viewer-%08u\"}", c.index);
      }
      queueFrame(c, 0x1, std::string_view(text, static_cast<std::size_t>(n)));
    }
    flush(c);
  }

  void onMessage(Conn& c, std::string_view text) {
    if (c.producer) return onProducerMessage(c, text);
    if (c.state == State::kHello) {
      if (contains(text, "\"hello.ok\"")) {
        c.state = State::kOpen;
        onHelloOk(c, text);
      } else {
        closeConn(c, "hello refused: " + std::string(text.substr(0, 120)));
      }
      return;
    }
    ++viewer_messages_;
    viewer_bytes_ += text.size();
    if (isQuestionsPublic(text)) {
      ids_.clear();
      scanIds(text.data(), text.size(), 0, text.size(), &ids_);
      countReach(&ids_);
      if (const auto seq = tailSeq(text)) checkFeed(c, *seq);
    } else if (c.submitter >= 0 &&
               (contains(text, "\"question.received\"") || contains(text, "\"error\""))) {
      onSubmitReply(submitters_[static_cast<std::size_t>(c.submitter)], text);
    }
  }

  void onHelloOk(Conn& c, std::string_view text) {
    std::string epoch;
    std::uint64_t seq = 0;
    const bool has_feed = helloFeed(text, &epoch, &seq);
    if (has_feed && epoch_.empty()) epoch_ = epoch;
    if (has_feed && epoch != epoch_) note("viewer %u: the feed's epoch changed", c.index);
    const bool resumed = contains(text, "\"resumed\":true");
    if (!c.rejoining) {
      ++open_;
      --in_flight_;
      if (has_feed) c.feed_seq = seq;
      return;
    }
    // Back: missed messages follow a resumed hello.ok; a snapshot is
    // current up to its place (what it holds is not counted as reached).
    if (resumed) {
      ++resumed_;
    } else {
      ++snapshots_;
      if (has_feed) c.feed_seq = seq;
    }
    c.rejoining = false;
    c.attempts = 0;
    --down_;
    ++rejoined_;
    rejoin_ms_.push_back(nowMs() - first_down_ms_);
    if (c.submitter >= 0) resendPending(submitters_[static_cast<std::size_t>(c.submitter)]);
  }

  // A public message's place against the viewer's last: one that skips a
  // place is a message lost; one at or before it, a repeat (harmless after a
  // snapshot, which may overlap what follows it).
  void checkFeed(Conn& c, std::uint64_t seq) {
    if (c.feed_seq > 0 && seq > c.feed_seq + 1) feed_missed_ += seq - c.feed_seq - 1;
    if (seq <= c.feed_seq) {
      ++feed_repeated_;
      return;
    }
    c.feed_seq = seq;
  }

  // A questions.public message has reached one more viewer: each approved
  // question in it counts once.
  void countReach(std::vector<std::int64_t>* ids) {
    sortUnique(ids);
    const double now = nowMs();
    for (std::int64_t id : *ids) {
      const auto i = static_cast<std::size_t>(id);
      if (i >= approve_at_.size() || approve_at_[i] < 0) continue;
      ++reach_[i].count;
      reach_[i].last_ms = now;
    }
  }

  // The next piece (size bytes) of a large viewer message: its ids are
  // collected and only its last kCarryBytes kept. An "id":N split between
  // two pieces is found in the seam, the carry followed by the piece's start.
  // Whether it is a questions.public message is looked for the same way,
  // in each piece and in each seam (were the type's name to change, every
  // question would show as not reaching everyone, not go unnoticed).
  void skim(Conn& c, const char* data, std::size_t size) {
    static_assert(kPublicType.size() <= kCarryBytes);
    if (c.carry_size > 0) {
      char seam[2 * kCarryBytes];
      const std::size_t head = std::min(size, kCarryBytes);
      std::memcpy(seam, c.carry, c.carry_size);
      std::memcpy(seam + c.carry_size, data, head);
      // Only a pattern that starts in the carry: the piece's own are next.
      scanIds(seam, c.carry_size + head, 0, c.carry_size + 2, &c.skim_ids);
      c.skim_public = c.skim_public || isQuestionsPublic({seam, c.carry_size + head});
    }
    scanIds(data, size, 2, size, &c.skim_ids);
    c.skim_public = c.skim_public || isQuestionsPublic({data, size});
    if (size >= kCarryBytes) {
      std::memcpy(c.carry, data + size - kCarryBytes, kCarryBytes);
      c.carry_size = kCarryBytes;
    } else {
      const std::size_t keep = std::min<std::size_t>(c.carry_size, kCarryBytes - size);
      std::memmove(c.carry, c.carry + c.carry_size - keep, keep);
      std::memcpy(c.carry + keep, data, size);
      c.carry_size = static_cast<std::uint8_t>(keep + size);
    }
    // Only approved questions matter (and keep the list short).
    std::erase_if(c.skim_ids, [this](std::int64_t id) {
      const auto i = static_cast<std::size_t>(id);
      return i >= approve_at_.size() || approve_at_[i] < 0;
    });
    c.skim_left -= size;
    if (c.skim_left > 0) return;
    ++viewer_messages_;
    viewer_bytes_ += c.skim_size;
    if (c.skim_public) {
      countReach(&c.skim_ids);
      if (const auto seq = tailSeq({c.carry, c.carry_size})) checkFeed(c, *seq);
    }
    c.skim_ids.clear();
    c.skim_public = false;
  }

  // A submitter's question `id`, with the client id every retry of it keeps.
  void queueSubmit(Conn& c, const Submitter& s, std::size_t id) {
    char text[512];
    const int n = std::snprintf(
        text, sizeof text,
        "{\"type\":\"question.submit\",\"id\":%zu,\"text\":\"第%ld位网友的第%zu个问题："
        "老城区停车难、公交晚点，医保异地备案怎么办？\",\"nickname\":\"网友%ld\","
        "\"category\":\"question\",\"client_id\":\"bench-%06ld-%07zu\"}",
        id, s.index, id, s.index, s.index, id);
    queueFrame(c, 0x1, std::string_view(text, static_cast<std::size_t>(n)));
  }

  void submit(Submitter& s) {
    Conn& c = conns_[s.conn];
    if (c.state != State::kOpen && !o_.rejoin) {
      ++submit_skipped_;
      if (submit_skipped_ == 1)
        note("submitter %ld is closed: its questions are not sent", s.index);
      return;
    }
    const std::size_t id = s.sent_at.size() + 1;
    s.sent_at.push_back(nowMs());
    ++sent_;
    if (c.state != State::kOpen) return;  // sent when it is back (resendPending)
    queueSubmit(c, s, id);
    flush(c);
  }

  // --rejoin: a submitter back sends again what had no reply.
  void resendPending(Submitter& s) {
    Conn& c = conns_[s.conn];
    for (std::size_t i = 0; i < s.sent_at.size(); ++i) {
      if (s.sent_at[i] < 0) continue;
      queueSubmit(c, s, i + 1);
      ++resent_;
    }
    flush(c);
  }

  void onSubmitReply(Submitter& s, std::string_view text) {
    Fields f;
    if (!readFields(text, &f) || !f.has_id) return;
    if (f.id < 1 || static_cast<std::size_t>(f.id) > s.sent_at.size()) return;
    double& sent_at = s.sent_at[static_cast<std::size_t>(f.id - 1)];
    if (sent_at < 0) return;
    const double latency = nowMs() - sent_at;
    sent_at = -1;
    if (f.type == "question.received") {
      ++acknowledged_;
      latencies_.push_back(latency);
    } else {
      ++submit_errors_[std::string(f.code)];
    }
  }

  void onProducerMessage(Conn& c, std::string_view text) {
    Fields f;
    if (!readFields(text, &f)) {
      note("producer: a message that is not a JSON object: %.120s", std::string(text).c_str());
      return;
    }
    if (!producer_ready_) {
      if (f.type == "hello.ok") {
        producer_ready_ = true;
        c.state = State::kOpen;
      } else if (f.type == "error") {
        fatal("producer hello: %.*s (%.*s)", static_cast<int>(f.message.size()), f.message.data(),
              static_cast<int>(f.code.size()), f.code.data());
      }
      return;
    }
    if (f.type == "questions.changed" && f.action == "received") {
      const double now = nowMs();
      char command[128];
      for (std::int64_t id : f.question_ids) {
        if (id < 1 || id > (std::int64_t{1} << 30)) continue;
        const auto i = static_cast<std::size_t>(id);
        if (i >= approve_at_.size()) {
          approve_at_.resize(std::max(i + 1, approve_at_.size() * 2), -1);
          reach_.resize(approve_at_.size());
        }
        if (approve_at_[i] < 0) approved_ids_.push_back(id);
        approve_at_[i] = now;
        const int n = std::snprintf(command, sizeof command,
                                    "{\"type\":\"question.approve\",\"question\":%lld,\"id\":%lu}",
                                    static_cast<long long>(id), ++approve_requests_);
        queueFrame(c, 0x1, std::string_view(command, static_cast<std::size_t>(n)));
      }
      flush(c);  // one write for the whole batch
    } else if (f.type == "error") {
      ++producer_errors_;
      if (producer_errors_ <= 5) {
        note("producer error: %.*s: %.*s", static_cast<int>(f.code.size()), f.code.data(),
             static_cast<int>(f.message.size()), f.message.data());
      }
    }
  }

  // --- writing ---

  // Appends one masked client frame to c.out.
  void queueFrame(Conn& c, int opcode, std::string_view payload) {
    unsigned char head[14];
    std::size_t h = 0;
    head[h++] = static_cast<unsigned char>(0x80 | opcode);
    const std::uint64_t n = payload.size();
    if (n < 126) {
      head[h++] = static_cast<unsigned char>(0x80 | n);
    } else if (n < 65536) {
      head[h++] = 0x80 | 126;
      head[h++] = static_cast<unsigned char>(n >> 8);
      head[h++] = static_cast<unsigned char>(n);
    } else {
      head[h++] = 0x80 | 127;
      for (int i = 7; i >= 0; --i) head[h++] = static_cast<unsigned char>(n >> (8 * i));
    }
    // xorshift64: a fresh mask per frame.
    rng_ ^= rng_ << 13;
    rng_ ^= rng_ >> 7;
    rng_ ^= rng_ << 17;
    unsigned char mask[4];
    std::memcpy(mask, &rng_, 4);
    std::memcpy(head + h, mask, 4);
    h += 4;
    c.out.append(reinterpret_cast<const char*>(head), h);
    const std::size_t base = c.out.size();
    c.out.append(payload);
    for (std::size_t i = 0; i < payload.size(); ++i)
      c.out[base + i] ^= static_cast<char>(mask[i & 3]);
  }

  // Writes what c.out holds; the rest waits for EPOLLOUT. False if closed.
  bool flush(Conn& c) {
    if (c.state == State::kConnecting) return true;  // sent once connected
    std::size_t done = 0;
    while (done < c.out.size()) {
      const ssize_t n = send(c.fd, c.out.data() + done, c.out.size() - done, MSG_NOSIGNAL);
      if (n > 0) {
        done += static_cast<std::size_t>(n);
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        break;
      } else {
        closeConn(c, std::string("send: ") + std::strerror(errno));
        return false;
      }
    }
    c.out.erase(0, done);
    return true;
  }

  // Buffers are left alone here (a caller may be reading them): see release().
  void closeConn(Conn& c, const std::string& why) {
    if (c.state == State::kClosed || c.state == State::kIdle) return;
    const State was = c.state;
    if (c.fd >= 0) ::close(c.fd);
    c.fd = -1;
    c.state = State::kClosed;
    c.fragmented = false;
    if (c.producer) {
      producer_closed_ = true;
      if (!stopping_) note("the producer connection was closed: %s", why.c_str());
      return;
    }
    if (was == State::kOpen) {
      ++viewers_closed_;
      if (viewers_closed_ <= 5 || viewers_closed_ % 1000 == 0) {
        note("viewer %u closed (%zu so far): %s", c.index, viewers_closed_, why.c_str());
      }
      if (o_.rejoin && !stopping_) {
        const double now = nowMs();
        if (first_down_ms_ < 0) first_down_ms_ = now;
        ++down_;
        c.rejoining = true;
        c.attempts = 0;
        scheduleRejoin(c, now);
      }
    } else if (c.rejoining) {
      if (!stopping_) scheduleRejoin(c, nowMs());
    } else {
      --in_flight_;
      ++failures_[why];
    }
  }

  Options o_;
  std::vector<Endpoint> endpoints_;  // the viewers', in turn
  Endpoint producer_endpoint_;
  int epoll_ = -1;
  std::vector<char> scratch_;
  std::uint64_t rng_ = 0x9E3779B97F4A7C15ull;

  std::vector<Conn> conns_;  // viewers, then the producer
  std::vector<Submitter> submitters_;
  std::size_t in_flight_ = 0;  // viewers started and not yet open or failed
  std::size_t open_ = 0;       // viewers that had their hello.ok
  std::size_t viewers_closed_ = 0;
  std::map<std::string, long> failures_;
  bool producer_ready_ = false;
  bool producer_closed_ = false;
  bool stopping_ = false;

  // --rejoin: (when, viewer) to connect again; the viewers down now; when
  // the first was lost; how long after that each came back.
  std::priority_queue<std::pair<double, std::uint32_t>,
                      std::vector<std::pair<double, std::uint32_t>>, std::greater<>>
      rejoin_queue_;
  double next_rejoin_expiry_ms_ = 0;
  std::size_t down_ = 0;
  double first_down_ms_ = -1;
  std::vector<double> rejoin_ms_;
  std::size_t rejoined_ = 0;
  std::size_t resumed_ = 0;
  std::size_t snapshots_ = 0;
  unsigned long resent_ = 0;
  std::string epoch_;  // the public feed's, from the first hello.ok
  std::uint64_t feed_missed_ = 0;
  std::uint64_t feed_repeated_ = 0;

  // What reached the viewers.
  std::vector<double> approve_at_;  // question id → when its approve was sent (ms), < 0: not
  std::vector<Reach> reach_;        // question id → viewers reached
  std::vector<std::int64_t> approved_ids_;
  std::vector<std::int64_t> ids_;  // scratch for scanIds()
  unsigned long viewer_messages_ = 0;
  unsigned long viewer_bytes_ = 0;

  // Submissions and the producer.
  unsigned long sent_ = 0;
  unsigned long acknowledged_ = 0;
  unsigned long submit_skipped_ = 0;
  std::vector<double> latencies_;
  std::map<std::string, long> submit_errors_;
  unsigned long approve_requests_ = 0;
  unsigned long producer_errors_ = 0;
};

void raiseFileLimit(long viewers) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
    note("could not raise the open-file limit: %s", std::strerror(errno));
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < static_cast<rlim_t>(viewers) + 32) {
    note("the open-file limit (%lu) is below %ld viewers: some will not connect",
         static_cast<unsigned long>(limit.rlim_cur), viewers);
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options options = parseOptions(argc, argv);
  signal(SIGPIPE, SIG_IGN);
  raiseFileLimit(options.viewers);
  Load load(std::move(options));
  return load.run();
}
