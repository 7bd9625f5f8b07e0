// The show file's [followup] (问政跟踪) and the calendar file it names: the
// public holidays and make-up working days that due dates are counted on
// (followup/work_calendar.h). The calendar is a file of its own so that a
// newsroom edits it once a year, when the State Council publishes the next
// year's arrangement, for every show.
#pragma once

#include <string>

#include "studio/config/show_config.h"
#include "studio/config/toml_reading.h"
#include "studio/followup/work_calendar.h"

namespace yst::config {

// [followup]: optional. The calendar path is resolved beside the show file and
// must exist; the calendar itself is read by loadWorkCalendar when the studio
// starts.
void readFollowup(const TomlReader& reader, const toml::table& root, FollowupConfig* followup);

// Reads a calendar file:
//
//   utc_offset_hours = 8
//   [[year]]
//   year = 2026
//   source = "国务院办公厅关于2026年部分节假日安排的通知"
//   provisional = false          # true: statutory holidays only, 调休 not yet known
//   holidays = [ { name = "国庆节", from = "2026-10-01", to = "2026-10-07" }, … ]
//   workdays = [ "2026-09-20", "2026-10-10" ]
//
// Dates may be written as strings or as TOML dates. Any problem is a
// ConfigError naming the file, the line and the key.
followup::WorkCalendar loadWorkCalendar(const std::string& path);
followup::WorkCalendar parseWorkCalendar(std::string_view text, std::string_view source_name);

}  // namespace yst::config
