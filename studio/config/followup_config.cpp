// Reading [followup] and the calendar file (see followup_config.h).
#include "studio/config/followup_config.h"

#include <filesystem>
#include <stdexcept>
#include <system_error>
#include <utility>
#include <vector>

#include "studio/base/in_quotes.h"
#include "studio/followup/followup.h"
#include "studio/text/text.h"

namespace yst::config {

using followup::Date;
using followup::WorkCalendar;

void readFollowup(const TomlReader& reader, const toml::table& root, FollowupConfig* followup) {
  const toml::table* table = reader.getTable(root, "", "followup");
  if (!table) return;
  const std::string path = "followup";
  reader.refuseUnknownKeys(*table, path, {"calendar", "reply_working_days", "departments"});
  int line = 0;
  if (auto calendar = reader.get<std::string>(*table, path, "calendar", &line)) {
    const std::filesystem::path file = reader.besideFile(*calendar);
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) {
      reader.fail(line, "followup.calendar", "no such file: " + inQuotes(file.string()));
    }
    followup->calendar = file.string();
  }
  followup->reply_working_days =
      reader.intInRange(*table, path, "reply_working_days", 1, followup::kMaxWorkingDays, 7);
  for (const auto& [name, name_line] : reader.getStringArray(*table, path, "departments")) {
    const text::CleanedText cleaned =
        text::cleanText(name, followup::kMaxDepartmentNameChars, false);
    if (cleaned.problem != text::TextProblem::kNone) {
      reader.fail(name_line, "followup.departments",
                  "a department's name is 1 to " +
                      std::to_string(followup::kMaxDepartmentNameChars) + " characters");
    }
    for (const std::string& earlier : followup->departments) {
      if (earlier == cleaned.text) {
        reader.fail(name_line, "followup.departments", inQuotes(cleaned.text) + " is listed twice");
      }
    }
    followup->departments.push_back(cleaned.text);
  }
}

namespace {

// A date given as "2026-10-01" or as the TOML date 2026-10-01.
Date readDate(const TomlReader& reader, const toml::node& node, const std::string& path) {
  if (const auto* date = node.as_date()) {
    const Date civil{std::chrono::year{date->get().year}, std::chrono::month{date->get().month},
                     std::chrono::day{date->get().day}};
    if (civil.ok()) return civil;
  } else if (const auto* text = node.as_string()) {
    if (auto parsed = followup::parseDate(text->get())) return *parsed;
    reader.fail(lineOf(node), path,
                "expected a date such as \"2026-10-01\"; got " + inQuotes(text->get()));
  }
  reader.fail(lineOf(node), path,
              std::string("expected a date such as \"2026-10-01\"; got ") +
                  std::string(typeName(node.type())));
}

const toml::node& required(const TomlReader& reader, const toml::table& table,
                           const std::string& path, std::string_view key, int line) {
  const toml::node* node = table.get(key);
  if (!node) reader.fail(line, joinPath(path, key), "missing");
  return *node;
}

}  // namespace

WorkCalendar parseWorkCalendar(std::string_view text, std::string_view source_name) {
  const TomlReader reader{std::string(source_name)};
  const toml::table root = reader.parse(text);
  reader.refuseUnknownKeys(root, "", {"utc_offset_hours", "year"});
  const int offset_hours = reader.intInRange(root, "", "utc_offset_hours", -12, 14, 8);
  std::vector<WorkCalendar::Year> years;
  if (const toml::array* list = reader.getTableArray(root, "", "year")) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      const toml::table& table = *(*list)[i].as_table();
      const std::string path = indexPath("year", i);
      const int table_line = lineOf((*list)[i]);
      reader.refuseUnknownKeys(table, path,
                               {"year", "source", "provisional", "holidays", "workdays"});
      WorkCalendar::Year year;
      int line = table_line;
      const auto number = reader.get<std::int64_t>(table, path, "year", &line);
      if (!number) reader.fail(table_line, joinPath(path, "year"), "missing");
      if (*number < 2000 || *number > 2100) {
        reader.fail(line, joinPath(path, "year"), "expected a year from 2000 to 2100");
      }
      year.year = static_cast<int>(*number);
      year.source = reader.get<std::string>(table, path, "source").value_or("");
      year.provisional = reader.get<bool>(table, path, "provisional").value_or(false);
      if (const toml::array* holidays = reader.getTableArray(table, path, "holidays")) {
        for (std::size_t h = 0; h < holidays->size(); ++h) {
          const toml::table& entry = *(*holidays)[h].as_table();
          const std::string hpath = indexPath(joinPath(path, "holidays"), h);
          const int hline = lineOf((*holidays)[h]);
          reader.refuseUnknownKeys(entry, hpath, {"name", "from", "to"});
          WorkCalendar::Holiday holiday;
          holiday.name = reader.get<std::string>(entry, hpath, "name").value_or("");
          if (holiday.name.empty()) reader.fail(hline, joinPath(hpath, "name"), "missing");
          holiday.first = readDate(reader, required(reader, entry, hpath, "from", hline),
                                   joinPath(hpath, "from"));
          holiday.last = entry.contains("to")
                             ? readDate(reader, *entry.get("to"), joinPath(hpath, "to"))
                             : holiday.first;
          year.holidays.push_back(std::move(holiday));
        }
      }
      if (const toml::node* workdays = table.get("workdays")) {
        const toml::array* list_of_days = workdays->as_array();
        if (!list_of_days) {
          reader.fail(lineOf(*workdays), joinPath(path, "workdays"), "expected a list of dates");
        }
        for (std::size_t w = 0; w < list_of_days->size(); ++w) {
          year.workdays.push_back(
              readDate(reader, (*list_of_days)[w], indexPath(joinPath(path, "workdays"), w)));
        }
      }
      years.push_back(std::move(year));
    }
  }
  try {
    return WorkCalendar(std::move(years), offset_hours * 60);
  } catch (const std::invalid_argument& e) {
    reader.fail(0, "year", e.what());
  }
}

WorkCalendar loadWorkCalendar(const std::string& path) {
  return parseWorkCalendar(readConfigFile(path, "calendar file"), path);
}

}  // namespace yst::config
