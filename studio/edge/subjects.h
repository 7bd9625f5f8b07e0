// Error style: nothing throws; a malformed frame is nullopt.
//
// What the studio and its edges say to each other over NATS, one show (a
// "channel") at a time: the subjects, the intake stream's name, and how a
// numbered public message and a message for one viewer are framed. Both
// sides use this file and nothing else to name the wire, so that the studio
// and the edges cannot drift apart. The conversation itself is described in
// assets/protocol.md, "The public edge".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "studio/protocol/public_feed.h"

namespace yst::edge {

// The public archive's API, under this path at the studio and at every edge
// (an edge asks the studio on the `archive` subject).
inline constexpr const char* kArchiveApiPrefix = "/api/archive/";
// 问政跟踪's public API and feed (followup/followup_service.h), asked the same
// way on the same subject.
inline constexpr const char* kFollowupApiPrefix = "/api/followup";
inline constexpr const char* kFollowupFeedPath = "/followup/feed.atom";
// Whether an edge may ask the studio for `path` on the `archive` subject.
bool publicReadPath(std::string_view path);

// A channel (the show's name on the bus): [a-z0-9_-]{1,32}.
bool validChannel(std::string_view channel);

struct Subjects {
  explicit Subjects(const std::string& channel);

  // JetStream: viewers' questions, edge → studio, deduplicated by client id.
  std::string intake;
  std::string intake_stream;
  // Core NATS, studio → every edge.
  std::string received;  // a submission's outcome, after the commit
  std::string feed;      // the numbered public messages (framePublic)
  std::string viewer;    // a message for one viewer's connections (frameViewer)
  std::string studio;    // the studio's heartbeat: {"epoch","seq","viewers"}
  std::string desk;      // a message for one department's desks (frameViewer with its id)
  // Core NATS, edge → studio.
  std::string edges;  // each edge's viewer counts: {"edge","viewers","observers"}
  // Requests, edge → studio (replies on the requester's inbox).
  std::string snapshot;    // {} → the public snapshot, show and limits, with its position
  std::string keys;        // {} → {"viewer_key"}: edges sign viewer ids as the studio does
  std::string mine;        // {"viewer"} → {"questions":[own views]}
  std::string vote;        // {"viewer","address","question"} → the vote's reply or error
  std::string observer;    // {"token_sha256"} → {"id","name"} or {"id":0}
  std::string lookup;      // a submission already in the stream → its outcome (taken in now if
                           // the stream has not delivered it yet)
  std::string transcript;  // {} → the live text (transcript.list's reply)
  // {"path","args"} → {"status","body","content_type"?}: the archive's and
  // 问政跟踪's public reads (publicReadPath).
  std::string archive;
  // 问政跟踪 at an edge: a department's link → {"department":{"id","name"},
  // "today","commands"} or {"department":null} (unknown or revoked).
  std::string department;  // {"token_sha256"}
  // A desk's or a viewer's followup.* command, run at the studio as theirs:
  // {"as":"department","token_sha256","message"} or
  // {"as":"viewer","viewer","address","observer_id","message"} → the reply
  // the studio's /ws would have sent.
  std::string followup;
};

// "epoch seq\n" + the message: the edge learns a public message's position
// without parsing its JSON.
std::string framePublic(const protocol::FeedPosition& position, std::string_view message);
struct PublicFrame {
  protocol::FeedPosition position;
  std::string message;
};
std::optional<PublicFrame> unframePublic(std::string_view data);

// A message body on the bus: a JSON object, or nullopt.
std::optional<nlohmann::json> parseBody(std::string_view data);
// A field of a body read without trusting its type: a string ("" when absent
// or not a string), a count (0 when absent, negative or not an integer), a
// flag (false unless true).
std::string textField(const nlohmann::json& body, const char* key);
std::int64_t countField(const nlohmann::json& body, const char* key);
bool flagField(const nlohmann::json& body, const char* key);

// "viewer id\n" + the message (and "department id\n" + the message on `desk`).
std::string frameViewer(std::string_view viewer, std::string_view message);
struct ViewerFrame {
  std::string viewer;
  std::string message;
};
std::optional<ViewerFrame> unframeViewer(std::string_view data);

}  // namespace yst::edge
