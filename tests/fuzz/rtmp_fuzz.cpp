// libFuzzer target for what an RTMP server sends the publisher: the bytes go
// through the ChunkReader in reads of a size the input chooses, as the
// socket would hand them over, and every message it reassembles goes where
// the publisher takes it: commands and data through the AMF0 decoder, their
// strings through cleanServerText, their numbers through wholeU32. The whole
// input is decoded as one AMF0 payload, too. Only rtmp::Error may be thrown
// (an escaping exception is a crash); what each part promises in amf0.h,
// rtmp_chunks.h and rtmp_publisher.h (cleanServerText) is checked.
//
// Input layout: byte 0 chooses the read size (1 to 255 bytes; 0: all at
// once), the rest is the server's side of the connection after the handshake.
#include <glib.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "streaming/amf0.h"
#include "streaming/rtmp_chunks.h"
#include "streaming/rtmp_publisher.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

namespace rtmp = yst::streaming::rtmp;
using yst::fuzz::require;

constexpr std::size_t kMaxChars = 40;  // small, so that cutting is exercised
const std::vector<std::string> kSecrets = {"live_secret", "k"};

void checkText(const std::string& raw) {
  const std::string text = rtmp::cleanServerText(raw, kMaxChars, kSecrets);
  require(g_utf8_validate(text.data(), static_cast<gssize>(text.size()), nullptr),
          "clean text is valid UTF-8");
  require(
      g_utf8_strlen(text.data(), static_cast<gssize>(text.size())) <= static_cast<glong>(kMaxChars),
      "clean text is within the limit");
  for (const char* p = text.data(); p < text.data() + text.size(); p = g_utf8_next_char(p)) {
    const gunichar c = g_utf8_get_char(p);
    require(c >= 0x20 && !(c >= 0x7F && c <= 0x9F), "no C0, DEL or C1 control");
    require(g_unichar_type(c) != G_UNICODE_FORMAT, "no format character (bidi, zero-width)");
    require(c == ' ' || !g_unichar_isspace(c), "spaces are ASCII spaces");
  }
  if (!text.empty()) require(text.front() != ' ' && text.back() != ' ', "trimmed");
  require(text.find("  ") == std::string::npos, "whitespace runs collapsed");
  require(text.find("live_secret") == std::string::npos, "no secret");
  require(rtmp::cleanServerText(text, kMaxChars, kSecrets) == text, "cleaning is idempotent");
}

// Walks a decoded value as the publisher would read it; returns how many
// values it holds.
std::size_t check(const rtmp::AmfValue& v) {
  std::size_t count = 1;
  switch (v.type) {
    case rtmp::AmfValue::Type::kNumber:
      if (const auto id = rtmp::wholeU32(v.number)) {
        require(static_cast<double>(*id) == v.number, "a stream id is the number it came from");
      }
      break;
    case rtmp::AmfValue::Type::kString:
      checkText(v.string);
      break;
    case rtmp::AmfValue::Type::kObject:
      for (const auto& [name, value] : v.properties) {
        checkText(name);
        count += check(value);
      }
      checkText(v.text("description"));
      break;
    case rtmp::AmfValue::Type::kArray:
      for (const rtmp::AmfValue& element : v.elements) count += check(element);
      break;
    case rtmp::AmfValue::Type::kBoolean:
    case rtmp::AmfValue::Type::kNull:
    case rtmp::AmfValue::Type::kUndefined:
      break;
    case rtmp::AmfValue::Type::kInvalid:
      require(false, "a decoded value has a type");
  }
  return count;
}

void decode(std::string_view payload) {
  try {
    std::size_t count = 0;
    for (const rtmp::AmfValue& v : rtmp::decodeAmf0(payload)) count += check(v);
    require(count <= rtmp::kMaxAmfValues, "at most kMaxAmfValues values");
  } catch (const rtmp::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t step = data[0] == 0 ? size : data[0];
  const std::string_view wire(reinterpret_cast<const char*>(data) + 1, size - 1);

  rtmp::ChunkReader reader;
  try {
    for (std::size_t at = 0; at < wire.size(); at += step) {
      const std::string_view read = wire.substr(at, step);
      reader.append(read.data(), read.size());
      rtmp::Message m;
      while (reader.next(m)) {
        require(m.payload.size() <= rtmp::ChunkReader::kMaxMessage, "a message is at most 1 MiB");
        if (m.type == rtmp::kCommandAmf0 || m.type == rtmp::kDataAmf0) decode(m.payload);
      }
    }
  } catch (const rtmp::Error& e) {
    require(*e.what() != '\0', "an error says what is wrong");
  }
  decode(wire);
  return 0;
}
