// questions.csv: every question of the show as a spreadsheet, for the
// departments that answer what was not answered on air. UTF-8 with a BOM
// (Excel reads it as UTF-8 then), CRLF rows, a header row, then one row per
// question: as received and as shown, who asked, what became of it and the
// follow-up it awaits.
//
// Nicknames and questions are viewers' text in a file opened in Excel: every
// cell goes through csvCell (package_text.h), so none runs as a formula.
// Column heads, categories, statuses and reasons are in the package's
// language, in the words the viewer and producer pages use
// (assets/web/i18n.js).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "studio/export/package_text.h"
#include "studio/questions/question_desk.h"

namespace yst::exporter {

// `votes` is by question id, merged questions' included (votesWithMerged).
std::string questionsCsv(const std::vector<questions::Question>& questions,
                         const std::map<std::int64_t, int>& votes, Language language);

}  // namespace yst::exporter
