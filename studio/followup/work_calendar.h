// Working days as a department counts them: Monday to Friday, except the
// public holidays, plus the make-up working days (调休) that the State
// Council's yearly arrangement moves onto a weekend. A forwarded question must
// be answered within N working days (7 by default), and "N working days from
// the day it was forwarded" means: the first working day after that day is
// day 1, the due date is day N, and the item is overdue from the day after.
//
// The arrangement is data, not code: config/calendar_file.h reads it from a
// file the newsroom can edit (assets/calendar/cn.toml ships the current and
// the next year). A year the file does not list is counted as plain
// Monday-to-Friday, and a year marked provisional (its statutory holidays
// known, its 调休 not yet published) is counted as written; callers say so
// to the producer (covers(), provisional()).
//
// Dates are civil dates in the calendar's time zone (China: UTC+8, no summer
// time), never instants.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace yst::followup {

using Date = std::chrono::year_month_day;

// "2026-10-08" → that date; nothing for anything else (a valid date written
// with four, two and two digits).
std::optional<Date> parseDate(std::string_view text);
std::string formatDate(Date date);
// Calendar days from `from` to `to` (negative when `to` is earlier).
int daysBetween(Date from, Date to);

class WorkCalendar {
 public:
  struct Holiday {
    std::string name;  // 国庆节
    Date first;
    Date last;  // inclusive
  };
  struct Year {
    int year = 0;
    std::string source;  // where the arrangement comes from (the notice's title)
    bool provisional = false;
    std::vector<Holiday> holidays;
    std::vector<Date> workdays;  // weekend days worked (调休)
  };

  WorkCalendar() = default;
  // Throws std::invalid_argument when a year is given twice, a holiday ends
  // before it starts or lies outside its year, or a make-up working day is
  // not a weekend day or falls in a holiday.
  WorkCalendar(std::vector<Year> years, int utc_offset_minutes);

  bool isWorkingDay(Date date) const;
  // Day `n` (n ≥ 1) counting the working days after `from`; `from` itself
  // never counts, working day or not. n ≤ 0 gives `from`.
  Date addWorkingDays(Date from, int n) const;
  // Working days in (from, to]; 0 when `to` is not after `from`.
  int workingDaysAfter(Date from, Date to) const;
  // The holiday `date` falls in, if any (for messages: "国庆节").
  const Holiday* holidayOf(Date date) const;

  // Whether the file lists the year of `date` at all.
  bool covers(Date date) const;
  bool provisional(Date date) const;
  std::vector<int> years() const;
  const std::map<int, Year>& arrangement() const { return years_; }

  int utcOffsetMinutes() const { return utc_offset_minutes_; }
  // The civil date at an instant (ms since the Unix epoch, UTC).
  Date dateAt(std::int64_t utc_ms) const;

 private:
  std::map<int, Year> years_;
  std::set<std::chrono::sys_days> off_;  // holidays' days
  std::set<std::chrono::sys_days> on_;   // make-up working days
  int utc_offset_minutes_ = 8 * 60;
};

}  // namespace yst::followup
