// Showing a value someone typed (a URL, an id, a file name) inside a message
// about it: the show file's checks and the URL parser word their problems
// with it, so that both quote alike.
#pragma once

#include <string>
#include <string_view>

namespace yst {

// The value in double quotes, escaped so that a stray quote or newline cannot
// garble the message, and cut after 60 bytes (at a character boundary, with
// "…") so that a pasted paragraph does not flood the terminal. Never used on
// keys or tokens.
std::string inQuotes(std::string_view s);

}  // namespace yst
