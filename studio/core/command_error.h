// A command's outcome, and reading a command's fields.
//
// Error style of the command layer (the desks' handlers): a handler returns a
// CommandOutcome — the reply's fields, Handled, or a CommandError for the
// client — and never throws for bad input. Fields are read through a
// FieldReader, which keeps the error of a missing or mistyped field.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace yst::core {

struct CommandError {
  std::string code;  // forbidden, bad_message, unknown_type, not_found, invalid, busy, key_required
  std::string message;
};

// The handler has replied itself, or will once its rows have committed.
struct Handled {};

// What a command came to. No default: a handler says which it is (a bare
// `return {};` does not compile, so an error cannot turn into a reply).
class CommandOutcome {
 public:
  // The fields of {"type":"reply","ok":true,"command":…} (an object, or
  // null for none).
  CommandOutcome(nlohmann::json fields) : outcome_(std::move(fields)) {}
  CommandOutcome(Handled handled) : outcome_(handled) {}
  CommandOutcome(CommandError error) : outcome_(std::move(error)) {}

  const CommandError* error() const { return std::get_if<CommandError>(&outcome_); }
  const nlohmann::json* fields() const { return std::get_if<nlohmann::json>(&outcome_); }
  bool handled() const { return std::holds_alternative<Handled>(outcome_); }

 private:
  std::variant<nlohmann::json, Handled, CommandError> outcome_;
};

// Reads a command's optional and required fields. A missing required field
// or one of the wrong type is an `invalid` error; when several are wrong, the
// last one read is the one reported.
class FieldReader {
 public:
  explicit FieldReader(const nlohmann::json& message) : message_(message) {}

  // The field, or null when it is absent or null (an error when required).
  // number_float accepts any number; number_integer only an integer.
  const nlohmann::json* optional(const char* key, nlohmann::json::value_t type) {
    return find(key, type, false);
  }
  const nlohmann::json* required(const char* key, nlohmann::json::value_t type) {
    return find(key, type, true);
  }
  // A true/false field ("visible"): its own message when it is not one.
  std::optional<bool> flag(const char* key);
  // A line of text for the screen, cleaned (text::cleanText): `empty`,
  // `too_long` or `bad_message` when it cannot be shown. With keep_newlines,
  // text written at length (a reply): its paragraphs are kept.
  std::optional<std::string> line(const char* key, std::size_t max_chars, bool allow_empty,
                                  bool keep_newlines = false);

  bool failed() const { return error_.has_value(); }
  // The error to return; only when failed().
  const CommandError& error() const { return *error_; }

 private:
  const nlohmann::json* find(const char* key, nlohmann::json::value_t type, bool required);
  const nlohmann::json& message_;
  std::optional<CommandError> error_;
};

}  // namespace yst::core
