// WebSocket messages (assets/protocol.md): the first checks on every text frame
// and the validation of what viewers and producers write into questions. The
// server hands frames over as they arrive; parseMessage decides whether one is
// a message at all, and the controller dispatches on its "type" and calls
// parseSubmission or parseQuestionText for the requests that carry text.
// Nothing here throws on input, so one bad client cannot take down the
// message loop: every refusal is a ProtocolError with the code and message
// that the error reply carries. Messages are short, in English, and never
// echo what the user wrote (a reply must not become a way to bounce text to
// a page).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "studio/questions/question.h"

namespace yst::protocol {

struct ProtocolError {
  std::string code;  // bad_message | empty | too_long | invalid
  std::string message;
};

// One text frame: valid UTF-8 (else bad_message "invalid UTF-8"), JSON nested
// at most max_depth arrays and objects deep (the depth is checked while
// parsing, so a deep document is refused before it is built; "nested too
// deeply"), an object with a string "type" (else bad_message). max_depth must
// be at least 1.
std::variant<nlohmann::json, ProtocolError> parseMessage(std::string_view text, int max_depth = 8);

// {"type":"error","code":…,"message":…}, with the request's "id" when it had
// one (null: none): the one shape every refusal on /ws takes.
nlohmann::json errorMessage(std::string_view code, std::string_view message,
                            const nlohmann::json& request_id = nullptr);

// `object` serialised with one more field whose value is already JSON text:
// a large part that many messages share (the public question list, the
// transcript) is serialised once and spliced in, not dumped per message.
std::string withRawField(const nlohmann::json& object, std::string_view key,
                         std::string_view raw_json);

struct SubmissionLimits {
  std::size_t max_chars = 300;  // of a question, in code points after cleaning
  std::size_t max_nickname_chars = 20;
};

struct Submission {
  std::string text;      // cleaned (text.h): no control characters but '\n'
  std::string nickname;  // cleaned, on one line; "" means anonymous (pages show 网友)
  questions::Category category = questions::Category::kQuestion;
  std::string client_id;  // the page's id for this submission; "" from older pages
};

// A submission's client id: 8 to 64 of [A-Za-z0-9_-] (the page makes it, one
// per question, and sends it again with every retry).
inline constexpr std::size_t kMinClientIdChars = 8;
inline constexpr std::size_t kMaxClientIdChars = 64;
bool isClientId(std::string_view id);

// A question.submit message (the caller has checked the type). "text": a
// string (missing or another type: bad_message), cleaned with newlines kept;
// nothing left is "empty", over max_chars is "too_long" with the limit and the
// count ("text: at most 300 characters; got 301"). "nickname": optional string,
// cleaned onto one line, over max_nickname_chars is "too_long", empty means
// anonymous. "category": optional string, unknown is bad_message.
// "client_id": optional, isClientId() or bad_message. A null nickname,
// category or client_id counts as absent, as browsers' JSON.stringify of an
// unset field gives.
std::variant<Submission, ProtocolError> parseSubmission(const nlohmann::json& message,
                                                        const SubmissionLimits& limits);

// A producer's edit of a question ("text" of question.edit): the same
// cleaning and limits as a submission's text, except that a missing or
// non-string "text" is "invalid", the code of every producer command's bad
// field.
std::variant<std::string, ProtocolError> parseQuestionText(const nlohmann::json& message,
                                                           const SubmissionLimits& limits);

}  // namespace yst::protocol
