// Minimal leveled logging to stderr. Every line names what it concerns
// ("source host", "destination zjol") so that an operator reading a log of a
// show can tell which camera or partner site an event is about. Secrets are
// never passed here unmasked.
#pragma once

#include <concepts>
#include <functional>
#include <string>
#include <string_view>

namespace yst {

enum class LogLevel { kInvalid = 0, kDebug, kInfo, kWarn, kError };

// Now, UTC, to the millisecond: "2026-11-27T12:00:00.123Z" (log lines, and
// every time the store and the protocol carry).
std::string utcNowIso();

bool parseLogLevel(std::string_view name, LogLevel* level);
void setLogLevel(LogLevel level);
bool logEnabled(LogLevel level);
void log(LogLevel level, std::string_view scope, std::string_view message);

inline void logDebug(std::string_view scope, std::string_view m) {
  log(LogLevel::kDebug, scope, m);
}
inline void logInfo(std::string_view scope, std::string_view m) {
  log(LogLevel::kInfo, scope, m);
}
inline void logWarn(std::string_view scope, std::string_view m) {
  log(LogLevel::kWarn, scope, m);
}
inline void logError(std::string_view scope, std::string_view m) {
  log(LogLevel::kError, scope, m);
}

// The message made only when its level is on, for lines that cost something
// to build and are off in a show (debug: every GStreamer warning, every heap
// trim): logDebug("memory", [&] { return "gave " + std::to_string(n); }).
template <std::invocable Make>
void log(LogLevel level, std::string_view scope, Make&& make) {
  if (logEnabled(level)) log(level, scope, std::string_view(std::invoke(make)));
}
template <std::invocable Make>
void logDebug(std::string_view scope, Make&& make) {
  log(LogLevel::kDebug, scope, std::forward<Make>(make));
}

}  // namespace yst
