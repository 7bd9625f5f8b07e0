// What the export's tests share: a studio database in a folder of its own,
// written through the Store as the studio writes it, so that the export
// reads what a real show leaves behind.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "studio/questions/question_desk.h"
#include "studio/store/questions_table.h"
#include "studio/store/store.h"
#include "studio/store/transcript_table.h"

namespace yst::exporter::testing_db {

class ShowDb : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("yst-export-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = std::make_unique<store::Store>((dir_ / "yishiting.db").string());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string dbPath() const { return (dir_ / "yishiting.db").string(); }

  // Waits for everything submitted so far to be committed.
  void commit() {
    store_->runSync([](sqlite3*) {});
  }

  std::int64_t line(std::int64_t session_id, const std::string& speaker_name,
                    const std::string& text, std::int64_t start_ms,
                    const std::string& kind = "typed", std::int64_t question_id = 0) {
    store::TranscriptLine l;
    l.session_id = session_id;
    l.speaker = kind == "question" ? "question" : "host";
    l.speaker_name = speaker_name;
    l.text = text;
    l.start_ms = start_ms;
    l.end_ms = start_ms + 2000;
    l.utc = "2026-11-27T12:00:00Z";
    l.kind = kind;
    l.question_id = question_id;
    l.by = "typist";
    std::int64_t id = 0;
    store_->runSync([&](sqlite3* db) { id = store::insertLine(db, l); });
    return id;
  }

  void question(std::int64_t session_id, const questions::Question& q) {
    store_->runSync([&](sqlite3* db) { store::saveQuestion(db, session_id, q); });
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
};

}  // namespace yst::exporter::testing_db
