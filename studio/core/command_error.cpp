#include "studio/core/command_error.h"

#include "studio/text/text.h"

namespace yst::core {

using nlohmann::json;

const json* FieldReader::find(const char* key, json::value_t type, bool required) {
  auto it = message_.find(key);
  if (it == message_.end() || it->is_null()) {
    if (required) error_ = CommandError{"invalid", std::string("missing field \"") + key + "\""};
    return nullptr;
  }
  const bool ok = type == json::value_t::number_float     ? it->is_number()
                  : type == json::value_t::number_integer ? it->is_number_integer()
                                                          : it->type() == type;
  if (!ok) {
    error_ = CommandError{"invalid", std::string("field \"") + key + "\" has the wrong type"};
    return nullptr;
  }
  return &*it;
}

std::optional<bool> FieldReader::flag(const char* key) {
  auto it = message_.find(key);
  if (it == message_.end() || it->is_null()) return std::nullopt;
  if (!it->is_boolean()) {
    error_ = CommandError{"invalid", std::string("field \"") + key + "\" is true or false"};
    return std::nullopt;
  }
  return it->get<bool>();
}

std::optional<std::string> FieldReader::line(const char* key, std::size_t max_chars,
                                             bool allow_empty, bool keep_newlines) {
  auto it = message_.find(key);
  if (it == message_.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) {
    error_ = CommandError{"invalid", std::string("field \"") + key + "\" has the wrong type"};
    return std::nullopt;
  }
  const text::CleanedText cleaned =
      text::cleanText(it->get<std::string>(), max_chars, keep_newlines);
  switch (cleaned.problem) {
    case text::TextProblem::kNone:
      return cleaned.text;
    case text::TextProblem::kEmpty:
      if (allow_empty) return std::string();
      error_ = CommandError{"empty", std::string(key) + " is empty"};
      return std::nullopt;
    case text::TextProblem::kTooLong:
      error_ = CommandError{"too_long", std::string(key) + " is longer than " +
                                            std::to_string(max_chars) + " characters"};
      return std::nullopt;
    case text::TextProblem::kInvalidUtf8:
      break;
  }
  error_ = CommandError{"bad_message", std::string(key) + " is not valid UTF-8"};
  return std::nullopt;
}

}  // namespace yst::core
