#include "studio/followup/followup_views.h"

#include <cmath>

#include "studio/text/text.h"

namespace yst::followup {

using nlohmann::json;

namespace {

json rounded(double value) {
  if (value < 0) return json();
  return std::round(value * 10) / 10;
}

}  // namespace

std::string archiveLink(const store::FollowupItem& item) {
  if (item.session_id == 0) return "";
  std::string link = "/archive/#s=" + std::to_string(item.session_id);
  if (item.timeline_ms >= 0) link += "&t=" + std::to_string(item.timeline_ms);
  return link;
}

json itemJson(const store::FollowupItem& item, Date today, Reader reader) {
  const Status status = statusOf(item.state, item.due, today);
  json out = {
      {"id", item.id},
      {"kind", kindName(item.kind)},
      {"department", {{"id", item.department_id}, {"name", item.department}}},
      {"status", statusName(status)},
      {"status_label", statusLabel(status, item.kind)},
      {"due", formatDate(item.due)},
      {"text", item.text},
      {"asker", item.kind == Kind::kQuestion ? json(item.asker) : json()},
      {"reply", item.reply.empty() ? json() : json(item.reply)},
      {"replied_at", item.replied_at.empty() ? json() : json(item.replied_at)},
      {"created_at", item.created_at},
      {"updated_at", item.updated_at},
      {"show", item.session_id == 0 ? json()
                                    : json{{"id", item.session_id}, {"title", item.session_title}}},
      {"timeline_ms", item.timeline_ms < 0 ? json() : json(item.timeline_ms)},
      {"archive", item.session_id == 0 ? json() : json(archiveLink(item))},
      {"question", item.question_id == 0 ? json() : json(item.question_id)},
      {"rating",
       {{"satisfied", item.ratings.satisfied},
        {"basically_satisfied", item.ratings.basically_satisfied},
        {"dissatisfied", item.ratings.dissatisfied},
        {"total", item.ratings.total()}}},
  };
  if (reader != Reader::kPublic) {
    out["working_days"] = item.working_days == 0 ? json() : json(item.working_days);
    out["reassign_reason"] = item.reassign_reason.empty() ? json() : json(item.reassign_reason);
    out["created_by"] = item.created_by;
    out["days_left"] = daysBetween(today, item.due);
  }
  return out;
}

json historyJson(const std::vector<store::HistoryEntry>& history) {
  json out = json::array();
  for (const store::HistoryEntry& h : history) {
    json detail = json::parse(h.detail_json, nullptr, false);
    out.push_back({{"utc", h.utc},
                   {"actor", h.actor},
                   {"action", h.action},
                   {"detail", detail.is_discarded() ? json::object() : detail}});
  }
  return out;
}

json ratingJson(const store::RatingRow& rating, Reader reader) {
  json out = {{"rating", ratingName(rating.rating)},
              {"label", ratingLabel(rating.rating)},
              {"rated_at", rating.rated_at}};
  if (reader == Reader::kPublic) {
    out["comment"] = rating.comment_status == "approved" ? json(rating.comment) : json();
  } else {
    out["id"] = rating.id;
    out["item"] = rating.item_id;
    out["comment"] = rating.comment.empty() ? json() : json(rating.comment);
    out["comment_status"] = rating.comment_status.empty() ? json() : json(rating.comment_status);
  }
  return out;
}

json statsJson(const std::vector<store::DepartmentStats>& stats) {
  json out = json::array();
  for (const store::DepartmentStats& s : stats) {
    out.push_back({{"department", {{"id", s.department_id}, {"name", s.department}}},
                   {"items", s.items},
                   {"open", s.open},
                   {"overdue", s.overdue},
                   {"closed", s.closed},
                   {"closed_on_time", s.closed_on_time},
                   {"on_time_pct", rounded(s.on_time_pct)},
                   {"median_days_to_reply", rounded(s.median_days_to_reply)},
                   {"ratings",
                    {{"satisfied", s.ratings.satisfied},
                     {"basically_satisfied", s.ratings.basically_satisfied},
                     {"dissatisfied", s.ratings.dissatisfied},
                     {"total", s.ratings.total()}}},
                   {"satisfaction_pct", rounded(s.satisfaction_pct)}});
  }
  return out;
}

json departmentJson(const store::Department& department) {
  return {{"id", department.id},
          {"name", department.name},
          {"has_link", department.has_link},
          {"removed", department.removed}};
}

std::string atomFeed(const std::vector<store::FollowupItem>& items, const std::string& title,
                     const std::string& base_url, const std::string& feed_path) {
  std::string base = base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::string updated = "1970-01-01T00:00:00Z";
  for (const store::FollowupItem& item : items) {
    if (item.updated_at > updated) updated = item.updated_at;
  }
  std::string out =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
      "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"zh-CN\">\n";
  out += "  <title>" + text::escapeMarkup(title) + "</title>\n";
  out += "  <id>" + text::escapeMarkup(base + feed_path) + "</id>\n";
  out += "  <link rel=\"self\" href=\"" + text::escapeMarkup(base + feed_path) + "\"/>\n";
  out += "  <link rel=\"alternate\" type=\"text/html\" href=\"" +
         text::escapeMarkup(base + "/followup/") + "\"/>\n";
  out += "  <updated>" + text::escapeMarkup(updated) + "</updated>\n";
  for (const store::FollowupItem& item : items) {
    const std::string link = base + "/followup/#item=" + std::to_string(item.id);
    const std::string kind_label = item.kind == Kind::kQuestion ? "答复" : "办理结果";
    out += "  <entry>\n";
    out += "    <title>" + text::escapeMarkup(item.department + kind_label + "：" + item.text) +
           "</title>\n";
    out += "    <id>" + text::escapeMarkup(link) + "</id>\n";
    out += "    <link rel=\"alternate\" type=\"text/html\" href=\"" + text::escapeMarkup(link) +
           "\"/>\n";
    out += "    <updated>" + text::escapeMarkup(item.updated_at) + "</updated>\n";
    out += "    <published>" +
           text::escapeMarkup(item.replied_at.empty() ? item.updated_at : item.replied_at) +
           "</published>\n";
    out += "    <author><name>" + text::escapeMarkup(item.department) + "</name></author>\n";
    out +=
        "    <category term=\"" + text::escapeMarkup(std::string(kindName(item.kind))) + "\"/>\n";
    out += "    <summary type=\"text\">" + text::escapeMarkup(item.text) + "</summary>\n";
    out += "    <content type=\"text\">" + text::escapeMarkup(item.reply) + "</content>\n";
    out += "  </entry>\n";
  }
  out += "</feed>\n";
  return out;
}

}  // namespace yst::followup
