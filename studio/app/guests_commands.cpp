#include "studio/app/guests_commands.h"

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <vector>

#include "studio/base/digest.h"
#include "studio/base/secrets.h"
#include "studio/config/show_config.h"
#include "studio/desks/guests.h"
#include "studio/store/guests_table.h"
#include "studio/store/store.h"
#include "studio/text/text.h"

namespace yst::app {

namespace guests_commands {

constexpr std::size_t kTokenChars = 32;

std::string linkFor(std::string url, const std::string& token) {
  if (url.empty()) url = "http://127.0.0.1:8080/";
  if (url.back() != '/') url += '/';
  return url + "g/" + token;
}

std::string localTime(std::int64_t unix_s) {
  const std::time_t t = static_cast<std::time_t>(unix_s);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
  return buf;
}

}  // namespace guests_commands

int guestsCommand(const GuestsArgs& args) {
  std::string url = args.url;
  try {
    if (!args.show_path.empty()) {
      const config::ShowConfig show = config::loadShowFile(args.show_path);
      if (url.empty()) url = show.audience.public_url;
      if (args.action == "invite") {
        bool slot = false;
        for (const config::SourceConfig& s : show.sources) {
          slot |= s.id == args.source && s.scheme == streaming::UrlScheme::kWebrtc;
        }
        if (!slot) {
          std::fprintf(stderr,
                       "yishiting: guests invite: %s has no webrtc:// source \"%s\" (add "
                       "[[sources]] id = \"%s\" uri = \"webrtc://%s\")\n",
                       args.show_path.c_str(), args.source.c_str(), args.source.c_str(),
                       args.source.c_str());
          return 2;
        }
      }
    }
  } catch (const config::ConfigError& e) {
    std::fprintf(stderr, "yishiting: %s\n", e.what());
    return 2;
  }
  try {
    std::filesystem::create_directories(args.data_dir);
    store::Store store(args.data_dir + "/yishiting.db");
    const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
    if (args.action == "invite") {
      const text::CleanedText name =
          text::cleanText(args.name, desks::Guests::kMaxNameChars, false);
      if (name.problem != text::TextProblem::kNone) {
        std::fprintf(stderr, "yishiting: guests invite: the name must be 1 to %zu characters\n",
                     desks::Guests::kMaxNameChars);
        return 2;
      }
      const text::CleanedText title =
          text::cleanText(args.title, desks::Guests::kMaxTitleChars, false);
      if (title.problem != text::TextProblem::kNone && title.problem != text::TextProblem::kEmpty) {
        std::fprintf(stderr, "yishiting: guests invite: the title is at most %zu characters\n",
                     desks::Guests::kMaxTitleChars);
        return 2;
      }
      if (args.hours < 1 || args.hours > desks::Guests::kMaxInvitationHours) {
        std::fprintf(stderr, "yishiting: guests invite: --hours is 1 to %d\n",
                     desks::Guests::kMaxInvitationHours);
        return 2;
      }
      const std::string token = randomId(guests_commands::kTokenChars);
      const std::int64_t expires = now + std::int64_t{args.hours} * 3600;
      std::int64_t id = 0;
      store.runSync([&](sqlite3* db) {
        id = store::addGuest(db, args.source, name.text, title.text, sha256Hex(token), expires);
      });
      // The link is the only place the token is ever shown.
      std::printf("guest %lld: %s → %s, until %s\n%s\n", static_cast<long long>(id),
                  name.text.c_str(), args.source.c_str(),
                  guests_commands::localTime(expires).c_str(),
                  guests_commands::linkFor(url, token).c_str());
    } else if (args.action == "list") {
      std::vector<store::GuestInvitation> list;
      store.runSync([&](sqlite3* db) { list = store::listGuests(db, args.all, now); });
      for (const auto& g : list) {
        const char* state = g.revoked ? "revoked" : g.expires_at <= now ? "expired" : "valid";
        std::printf("%lld\t%s\t%s\t%s\tuntil %s\t%s\n", static_cast<long long>(g.id),
                    g.source.c_str(), g.name.c_str(), g.title.c_str(),
                    guests_commands::localTime(g.expires_at).c_str(), state);
      }
    } else if (args.action == "revoke") {
      bool revoked = false;
      store.runSync([&](sqlite3* db) { revoked = store::revokeGuest(db, args.id); });
      if (!revoked) {
        std::fprintf(stderr, "yishiting: no valid invitation %lld\n",
                     static_cast<long long>(args.id));
        return 1;
      }
      std::printf(
          "guest %lld: the link no longer works (a session already open goes on until "
          "the producer ends it)\n",
          static_cast<long long>(args.id));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "yishiting: %s\n", e.what());
    return 1;
  }
  return 0;
}

}  // namespace yst::app
