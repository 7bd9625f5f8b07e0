// The text record (图文实录): who was on the show and what each said, in
// the order it was said, grouped as it reads: what was said before the first
// question ("开场"), then each aired question with what followed it. Written
// three ways: Markdown (for the station's CMS), HTML (a page that stands
// alone) and JSON (every line with its times, for tools).
//
// Questions and names are viewers' and typists' text: the Markdown keeps
// them as text with markdownText, the HTML with escapeHtml (package_text.h),
// the JSON as strings. The words the record adds ("主持人", "开场") are in
// the package's language.
#pragma once

#include <string>
#include <vector>

#include "studio/export/package_text.h"
#include "studio/export/session.h"
#include "studio/store/followup_table.h"
#include "studio/store/transcript_table.h"

namespace yst::exporter {

// What the text record says above the transcript.
struct RecordHead {
  std::string title;
  std::string date;  // "2026-11-27"
  std::string host;  // "王芳（主持人）", empty: none
  std::vector<std::string> guests;
};

// The session's title, the date it began, its host and guests.
RecordHead recordHead(const Session& session);

std::string markdownRecord(const RecordHead& head, const std::vector<store::TranscriptLine>& lines,
                           Language language);
// `commitments` (问政跟踪): each promise made on air is marked after the
// line being said at its moment, with its department and deadline.
std::string htmlRecord(const RecordHead& head, const std::vector<store::TranscriptLine>& lines,
                       Language language, const std::vector<store::FollowupItem>& commitments = {});

// transcript.json: the session, its people and times, and every line with
// its speaker, text as typed and as corrected, times and question.
std::string jsonRecord(const Session& session);

}  // namespace yst::exporter
