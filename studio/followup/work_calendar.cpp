#include "studio/followup/work_calendar.h"

#include <cstdio>
#include <stdexcept>

namespace yst::followup {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::weekday;

namespace {

bool isWeekend(sys_days day) {
  const weekday w{day};
  return w == std::chrono::Saturday || w == std::chrono::Sunday;
}

bool allDigits(std::string_view text) {
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return !text.empty();
}

int toInt(std::string_view digits) {
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

}  // namespace

std::optional<Date> parseDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const std::string_view y = text.substr(0, 4), m = text.substr(5, 2), d = text.substr(8, 2);
  if (!allDigits(y) || !allDigits(m) || !allDigits(d)) return std::nullopt;
  const Date date{std::chrono::year{toInt(y)}, std::chrono::month{static_cast<unsigned>(toInt(m))},
                  std::chrono::day{static_cast<unsigned>(toInt(d))}};
  if (!date.ok()) return std::nullopt;
  return date;
}

std::string formatDate(Date date) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return text;
}

int daysBetween(Date from, Date to) {
  return static_cast<int>((sys_days{to} - sys_days{from}).count());
}

WorkCalendar::WorkCalendar(std::vector<Year> years, int utc_offset_minutes)
    : utc_offset_minutes_(utc_offset_minutes) {
  for (Year& year : years) {
    const int number = year.year;
    if (years_.contains(number)) {
      throw std::invalid_argument("the year " + std::to_string(number) + " is given twice");
    }
    for (const Holiday& h : year.holidays) {
      if (static_cast<int>(h.first.year()) != number || static_cast<int>(h.last.year()) != number) {
        // 元旦 may run into the year before (Dec 31 to Jan 2); such a day is
        // written in the year it falls in.
        throw std::invalid_argument(
            h.name + " (" + formatDate(h.first) + " to " + formatDate(h.last) + ") is not all in " +
            std::to_string(number) + "; write each day in the year it falls in");
      }
      if (sys_days{h.last} < sys_days{h.first}) {
        throw std::invalid_argument(h.name + " ends (" + formatDate(h.last) +
                                    ") before it starts (" + formatDate(h.first) + ")");
      }
      for (sys_days d{h.first}; d <= sys_days{h.last}; d += days{1}) off_.insert(d);
    }
    for (const Date& w : year.workdays) {
      if (static_cast<int>(w.year()) != number) {
        throw std::invalid_argument("the working day " + formatDate(w) + " is not in " +
                                    std::to_string(number));
      }
      if (!isWeekend(sys_days{w})) {
        throw std::invalid_argument("the make-up working day " + formatDate(w) +
                                    " is a weekday already");
      }
      on_.insert(sys_days{w});
    }
    years_.emplace(number, std::move(year));
  }
  for (sys_days d : on_) {
    if (off_.contains(d)) {
      throw std::invalid_argument(formatDate(Date{d}) + " is both a holiday and a working day");
    }
  }
}

bool WorkCalendar::isWorkingDay(Date date) const {
  const sys_days day{date};
  if (on_.contains(day)) return true;
  if (off_.contains(day)) return false;
  return !isWeekend(day);
}

Date WorkCalendar::addWorkingDays(Date from, int n) const {
  sys_days day{from};
  for (int counted = 0; counted < n;) {
    day += days{1};
    if (isWorkingDay(Date{day})) ++counted;
  }
  return Date{day};
}

int WorkCalendar::workingDaysAfter(Date from, Date to) const {
  int count = 0;
  for (sys_days day = sys_days{from} + days{1}; day <= sys_days{to}; day += days{1}) {
    if (isWorkingDay(Date{day})) ++count;
  }
  return count;
}

const WorkCalendar::Holiday* WorkCalendar::holidayOf(Date date) const {
  auto it = years_.find(static_cast<int>(date.year()));
  if (it == years_.end()) return nullptr;
  for (const Holiday& h : it->second.holidays) {
    if (sys_days{h.first} <= sys_days{date} && sys_days{date} <= sys_days{h.last}) return &h;
  }
  return nullptr;
}

bool WorkCalendar::covers(Date date) const {
  return years_.contains(static_cast<int>(date.year()));
}

bool WorkCalendar::provisional(Date date) const {
  auto it = years_.find(static_cast<int>(date.year()));
  return it != years_.end() && it->second.provisional;
}

std::vector<int> WorkCalendar::years() const {
  std::vector<int> out;
  for (const auto& [year, unused] : years_) out.push_back(year);
  return out;
}

Date WorkCalendar::dateAt(std::int64_t utc_ms) const {
  const std::int64_t local_ms = utc_ms + std::int64_t{utc_offset_minutes_} * 60 * 1000;
  // Floor division: an instant before 1970 still lands on its own day.
  std::int64_t day = local_ms / 86400000;
  if (local_ms % 86400000 < 0) --day;
  return Date{sys_days{days{day}}};
}

}  // namespace yst::followup
