// libFuzzer target for the WebSocket message path: any bytes that a client
// can send go through parseMessage and, when they form a message, through
// both text validations, and valid UTF-8 is also tried directly as the text
// of a question. Besides crashes and sanitizer reports, an exception (they
// must all be caught inside) and a broken invariant are findings.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "studio/protocol/message.h"
#include "studio/text/text.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using nlohmann::json;
using yst::fuzz::require;
using yst::fuzz::requireClean;
namespace protocol = yst::protocol;

void requireGoodError(const protocol::ProtocolError& error) {
  require(error.code == "bad_message" || error.code == "empty" || error.code == "too_long" ||
              error.code == "invalid",
          "error code is one of the documented ones");
  require(!error.message.empty(), "an error says what is wrong");
  // English only, so it cannot echo what the user wrote in any other script,
  // and no control characters to break a log line.
  for (char c : error.message) require(c >= 0x20 && c < 0x7F, "error message is printable ASCII");
}

void checkSubmission(const json& message, const protocol::SubmissionLimits& limits) {
  const auto submission = protocol::parseSubmission(message, limits);
  if (const auto* error = std::get_if<protocol::ProtocolError>(&submission)) {
    requireGoodError(*error);
  } else {
    const auto& accepted = std::get<protocol::Submission>(submission);
    requireClean(accepted.text, limits.max_chars, true);
    require(!accepted.text.empty(), "an accepted question has text");
    requireClean(accepted.nickname, limits.max_nickname_chars, false);
    require(accepted.category != yst::questions::Category::kInvalid,
            "an accepted category is known");
    require(accepted.client_id.empty() || protocol::isClientId(accepted.client_id),
            "an accepted client id is 8 to 64 URL-safe characters");
  }

  const auto edit = protocol::parseQuestionText(message, limits);
  if (const auto* error = std::get_if<protocol::ProtocolError>(&edit)) {
    requireGoodError(*error);
  } else {
    const auto& text = std::get<std::string>(edit);
    requireClean(text, limits.max_chars, true);
    require(!text.empty(), "an accepted edit has text");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const protocol::SubmissionLimits limits;

  auto parsed = protocol::parseMessage(bytes);
  if (const auto* error = std::get_if<protocol::ProtocolError>(&parsed)) {
    require(error->code == "bad_message", "a refused frame is a bad_message");
    requireGoodError(*error);
  } else {
    const json& message = std::get<json>(parsed);
    require(message.is_object() && message.contains("type") && message.at("type").is_string(),
            "a message has a string type");
    // dump() throws on invalid UTF-8 in a string: nothing accepted may hold any.
    require(!message.dump().empty(), "an accepted message serialises");
    checkSubmission(message, limits);
  }

  if (yst::text::isValidUtf8(bytes)) {
    const std::string text(bytes);
    checkSubmission({{"type", "question.submit"}, {"text", text}}, limits);
    checkSubmission({{"type", "question.submit"}, {"text", "问题"}, {"nickname", text}}, limits);
    checkSubmission({{"type", "question.submit"}, {"text", "问题"}, {"client_id", text}}, limits);
  }
  return 0;
}
