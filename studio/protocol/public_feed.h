// Error style: nothing throws; a gap or a stale position is a return value.
//
// The public feed: every message the studio publishes to viewers (the public
// question list's changes, the live text record) carries the feed's position,
// `"feed":{"epoch":E,"seq":N}`. The epoch is new with every studio process; the
// sequence counts from 1 within it. A viewer who comes back (after a dropped
// connection, to the studio or to any edge) says where it was in its hello
// (`"since":{"epoch":E,"seq":N}`) and gets the messages it missed, replayed
// from a ring of the latest ones, or a fresh snapshot when the ring no longer
// reaches back that far (or the epoch changed: the studio was restarted).
//
// The studio numbers the messages (FeedSink, below); each edge receives them
// over NATS already numbered and keeps its own ring of them (PublicRing), so
// any edge can resume any viewer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "studio/server/client_sink.h"

namespace yst::protocol {

struct FeedPosition {
  std::string epoch;      // [A-Za-z0-9_-]{1,32}; "" when unknown
  std::uint64_t seq = 0;  // the last message included; 0: none yet
};

// An id of the studio's alphabet ([A-Za-z0-9_-], as base/secrets.h's
// randomId makes them), 1..max_size characters: epochs, viewer and client ids.
bool isIdToken(std::string_view text, std::size_t max_size);

// A message (a JSON object's text) with `"feed":{"epoch":…,"seq":…}` added
// before its closing brace, without parsing it again.
std::string stampFeed(std::string_view message, const FeedPosition& position);

// A hello's "since", read leniently: nullopt when absent or malformed (the
// viewer then gets a snapshot, as a new one would).
std::optional<FeedPosition> readSince(const nlohmann::json& hello);

// The latest messages of the feed, in order. Not thread-safe: one owner.
class PublicRing {
 public:
  // Keeps at most `max_messages` messages and `max_bytes` of their text.
  PublicRing(std::size_t max_messages, std::size_t max_bytes);

  // Appends message `seq` of `epoch`. A new epoch empties the ring first. A
  // seq that does not follow the last one (a gap: messages were lost on the
  // way) empties it too and starts again from this one; returns false then.
  bool append(const FeedPosition& position, std::shared_ptr<const std::string> message);

  // The messages after `since`, oldest first, when the ring holds every one of
  // them (possibly none); nullopt when it does not (another epoch, too old, or
  // ahead of the ring).
  std::optional<std::vector<std::shared_ptr<const std::string>>> after(
      const FeedPosition& since) const;

  // Starts again at `position` (a snapshot's), holding no message: after()
  // answers from there on.
  void restart(const FeedPosition& position);

  FeedPosition last() const { return {epoch_, last_seq_}; }
  std::size_t size() const { return messages_.size(); }
  void clear();

 private:
  std::size_t max_messages_;
  std::size_t max_bytes_;
  std::string epoch_;
  std::uint64_t last_seq_ = 0;
  std::size_t bytes_ = 0;
  // messages_[i] is seq last_seq_ - messages_.size() + 1 + i.
  std::deque<std::shared_ptr<const std::string>> messages_;
};

// The studio's side: a ClientSink in front of the server that numbers every
// message published on the viewers' channel, keeps the ring, and hands each
// numbered message to `on_public` (the edge link publishes it to NATS) as
// well as to the local viewers. send() and setChannels() pass through.
// Thread-safe like the server: publish() may come from any thread; numbering
// and hand-over are in one critical section, so the order is the same
// everywhere.
class FeedSink : public server::ClientSink {
 public:
  static constexpr std::size_t kRingMessages = 4096;
  static constexpr std::size_t kRingBytes = 16 * 1024 * 1024;

  FeedSink(server::ClientSink* local, std::string epoch);

  void send(server::ClientId client, std::shared_ptr<const std::string> message) override;
  void setChannels(server::ClientId client, std::uint32_t channels) override;
  void publish(std::uint32_t channels, std::shared_ptr<const std::string> message) override;

  // Any thread; under the lock, so that a publish in progress finishes with
  // the old one and none calls it once this returns (set {} before what it
  // refers to goes away).
  void setOnPublic(
      std::function<void(const FeedPosition&, const std::shared_ptr<const std::string>&)>
          on_public);
  FeedPosition position() const;
  // As PublicRing::after, under the lock.
  std::optional<std::vector<std::shared_ptr<const std::string>>> after(
      const FeedPosition& since) const;
  // For a hello: the feed's position now and, when `since` is given and the
  // ring reaches back to it, what came after it (one consistent reading).
  struct Resume {
    FeedPosition position;
    std::optional<std::vector<std::shared_ptr<const std::string>>> missed;
  };
  Resume resume(const std::optional<FeedPosition>& since) const;

 private:
  server::ClientSink* local_;
  mutable std::mutex mutex_;
  // guarded by mutex_
  std::function<void(const FeedPosition&, const std::shared_ptr<const std::string>&)> on_public_;
  PublicRing ring_;  // guarded by mutex_
  std::string epoch_;
  std::uint64_t seq_ = 0;  // guarded by mutex_
};

}  // namespace yst::protocol
