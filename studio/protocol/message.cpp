#include "studio/protocol/message.h"

#include <exception>
#include <string>
#include <utility>

#include "studio/text/text.h"

namespace yst::protocol {
namespace {

using nlohmann::json;

// Thrown from the parser callback. Not a std::exception, so it cannot be
// mistaken for a syntax error on the way out.
struct TooDeep {};

ProtocolError badMessage(std::string message) {
  return {"bad_message", std::move(message)};
}

// The field, or nullptr when it is absent (or null, when null_is_absent).
const json* field(const json& message, const char* key, bool null_is_absent) {
  if (!message.is_object()) return nullptr;
  const auto it = message.find(key);
  if (it == message.end() || (null_is_absent && it->is_null())) return nullptr;
  return &*it;
}

enum class Newlines { kKeep = 1, kFold };
enum class Emptiness { kRefused = 1, kAllowed };

// Cleans a string field; the error names the field, never its content.
std::variant<std::string, ProtocolError> cleanField(const char* name, const std::string& raw,
                                                    std::size_t max_chars, Newlines newlines,
                                                    Emptiness emptiness) {
  text::CleanedText cleaned = text::cleanText(raw, max_chars, newlines == Newlines::kKeep);
  switch (cleaned.problem) {
    case text::TextProblem::kNone:
      break;
    case text::TextProblem::kInvalidUtf8:
      return badMessage(std::string(name) + ": invalid UTF-8");
    case text::TextProblem::kEmpty:
      if (emptiness == Emptiness::kAllowed) break;
      return ProtocolError{"empty", std::string(name) + " is empty"};
    case text::TextProblem::kTooLong:
      return ProtocolError{"too_long", std::string(name) + ": at most " +
                                           std::to_string(max_chars) + " characters; got " +
                                           std::to_string(cleaned.chars)};
  }
  return std::move(cleaned.text);
}

}  // namespace

std::variant<json, ProtocolError> parseMessage(std::string_view text, int max_depth) {
  // nlohmann checks UTF-8 only inside strings, and its error would not say so.
  if (!text::isValidUtf8(text)) return badMessage("invalid UTF-8");
  json message;
  try {
    // `depth` counts the containers around the event, so a container opening
    // at depth d is the (d+1)th level.
    message = json::parse(text.begin(), text.end(),
                          [max_depth](int depth, json::parse_event_t event, json&) {
                            const bool opens = event == json::parse_event_t::object_start ||
                                               event == json::parse_event_t::array_start;
                            if (opens && depth >= max_depth) throw TooDeep{};
                            return true;
                          });
  } catch (const TooDeep&) {
    return badMessage("nested too deeply");
  } catch (const std::exception&) {
    return badMessage("not valid JSON");
  }
  const json* type = field(message, "type", false);
  if (type == nullptr || !type->is_string()) {
    return badMessage("a message is a JSON object with a string \"type\"");
  }
  return message;
}

std::variant<Submission, ProtocolError> parseSubmission(const json& message,
                                                        const SubmissionLimits& limits) {
  Submission submission;

  const json* text = field(message, "text", false);
  if (text == nullptr || !text->is_string()) return badMessage("text must be a string");
  auto cleaned = cleanField("text", text->get_ref<const std::string&>(), limits.max_chars,
                            Newlines::kKeep, Emptiness::kRefused);
  if (auto* error = std::get_if<ProtocolError>(&cleaned)) return std::move(*error);
  submission.text = std::move(std::get<std::string>(cleaned));

  if (const json* nickname = field(message, "nickname", true)) {
    if (!nickname->is_string()) return badMessage("nickname must be a string");
    auto cleaned_nickname =
        cleanField("nickname", nickname->get_ref<const std::string&>(), limits.max_nickname_chars,
                   Newlines::kFold, Emptiness::kAllowed);
    if (auto* error = std::get_if<ProtocolError>(&cleaned_nickname)) return std::move(*error);
    submission.nickname = std::move(std::get<std::string>(cleaned_nickname));
  }

  if (const json* category = field(message, "category", true)) {
    if (category->is_string()) {
      submission.category = questions::parseCategory(category->get_ref<const std::string&>());
    } else {
      submission.category = questions::Category::kInvalid;
    }
    if (submission.category == questions::Category::kInvalid) {
      return badMessage("category must be one of question, suggestion, complaint");
    }
  }

  if (const json* client_id = field(message, "client_id", true)) {
    if (!client_id->is_string() || !isClientId(client_id->get_ref<const std::string&>())) {
      return badMessage("client_id must be 8 to 64 characters of A-Z, a-z, 0-9, _ and -");
    }
    submission.client_id = client_id->get<std::string>();
  }
  return submission;
}

bool isClientId(std::string_view id) {
  if (id.size() < kMinClientIdChars || id.size() > kMaxClientIdChars) return false;
  for (const char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::variant<std::string, ProtocolError> parseQuestionText(const json& message,
                                                           const SubmissionLimits& limits) {
  const json* text = field(message, "text", false);
  if (text == nullptr || !text->is_string()) {
    return ProtocolError{"invalid", "text must be a string"};
  }
  return cleanField("text", text->get_ref<const std::string&>(), limits.max_chars, Newlines::kKeep,
                    Emptiness::kRefused);
}

nlohmann::json errorMessage(std::string_view code, std::string_view message,
                            const nlohmann::json& request_id) {
  nlohmann::json error = {{"type", "error"}, {"code", code}, {"message", message}};
  if (!request_id.is_null()) error["id"] = request_id;
  return error;
}

std::string withRawField(const nlohmann::json& object, std::string_view key,
                         std::string_view raw_json) {
  std::string text = object.dump();
  text.pop_back();  // the object's closing brace
  text.reserve(text.size() + key.size() + raw_json.size() + 5);
  if (text.size() > 1) text += ',';
  text += '"';
  text += key;  // a fixed, plain name
  text += "\":";
  text += raw_json;
  text += '}';
  return text;
}

}  // namespace yst::protocol
