#include "streaming/rtmp_chunks.h"

namespace yst::streaming::rtmp {

std::string chunkBytes(int csid, const Message& message, std::size_t chunk_size) {
  std::string out;
  chunk(
      csid, message.type, message.timestamp, message.stream_id, message.payload.size(), chunk_size,
      [&](const std::uint8_t* h, std::size_t n) {
        out.append(reinterpret_cast<const char*>(h), n);
      },
      [&](std::size_t offset, std::size_t n) { out.append(message.payload, offset, n); });
  return out;
}

void ChunkReader::append(const char* data, std::size_t size) {
  if (pos_ > 0 && pos_ == buffer_.size()) {
    buffer_.clear();
    pos_ = 0;
  } else if (pos_ > (64 << 10)) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  buffer_.append(data, size);
}

ChunkReader::Stream& ChunkReader::stream(int csid) {
  for (Stream& s : streams_) {
    if (s.csid == csid) return s;
  }
  if (streams_.size() >= 64) throw Error("the server opened more than 64 chunk streams");
  streams_.push_back(Stream{});
  streams_.back().csid = csid;
  return streams_.back();
}

bool ChunkReader::next(Message& out) {
  static constexpr std::size_t kHeaderSize[4] = {11, 7, 3, 0};
  for (;;) {
    const std::size_t avail = buffer_.size() - pos_;
    const auto* p = reinterpret_cast<const std::uint8_t*>(buffer_.data() + pos_);
    if (avail < 1) return false;
    const int fmt = p[0] >> 6;
    int csid = p[0] & 0x3F;
    std::size_t n = 1;
    if (csid == 0) {
      if (avail < 2) return false;
      csid = 64 + p[1];
      n = 2;
    } else if (csid == 1) {
      if (avail < 3) return false;
      csid = 64 + p[1] + p[2] * 256;
      n = 3;
    }
    if (avail < n + kHeaderSize[fmt]) return false;
    Stream& s = stream(csid);
    if (fmt != 0 && !s.started) {
      throw Error("chunk stream " + std::to_string(csid) + " continues a message it never began");
    }
    const std::uint8_t* h = p + n;
    std::uint32_t ts_field = 0;
    std::uint32_t length = s.length;
    std::uint8_t type = s.type;
    std::uint32_t stream_id = s.stream_id;
    if (fmt <= 2) ts_field = readBigEndian(h, 3);
    if (fmt <= 1) {
      length = readBigEndian(h + 3, 3);
      type = h[6];
    }
    if (fmt == 0)
      stream_id = h[7] | h[8] << 8 | h[9] << 16 | static_cast<std::uint32_t>(h[10]) << 24;
    n += kHeaderSize[fmt];
    const bool extended = fmt <= 2 ? ts_field == 0xFFFFFF : s.extended;
    std::uint32_t ext = 0;
    if (extended) {
      if (avail < n + 4) return false;
      ext = readBigEndian(p + n, 4);
      n += 4;
    }
    if (length > kMaxMessage) {
      throw Error("the server sent a message of " + std::to_string(length) + " bytes");
    }
    const bool starting = s.partial.empty();
    if (!starting && fmt != 3) {
      throw Error("chunk stream " + std::to_string(csid) + " began a message mid-message");
    }
    const std::size_t want = std::min<std::size_t>(chunk_size_, length - s.partial.size());
    if (avail < n + want) return false;
    if (starting) {
      const std::uint32_t t = extended ? ext : ts_field;
      if (fmt == 0) {
        s.timestamp = t;
        s.delta = t;
      } else if (fmt <= 2) {
        s.delta = t;
        s.timestamp += t;
      } else {
        s.timestamp += s.delta;
      }
    }
    s.length = length;
    s.type = type;
    s.stream_id = stream_id;
    s.extended = extended;
    s.started = true;
    s.partial.append(reinterpret_cast<const char*>(p + n), want);
    pos_ += n + want;
    unfinished_ += want;
    if (s.partial.size() < s.length) {
      if (unfinished_ > kMaxUnfinished) {
        throw Error("the server left more than " + std::to_string(kMaxUnfinished) +
                    " bytes of messages unfinished");
      }
      continue;
    }

    unfinished_ -= s.partial.size();
    out.type = s.type;
    out.timestamp = s.timestamp;
    out.stream_id = s.stream_id;
    out.payload = std::move(s.partial);
    s.partial.clear();
    if (out.type == kSetChunkSize) {
      if (out.payload.size() < 4) throw Error("malformed Set Chunk Size");
      const std::uint32_t size =
          readBigEndian(reinterpret_cast<const std::uint8_t*>(out.payload.data()), 4) & 0x7FFFFFFF;
      if (size == 0 || size > (1u << 24)) {
        throw Error("the server set a chunk size of " + std::to_string(size));
      }
      chunk_size_ = size;
    } else if (out.type == kAbort && out.payload.size() >= 4) {
      const auto aborted = static_cast<int>(
          readBigEndian(reinterpret_cast<const std::uint8_t*>(out.payload.data()), 4));
      for (Stream& other : streams_) {
        if (other.csid != aborted) continue;
        unfinished_ -= other.partial.size();
        other.partial.clear();
      }
    }
    return true;
  }
}

}  // namespace yst::streaming::rtmp
