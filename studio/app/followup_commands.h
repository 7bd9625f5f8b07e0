// The command line's side of 问政跟踪: departments and their sign-in links
// (`yishiting departments add|list|remove|link`), and the follow-up clock a
// show may be started with (`--now`, for a rehearsal of next week and for
// tests of due dates).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace yst::app {

struct DepartmentsArgs {
  std::string action;  // add | list | remove | link
  std::string data_dir;
  std::string name;       // add
  std::int64_t id = 0;    // remove, link
  std::string url;        // the public URL the link starts with
  std::string show_path;  // or the show file that names it
  bool all = false;       // list: with removed ones
};
// Prints what it did (the link only once, when it is made); 0, 1 (failed)
// or 2 (bad arguments).
int departmentsCommand(const DepartmentsArgs& args);

// "2026-12-20" (09:00 in China) or "2026-12-20T10:00:00+08:00" / "…Z" → ms
// since the Unix epoch; nothing when it is neither.
std::optional<std::int64_t> parseNow(const std::string& text);

}  // namespace yst::app
