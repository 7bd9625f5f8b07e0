// The post-show package of one session (`yishiting export`): the text record
// (图文实录) as Markdown, HTML and JSON; subtitles (SRT, WebVTT) aligned to
// the recording; the recording remuxed to MP4 without re-encoding, with
// metadata, one chapter per aired question and the transcript as a subtitle
// track; one clip per aired question; a poster frame; every question as a
// spreadsheet; and a summary, the package's manifest. package.h lists the
// folder and decides what goes in it; text_record.h, questions_csv.h and
// subtitles.h write the text files (package_text.h keeps what viewers typed
// as text in each format); remux.h and poster.h make the media.
//
// Media work uses FFmpeg's libraries (libavformat, libavcodec, libswscale),
// never the ffmpeg command. A session whose recording did not end cleanly
// (the studio was killed) still exports: what was recorded is used, and the
// result says what is missing.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "studio/export/export_error.h"
#include "studio/export/package_text.h"

namespace yst::exporter {

struct ExportOptions {
  std::string data_dir = "var";
  std::int64_t session_id = 0;
  std::string out_dir;
  // Set from another thread to give up (ExportError "cancelled"); what was
  // written so far is left as it is.
  const std::atomic<bool>* cancel = nullptr;
  // The language of the words the package adds (column heads, statuses,
  // "Host"); what was said and asked stays as it was.
  Language language = Language::kChinese;
};

struct ExportResult {
  std::vector<std::string> files;     // written, relative to out_dir
  std::vector<std::string> warnings;  // what is missing or partial, for people
};

// Writes the package of `options.session_id` into `options.out_dir`, or
// throws ExportError (no database, no such session, a file that cannot be
// written, "cancelled").
ExportResult exportSession(const ExportOptions& options);

}  // namespace yst::exporter
