// RTMP's chunk stream (streaming/rtmp_chunks.h): messages cut into chunks
// byte for byte, extended timestamps, and the reassembly of a server's
// chunks, interleaved and fed a byte at a time; and what no server sends: a
// message continued that never began, 8 MiB messages, a chunk size of 0,
// more than 64 chunk streams, more than a mebibyte left unfinished.
#include "streaming/rtmp_chunks.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/unit/streaming/hex.h"

namespace yst::streaming {
namespace {

using rtmp::ChunkReader;
using rtmp::Message;
using test::hex;

TEST(Chunking, SplitsAMessageAtTheChunkSizeWithType3Headers) {
  std::string payload(10000, 'x');
  const std::string out = rtmp::chunkBytes(6, {9, 1000, 1, payload}, 4096);
  ASSERT_EQ(out.size(), 12u + 10000u + 2u);
  EXPECT_EQ(hex(out.substr(0, 12)),
            "060003e8002710"
            "09"
            "01000000")
      << "type 0, csid 6, 1000 ms, 10000 bytes, video, stream 1 (little-endian)";
  EXPECT_EQ(static_cast<unsigned char>(out[12 + 4096]), 0xC6) << "type 3, csid 6";
  EXPECT_EQ(static_cast<unsigned char>(out[12 + 4096 + 1 + 4096]), 0xC6);
}

TEST(Chunking, CarriesTimestampsPast24BitsInTheExtendedField) {
  const std::uint32_t ms = 0x01020304;  // 4.7 hours
  const std::string out = rtmp::chunkBytes(4, {8, ms, 1, std::string(200, 'a')}, 128);
  EXPECT_EQ(hex(out.substr(1, 3)), "ffffff");
  EXPECT_EQ(hex(out.substr(12, 4)), "01020304");
  EXPECT_EQ(hex(out.substr(16 + 128, 5)), "c401020304") << "repeated after a type-3 header";
  ChunkReader reader;
  reader.append(out.data(), out.size());
  Message m;
  ASSERT_TRUE(reader.next(m));
  EXPECT_EQ(m.timestamp, ms);
  EXPECT_EQ(m.payload, std::string(200, 'a'));
}

TEST(ChunkReader, ReassemblesInterleavedStreamsFedAByteAtATime) {
  // What a server sends: a chunk size of its own, then two messages whose
  // chunks interleave, the second stream using type-1 and type-3 headers.
  std::string wire =
      rtmp::chunkBytes(2, {rtmp::kSetChunkSize, 0, 0, std::string("\0\0\0\x40", 4)}, 128);
  const std::string a(100, 'a');
  const std::string b(100, 'b');
  const std::string a_chunks = rtmp::chunkBytes(3, {20, 0, 0, a}, 64);
  const std::string b_chunks = rtmp::chunkBytes(5, {18, 500, 1, b}, 64);
  wire += a_chunks.substr(0, 12 + 64);
  wire += b_chunks.substr(0, 12 + 64);
  wire += a_chunks.substr(12 + 64);
  wire += b_chunks.substr(12 + 64);
  // Next on stream 5: type 1 (delta 33 ms, new length), then type 3 (same delta).
  wire += std::string(
      "\x45\x00\x00\x21\x00\x00\x02\x12"
      "hi",
      10);
  wire += std::string(
      "\xC5"
      "yo",
      3);
  ChunkReader reader;
  std::vector<Message> got;
  for (char c : wire) {
    reader.append(&c, 1);
    Message m;
    while (reader.next(m)) got.push_back(m);
  }
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[0].type, rtmp::kSetChunkSize);
  EXPECT_EQ(got[1].payload, a);
  EXPECT_EQ(got[2].payload, b);
  EXPECT_EQ(got[2].timestamp, 500u);
  EXPECT_EQ(got[2].stream_id, 1u);
  EXPECT_EQ(got[3].payload, "hi");
  EXPECT_EQ(got[3].timestamp, 533u);
  EXPECT_EQ(got[3].stream_id, 1u) << "type 1 keeps the stream id";
  EXPECT_EQ(got[4].payload, "yo");
  EXPECT_EQ(got[4].timestamp, 566u) << "type 3 repeats the delta";
}

TEST(ChunkReader, RefusesWhatNoServerSends) {
  auto read = [](const std::string& wire) {
    ChunkReader reader;
    reader.append(wire.data(), wire.size());
    Message m;
    while (reader.next(m)) {
    }
  };
  EXPECT_THROW(read(std::string("\x43\x00\x00\x00\x00\x00\x01\x14"
                                "x",
                                9)),
               rtmp::Error)
      << "a type-1 header on a stream that never began";
  EXPECT_THROW(read(std::string("\x02\x00\x00\x00\x7f\xff\xff\x14\x00\x00\x00\x00", 12)),
               rtmp::Error)
      << "a message of 8 MiB";
  EXPECT_THROW(read(rtmp::chunkBytes(2, {rtmp::kSetChunkSize, 0, 0, std::string(4, '\0')}, 128)),
               rtmp::Error)
      << "a chunk size of 0";
  // 65 chunk streams, csids 3..67: from 64 on, the two-byte basic header.
  std::string many;
  for (int csid = 3; csid < 3 + 65; ++csid) {
    std::string chunk = rtmp::chunkBytes(3, {20, 0, 0, "x"}, 128);
    if (csid < 64) {
      chunk[0] = static_cast<char>(csid);
    } else {
      chunk.replace(0, 1, {'\0', static_cast<char>(csid - 64)});
    }
    many += chunk;
  }
  EXPECT_THROW(read(many), rtmp::Error) << "more than 64 chunk streams";
}

TEST(ChunkReader, RefusesMoreThanAMebibyteOfUnfinishedMessages) {
  // Each of 17 chunk streams begins a 1 MiB message and sends 64 KiB of it:
  // each is allowed, together they would be 17 MiB held once all are sent.
  std::string wire =
      rtmp::chunkBytes(2, {rtmp::kSetChunkSize, 0, 0, std::string("\0\1\0\0", 4)}, 128);
  const std::string first_chunk =
      rtmp::chunkBytes(3, {20, 0, 0, std::string(1 << 20, 'x')}, 64 << 10)
          .substr(0, 12 + (64 << 10));
  for (int csid = 3; csid < 3 + 17; ++csid) {
    std::string chunk = first_chunk;
    chunk[0] = static_cast<char>(csid);
    wire += chunk;
  }
  ChunkReader reader;
  Message m;
  std::size_t fed = 0;
  auto feed = [&] {
    for (; fed < wire.size(); fed += 4096) {
      reader.append(wire.data() + fed, std::min<std::size_t>(4096, wire.size() - fed));
      while (reader.next(m)) {
      }
    }
  };
  EXPECT_THROW(feed(), rtmp::Error);
}
}  // namespace
}  // namespace yst::streaming
