// The Audience for the public edges (desks/edge_link.h): a vote, a viewer's
// own questions, an observer invitation and the snapshot an edge answers
// hellos from, by the same rules as on the studio's own /ws, for viewers
// the studio has no connection of. The rest of the desk is in audience.cpp.
#include "studio/desks/audience.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "studio/base/clock.h"
#include "studio/base/digest.h"
#include "studio/desks/audience_internal.h"
#include "studio/protocol/message.h"

namespace yst::desks {

using detail::IdAlias;
using detail::questionField;
using nlohmann::json;
using questions::Question;

void Audience::remoteVote(const std::string& viewer, const std::string& address,
                          const json& message, std::function<void(json)> done) {
  const std::int64_t id = questionField(message, "question", IdAlias::kNo);
  if (id == 0 || !viewer_ids_.genuine(viewer)) {
    done(protocol::errorMessage("bad_message", "question.vote needs \"question\" (an id)"));
    return;
  }
  double wait_s = 0;
  const std::optional<AudienceLimits::VoteTicket> ticket =
      limits_.checkVote(viewer, address, steadyNowUs(), &wait_s);
  if (!ticket) {
    const int retry = std::max(1, static_cast<int>(std::ceil(wait_s)));
    json error = protocol::errorMessage(
        "rate_limited", "too many votes; try again in " + std::to_string(retry) + " s");
    error["retry_after_s"] = retry;
    done(std::move(error));
    return;
  }
  castVote(id, viewer, address, *ticket, std::move(done));
}

json Audience::mineOf(const std::string& viewer) const {
  json mine = json::array();
  for (std::int64_t id : desk_.askedBy(viewer)) {
    if (const Question* q = desk_.find(id)) mine.push_back(ownView(*q));
  }
  return {{"type", "questions.mine"}, {"questions", std::move(mine)}};
}

void Audience::findObserver(const std::string& token_sha256,
                            std::function<void(bool, std::int64_t, std::string)> done) {
  queueObserverLookup({token_sha256, [this, token_sha256, done = std::move(done)](bool ok) {
                         auto found = observers_.find(token_sha256);
                         if (!ok || found == observers_.end()) {
                           done(ok, 0, "");
                           return;
                         }
                         done(true, found->second.first, found->second.second);
                       }});
}

json Audience::edgeSnapshot() {
  json feed;
  if (context_.feed) {
    const protocol::FeedPosition at = context_.feed->position();
    feed = {{"epoch", at.epoch}, {"seq", at.seq}};
  }
  json snapshot = {{"feed", feed},
                   {"show", showView()},
                   {"limits", limitsView()},
                   {"viewer_key", hexEncode(viewer_key_)}};
  snapshot["public"] = json::parse(publicSnapshot());
  return snapshot;
}

}  // namespace yst::desks
