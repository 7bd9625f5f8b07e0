// How a follow-up item is shown to each kind of reader: the public (the
// tracker, /api/followup, the feed), the department it belongs to, and the
// producers. Nothing here names a viewer: an item shows its asker's nickname
// only, as the question did on air.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "studio/store/followup_table.h"

namespace yst::followup {

enum class Reader { kPublic = 0, kDepartment, kProducer };

// {"id","kind","department":{"id","name"},"status","status_label","due",
//  "text","asker","reply","replied_at","created_at","show":{"id","title"},
//  "timeline_ms","archive","question","rating":{…}} and, for the department
// and producers, "working_days", "reassign_reason", "created_by".
nlohmann::json itemJson(const store::FollowupItem& item, Date today, Reader reader);
// The link into the archive's video at the item's moment: "/archive/#s=12&t=754000".
std::string archiveLink(const store::FollowupItem& item);
nlohmann::json historyJson(const std::vector<store::HistoryEntry>& history);
nlohmann::json ratingJson(const store::RatingRow& rating, Reader reader);
nlohmann::json statsJson(const std::vector<store::DepartmentStats>& stats);
nlohmann::json departmentJson(const store::Department& department);

// The Atom feed of replies (newest first): one entry per answered or done
// item, its content the reply. `base_url` makes the entries' links absolute.
std::string atomFeed(const std::vector<store::FollowupItem>& items, const std::string& title,
                     const std::string& base_url, const std::string& feed_path);

}  // namespace yst::followup
