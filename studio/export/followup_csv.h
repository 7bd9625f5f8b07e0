// followup.csv: the show's 问政跟踪 items as a spreadsheet — the commitments
// made on air and the questions forwarded to departments, each with its
// department, status on the day the package was made, due date, moment in
// the show, the reply and the citizens' ratings. UTF-8 with a BOM, CRLF rows,
// every cell through csvCell (package_text.h) so that no viewer's or
// department's text runs as a formula in Excel.
#pragma once

#include <string>
#include <vector>

#include "studio/export/package_text.h"
#include "studio/followup/work_calendar.h"
#include "studio/store/followup_table.h"

namespace yst::exporter {

// `today`: what "overdue" is measured against.
std::string followupCsv(const std::vector<store::FollowupItem>& items, followup::Date today,
                        Language language);

}  // namespace yst::exporter
