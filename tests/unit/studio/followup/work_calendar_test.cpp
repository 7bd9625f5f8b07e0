// Working days on the shipped calendar (assets/calendar/cn.toml): the
// National Day and Spring Festival weeks of 2026 with their make-up
// Saturdays and Sundays, forwarding on a holiday, a provisional year and a
// year the file does not list; and the calendar file's errors.
#include "studio/followup/work_calendar.h"

#include <gtest/gtest.h>

#include <string>

#include "studio/config/config_error.h"
#include "studio/config/followup_config.h"
#include "studio/followup/followup.h"

namespace yst::followup {
namespace {

Date d(const char* text) {
  auto date = parseDate(text);
  EXPECT_TRUE(date.has_value()) << text;
  return date.value_or(Date{});
}

const WorkCalendar& shipped() {
  static const WorkCalendar calendar =
      config::loadWorkCalendar(YST_SOURCE_DIR "/assets/calendar/cn.toml");
  return calendar;
}

TEST(WorkCalendar, DatesParseOnlyWhenRealAndWrittenInFull) {
  EXPECT_EQ(formatDate(d("2026-10-08")), "2026-10-08");
  EXPECT_FALSE(parseDate("2026-02-29").has_value());  // not a leap year
  EXPECT_FALSE(parseDate("2026-1-08").has_value());
  EXPECT_FALSE(parseDate("2026/10/08").has_value());
  EXPECT_FALSE(parseDate("２026-10-08").has_value());
  EXPECT_FALSE(parseDate("").has_value());
  EXPECT_EQ(daysBetween(d("2026-09-30"), d("2026-10-08")), 8);
}

TEST(WorkCalendar, TheNationalDayWeekAndItsMakeUpDays) {
  const WorkCalendar& c = shipped();
  EXPECT_TRUE(c.isWorkingDay(d("2026-09-20"))) << "Sunday worked for National Day";
  EXPECT_TRUE(c.isWorkingDay(d("2026-10-10"))) << "Saturday worked for National Day";
  for (const char* day : {"2026-10-01", "2026-10-02", "2026-10-05", "2026-10-07"}) {
    EXPECT_FALSE(c.isWorkingDay(d(day))) << day;
  }
  ASSERT_NE(c.holidayOf(d("2026-10-05")), nullptr);
  EXPECT_EQ(c.holidayOf(d("2026-10-05"))->name, "国庆节");
  // Forwarded on Wednesday 30 September: day 1 is Thursday 8 October, then
  // Friday 9, the Saturday 10 worked, and Monday 12 to Thursday 15.
  EXPECT_EQ(formatDate(c.addWorkingDays(d("2026-09-30"), 1)), "2026-10-08");
  EXPECT_EQ(formatDate(c.addWorkingDays(d("2026-09-30"), 3)), "2026-10-10");
  EXPECT_EQ(formatDate(c.addWorkingDays(d("2026-09-30"), 7)), "2026-10-15");
  // Forwarded on Friday 18 September: the Sunday 20 is a working day.
  EXPECT_EQ(formatDate(c.addWorkingDays(d("2026-09-18"), 1)), "2026-09-20");
  EXPECT_EQ(formatDate(c.addWorkingDays(d("2026-09-18"), 7)), "2026-09-29");  // 中秋 25–27
  EXPECT_EQ(c.workingDaysAfter(d("2026-09-30"), d("2026-10-15")), 7);
}

TEST(WorkCalendar, TheSpringFestivalWeek) {
  const WorkCalendar& c = shipped();
  EXPECT_TRUE(c.isWorkingDay(d("2026-02-14"))) << "Saturday before the festival is worked";
  EXPECT_TRUE(c.isWorkingDay(d("2026-02-28"))) << "Saturday after it is worked";
  EXPECT_FALSE(c.isWorkingDay(d("2026-02-16"))) << "除夕";
  EXPECT_FALSE(c.isWorkingDay(d("2026-02-23")));
  // Forwarded on Thursday 12 February: Friday 13, Saturday 14, then nothing
  // until Tuesday 24; day 7 is Saturday 28 (worked).
  EXPECT_EQ(formatDate(c.addWorkingDays(d("2026-02-12"), 2)), "2026-02-14");
  EXPECT_EQ(formatDate(c.addWorkingDays(d("2026-02-12"), 3)), "2026-02-24");
  EXPECT_EQ(formatDate(c.addWorkingDays(d("2026-02-12"), 7)), "2026-02-28");
  EXPECT_EQ(formatDate(c.addWorkingDays(d("2026-02-12"), 8)), "2026-03-02");
}

TEST(WorkCalendar, ForwardingOnAHolidayCountsFromTheNextWorkingDay) {
  const WorkCalendar& c = shipped();
  // Forwarded on 3 October (a holiday) or on 7 October: day 1 is 8 October.
  EXPECT_EQ(formatDate(c.addWorkingDays(d("2026-10-03"), 1)), "2026-10-08");
  EXPECT_EQ(formatDate(c.addWorkingDays(d("2026-10-07"), 7)), "2026-10-15");
  // A plain week: forwarded on Friday 6 November, 7 working days end on
  // Tuesday 17 November.
  EXPECT_EQ(formatDate(c.addWorkingDays(d("2026-11-06"), 7)), "2026-11-17");
  EXPECT_EQ(formatDate(c.addWorkingDays(d("2026-11-06"), 0)), "2026-11-06");
}

TEST(WorkCalendar, AcrossTheYearEndIntoAProvisionalYear) {
  const WorkCalendar& c = shipped();
  EXPECT_TRUE(c.covers(d("2026-12-31")));
  EXPECT_FALSE(c.provisional(d("2026-12-31")));
  EXPECT_TRUE(c.provisional(d("2027-01-04")));
  EXPECT_FALSE(c.isWorkingDay(d("2027-01-01"))) << "元旦 is statutory";
  // Forwarded on Wednesday 30 December 2026: Thursday 31, then (1 January
  // off, a weekend) Monday 4 to Friday 8 January, Monday 11.
  EXPECT_EQ(formatDate(c.addWorkingDays(d("2026-12-30"), 7)), "2027-01-11");
  // A year the file does not list counts Monday to Friday.
  EXPECT_FALSE(c.covers(d("2031-10-01")));
  EXPECT_TRUE(c.isWorkingDay(d("2031-10-01")));  // a Wednesday
}

TEST(WorkCalendar, TheDateInChinaAtAnInstant) {
  const WorkCalendar& c = shipped();
  // 2026-10-07T16:30:00Z is half past midnight on 8 October in Beijing.
  const std::int64_t ms = 1791390600000;
  EXPECT_EQ(formatDate(c.dateAt(ms)), "2026-10-08");
  EXPECT_EQ(formatDate(c.dateAt(ms - 3600 * 1000)), "2026-10-07");
}

TEST(WorkCalendar, TheStatusTurnsOverdueTheDayAfterTheDueDate) {
  const Date due = d("2026-10-15");
  EXPECT_EQ(statusOf(State::kAwaitingReply, due, d("2026-10-15")), Status::kAwaitingReply);
  EXPECT_EQ(statusOf(State::kAwaitingReply, due, d("2026-10-16")), Status::kOverdue);
  EXPECT_EQ(statusOf(State::kAnswered, due, d("2026-12-01")), Status::kAnswered);
  EXPECT_EQ(statusOf(State::kInProgress, due, d("2026-10-16")), Status::kOverdue);
  EXPECT_EQ(statusOf(State::kDone, due, d("2026-10-16")), Status::kDone);
  EXPECT_EQ(statusLabel(Status::kOverdue, Kind::kQuestion), "逾期未答复");
  EXPECT_EQ(statusLabel(Status::kOverdue, Kind::kCommitment), "逾期");
}

TEST(WorkCalendarFile, MistakesNameTheirLine) {
  auto error = [](const std::string& text) -> std::string {
    try {
      config::parseWorkCalendar(text, "cal.toml");
    } catch (const config::ConfigError& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(
      error("[[year]]\nyear = 2026\nholidays = [{ name = \"国庆节\", from = \"2026-10-32\" }]\n")
          .find("cal.toml:3"),
      std::string::npos);
  EXPECT_NE(error("[[year]]\nyear = 2026\nworkdays = [\"2026-10-08\"]\n").find("weekday already"),
            std::string::npos);
  EXPECT_NE(error("[[year]]\nyear = 2026\n[[year]]\nyear = 2026\n").find("given twice"),
            std::string::npos);
  EXPECT_NE(error("[[year]]\nyear = 2026\nholidays = [{ name = \"x\", from = \"2026-10-07\", "
                  "to = \"2026-10-01\" }]\n")
                .find("before it starts"),
            std::string::npos);
  EXPECT_NE(error("[[year]]\nyaer = 2026\n").find("yaer"), std::string::npos);
  // TOML dates are as good as strings.
  const WorkCalendar c = config::parseWorkCalendar(
      "[[year]]\nyear = 2026\nholidays = [{ name = \"国庆节\", from = 2026-10-01, to = 2026-10-07 "
      "}]\nworkdays = [2026-10-10]\n",
      "cal.toml");
  EXPECT_TRUE(c.isWorkingDay(d("2026-10-10")));
  EXPECT_FALSE(c.isWorkingDay(d("2026-10-06")));
}

}  // namespace
}  // namespace yst::followup
