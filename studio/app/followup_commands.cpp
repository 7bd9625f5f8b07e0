#include "studio/app/followup_commands.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <vector>

#include "studio/base/digest.h"
#include "studio/base/secrets.h"
#include "studio/config/show_config.h"
#include "studio/followup/followup.h"
#include "studio/store/followup_table.h"
#include "studio/store/store.h"
#include "studio/text/text.h"

namespace yst::app {

namespace {

constexpr std::size_t kTokenChars = 32;

std::string linkFor(std::string url, const std::string& token) {
  if (url.empty()) url = "http://127.0.0.1:8080/";
  if (url.back() != '/') url += '/';
  return url + "d/" + token;
}

}  // namespace

int departmentsCommand(const DepartmentsArgs& args) {
  std::string url = args.url;
  try {
    if (url.empty() && !args.show_path.empty()) {
      url = config::loadShowFile(args.show_path).audience.public_url;
    }
  } catch (const config::ConfigError& e) {
    std::fprintf(stderr, "yishiting: %s\n", e.what());
    return 2;
  }
  try {
    std::filesystem::create_directories(args.data_dir);
    // No loop: `done` runs on the writer thread, and runSync waits for it.
    store::Store store(args.data_dir + "/yishiting.db");
    if (args.action == "add") {
      const text::CleanedText cleaned =
          text::cleanText(args.name, followup::kMaxDepartmentNameChars, false);
      if (cleaned.problem != text::TextProblem::kNone) {
        std::fprintf(stderr, "yishiting: departments add: the name must be 1 to %zu characters\n",
                     followup::kMaxDepartmentNameChars);
        return 2;
      }
      const std::string token = randomId(kTokenChars);
      std::int64_t id = 0;
      std::string refused;
      store.runSync([&](sqlite3* db) {
        try {
          id = store::addDepartment(db, cleaned.text, sha256Hex(token));
        } catch (const store::FollowupRefusal& r) {
          refused = r.what();
        }
      });
      if (!refused.empty()) {
        std::fprintf(stderr, "yishiting: %s (give it a new link with: departments link N)\n",
                     refused.c_str());
        return 1;
      }
      // The link is the only place the token is ever shown.
      std::printf("department %lld: %s\n%s\n", static_cast<long long>(id), cleaned.text.c_str(),
                  linkFor(url, token).c_str());
    } else if (args.action == "link") {
      const std::string token = randomId(kTokenChars);
      bool done = false;
      std::string name;
      store.runSync([&](sqlite3* db) {
        done = store::relinkDepartment(db, args.id, sha256Hex(token));
        if (auto d = store::findDepartment(db, args.id)) name = d->name;
      });
      if (!done) {
        std::fprintf(stderr, "yishiting: no department %lld\n", static_cast<long long>(args.id));
        return 1;
      }
      std::printf("department %lld: %s (the earlier link no longer works)\n%s\n",
                  static_cast<long long>(args.id), name.c_str(), linkFor(url, token).c_str());
    } else if (args.action == "list") {
      std::vector<store::Department> list;
      store.runSync([&](sqlite3* db) { list = store::listDepartments(db, args.all); });
      for (const auto& d : list) {
        std::printf("%lld\t%s\t%s\t%s%s\n", static_cast<long long>(d.id), d.name.c_str(),
                    d.created_at.c_str(), d.has_link ? "link" : "no link",
                    d.removed ? "\tremoved" : "");
      }
    } else if (args.action == "remove") {
      bool removed = false;
      store.runSync([&](sqlite3* db) { removed = store::removeDepartment(db, args.id); });
      if (!removed) {
        std::fprintf(stderr, "yishiting: no department %lld\n", static_cast<long long>(args.id));
        return 1;
      }
      std::printf("department %lld removed (its items stay public; its link no longer works)\n",
                  static_cast<long long>(args.id));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "yishiting: %s\n", e.what());
    return 1;
  }
  return 0;
}

std::optional<std::int64_t> parseNow(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 9, mi = 0, s = 0;
  int offset_minutes = 8 * 60;
  if (auto date = followup::parseDate(text)) {
    y = static_cast<int>(date->year());
    mo = static_cast<int>(static_cast<unsigned>(date->month()));
    d = static_cast<int>(static_cast<unsigned>(date->day()));
  } else {
    char zone[8] = {0};
    const int n =
        std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%7s", &y, &mo, &d, &h, &mi, &s, zone);
    if (n != 7) return std::nullopt;
    const std::string z = zone;
    if (z == "Z") {
      offset_minutes = 0;
    } else if (z.size() == 6 && (z[0] == '+' || z[0] == '-') && z[3] == ':') {
      const int zh = std::atoi(z.substr(1, 2).c_str());
      const int zm = std::atoi(z.substr(4, 2).c_str());
      offset_minutes = (z[0] == '-' ? -1 : 1) * (zh * 60 + zm);
    } else {
      return std::nullopt;
    }
    const auto day = followup::parseDate(text.substr(0, 10));
    if (!day || h > 23 || mi > 59 || s > 60) return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  const std::time_t utc = timegm(&tm);
  return (static_cast<std::int64_t>(utc) - std::int64_t{offset_minutes} * 60) * 1000;
}

}  // namespace yst::app
