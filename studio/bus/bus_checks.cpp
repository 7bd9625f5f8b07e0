// What the Bus checks before nats.c sees it (subjects, queue groups, stream
// and consumer names, message ids, server URLs), and nats.c's words for a
// failed call.
#include <charconv>
#include <string>
#include <string_view>
#include <vector>

#include "studio/base/in_quotes.h"
#include "studio/bus/bus_internal.h"

namespace yst::bus::internal {

// ---------------------------------------------------------------- checks

bool isSpaceOrControl(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u <= 0x20 || u == 0x7f;
}

// "" when `subject` is one NATS accepts for this use, otherwise why not.
std::string subjectProblem(std::string_view subject, SubjectUse use) {
  if (subject.empty()) return "the subject is empty";
  if (subject.size() > kMaxSubjectBytes) return "the subject is longer than 1024 bytes";
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = subject.find('.', start);
    const std::string_view token =
        subject.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    const bool last = dot == std::string_view::npos;
    if (token.empty()) return "the subject " + inQuotes(subject) + " has an empty token";
    for (char c : token) {
      if (isSpaceOrControl(c)) {
        return "the subject " + inQuotes(subject) + " contains a space or a control character";
      }
    }
    const bool wildcard = token.find_first_of("*>") != std::string_view::npos;
    if (wildcard) {
      if (use == SubjectUse::kPublish) {
        return "the subject " + inQuotes(subject) +
               " has a wildcard (* or >): one cannot send to it";
      }
      if (token.size() != 1) {
        return "in the subject " + inQuotes(subject) + ", a wildcard must be a whole token";
      }
      if (token == ">" && !last) {
        return "in the subject " + inQuotes(subject) + ", > must be the last token";
      }
    }
    if (last) break;
    start = dot + 1;
  }
  return "";
}

// Queue groups, stream and consumer names: one token, no wildcards.
std::string nameProblem(std::string_view what, std::string_view name) {
  if (name.empty()) return std::string(what) + " is empty";
  if (name.size() > kMaxNameBytes) return std::string(what) + " is longer than 256 bytes";
  for (char c : name) {
    if (isSpaceOrControl(c) || c == '.' || c == '*' || c == '>') {
      return std::string(what) + " " + inQuotes(name) +
             " contains a space, a control character, a dot or a wildcard";
    }
  }
  return "";
}

// Nats-Msg-Id travels as a header value: a CR or LF in it would end the
// header block early and the server would drop the connection.
std::string msgIdProblem(std::string_view id) {
  if (id.empty()) return "the message id is empty (it is what deduplicates a retry)";
  if (id.size() > kMaxNameBytes) return "the message id is longer than 256 bytes";
  for (char c : id) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return "the message id contains a control character";
  }
  if (id.front() == ' ' || id.back() == ' ') {
    return "the message id starts or ends with a space (header values are trimmed)";
  }
  return "";
}

// What nats-server's URL parsing in nats.c would refuse, found before any
// connection is tried: nats://, tls:// or no scheme, a host, a numeric port.
std::vector<std::string> splitUrls(const std::string& urls) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= urls.size()) {
    std::size_t comma = urls.find(',', start);
    if (comma == std::string::npos) comma = urls.size();
    std::string one = urls.substr(start, comma - start);
    const std::size_t first = one.find_first_not_of(" \t");
    const std::size_t last = one.find_last_not_of(" \t");
    one = first == std::string::npos ? "" : one.substr(first, last - first + 1);
    out.push_back(one);
    start = comma + 1;
  }
  return out;
}

// "" or why `url` is not a NATS server URL. Never quotes the URL itself: it
// may hold a user and password.
std::string urlProblem(const std::string& url) {
  if (url.empty()) return "a server URL is empty";
  std::string_view rest = url;
  const std::size_t scheme_end = rest.find("://");
  if (scheme_end != std::string_view::npos) {
    const std::string_view scheme = rest.substr(0, scheme_end);
    if (scheme != "nats" && scheme != "tls") {
      return "a server URL has the scheme " + inQuotes(scheme) + " (nats:// or tls:// only)";
    }
    rest.remove_prefix(scheme_end + 3);
  }
  const std::size_t at = rest.rfind('@');
  if (at != std::string_view::npos) rest.remove_prefix(at + 1);
  const std::size_t slash = rest.find('/');
  if (slash != std::string_view::npos) rest = rest.substr(0, slash);
  std::string_view host = rest;
  std::string_view port;
  if (!rest.empty() && rest.front() == '[') {  // [::1]:4222
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos) return "a server URL has an unclosed [";
    host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') return "a server URL has something after ]";
      port = rest.substr(close + 2);
    }
  } else if (const std::size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  if (host.empty()) return "a server URL has no host";
  for (char c : host) {
    if (isSpaceOrControl(c)) return "a server URL's host contains a space or a control character";
  }
  if (rest.find(':') != std::string_view::npos || !port.empty()) {
    int value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value < 1 ||
        value > 65535) {
      return "a server URL has a port that is not a number from 1 to 65535";
    }
  }
  return "";
}

// ---------------------------------------------------------------- errors

// nats.c's words for a failed call on this thread: the status's text, and the
// detail nats.c (or the server) gave with it when that detail is about the
// same status.
std::string natsText(natsStatus s) {
  std::string text = natsStatus_GetText(s);
  natsStatus last_status = NATS_OK;
  const char* last = nats_GetLastError(&last_status);
  if (last == nullptr || *last == '\0' || last_status != s) return text;
  std::string_view detail = last;
  // nats.c puts where it noticed first: "(pub.c:130): Payload 2097152 ...".
  if (detail.front() == '(') {
    if (const std::size_t end = detail.find("): "); end != std::string_view::npos) {
      detail.remove_prefix(end + 3);
    }
  }
  if (detail.empty() || detail == text) return text;
  // NATS_ERR's text is just "Error"; the server's words say it all.
  if (s == NATS_ERR) return std::string(detail);
  return text + ": " + std::string(detail);
}

}  // namespace yst::bus::internal
