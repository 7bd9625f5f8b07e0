// WebSocket messages: what parseMessage refuses before the controller sees a
// message, and the validation of questions and producers' edits, with the
// codes and messages that the error replies carry.
#include "studio/protocol/message.h"

#include <gtest/gtest.h>

#include <string>

#include "studio/text/text.h"

namespace yst::protocol {
namespace {

using nlohmann::json;
using questions::Category;

std::string repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

ProtocolError messageRefusal(std::string_view text, int max_depth = 8) {
  auto parsed = parseMessage(text, max_depth);
  if (auto* error = std::get_if<ProtocolError>(&parsed)) return *error;
  ADD_FAILURE() << "accepted: " << text.substr(0, 200);
  return {};
}

ProtocolError submissionRefusal(const json& message, const SubmissionLimits& limits = {}) {
  auto parsed = parseSubmission(message, limits);
  if (auto* error = std::get_if<ProtocolError>(&parsed)) return *error;
  ADD_FAILURE() << "accepted: " << message.dump();
  return {};
}

Submission accepted(const json& message, const SubmissionLimits& limits = {}) {
  auto parsed = parseSubmission(message, limits);
  if (auto* error = std::get_if<ProtocolError>(&parsed)) {
    ADD_FAILURE() << message.dump() << ": " << error->code << " " << error->message;
    return {};
  }
  return std::get<Submission>(parsed);
}

json submit(const json& fields) {
  json message = fields;
  message["type"] = "question.submit";
  return message;
}

TEST(ParseMessage, AcceptsAnObjectWithAStringType) {
  auto parsed = parseMessage(R"({"type":"question.submit","text":"医保卡怎么补办？","id":7})");
  ASSERT_TRUE(std::holds_alternative<json>(parsed));
  const json& message = std::get<json>(parsed);
  EXPECT_EQ(message["type"], "question.submit");
  EXPECT_EQ(message["text"], "医保卡怎么补办？");
  EXPECT_EQ(message["id"], 7);
}

TEST(ParseMessage, RefusesInvalidUtf8) {
  for (std::string_view bad : {
           std::string_view("{\"type\":\"x\",\"text\":\"\xFF\"}"),
           std::string_view("{\"type\":\"x\",\"text\":\"\xC0\xBC\"}"),          // overlong '<'
           std::string_view("{\"type\":\"x\",\"text\":\"\xE0\x80\xAF\"}"),      // overlong '/'
           std::string_view("{\"type\":\"x\",\"text\":\"\xED\xA0\x80\"}"),      // surrogate
           std::string_view("{\"type\":\"x\",\"text\":\"\xF4\x90\x80\x80\"}"),  // > U+10FFFF
           std::string_view("{\"type\":\"x\",\"text\":\"\xE5\x8C\"}"),          // truncated
           std::string_view("\xEF\xBB"),
       }) {
    const ProtocolError error = messageRefusal(bad);
    EXPECT_EQ(error.code, "bad_message");
    EXPECT_EQ(error.message, "invalid UTF-8");
  }
}

TEST(ParseMessage, RefusesEscapedLoneSurrogates) {
  // Valid UTF-8 bytes, but the escape names half a character.
  EXPECT_EQ(messageRefusal(R"({"type":"x","text":"\ud800"})").code, "bad_message");
  EXPECT_EQ(messageRefusal(R"({"type":"x","text":"\udc00x"})").code, "bad_message");
}

TEST(ParseMessage, RefusesDeepNestingBeforeBuildingIt) {
  const ProtocolError deep = messageRefusal(std::string(4096, '['));
  EXPECT_EQ(deep.code, "bad_message");
  EXPECT_EQ(deep.message, "nested too deeply");

  const std::string inside = R"({"type":"x","text":)" + repeat("[", 20) + repeat("]", 20) + "}";
  EXPECT_EQ(messageRefusal(inside).message, "nested too deeply");
  EXPECT_EQ(messageRefusal(repeat(R"({"a":)", 2000)).message, "nested too deeply");
}

TEST(ParseMessage, DepthCountsContainersFromTheTopLevelObject) {
  // The object is level 1, so seven arrays inside make eight levels.
  const std::string eight = R"({"type":"x","a":)" + repeat("[", 7) + "1" + repeat("]", 7) + "}";
  const std::string nine = R"({"type":"x","a":)" + repeat("[", 8) + "1" + repeat("]", 8) + "}";
  EXPECT_TRUE(std::holds_alternative<json>(parseMessage(eight)));
  EXPECT_EQ(messageRefusal(nine).message, "nested too deeply");
  EXPECT_TRUE(std::holds_alternative<json>(parseMessage(R"({"type":"x"})", 1)));
  EXPECT_EQ(messageRefusal(R"({"type":"x","a":{}})", 1).message, "nested too deeply");
}

TEST(ParseMessage, RefusesWhatIsNotJson) {
  for (std::string_view bad : {"", "not json", "{", R"({"type":"x",})", R"({"type":'x'})",
                               "{\"type\":\"x\"} trailing", "{\"type\":\"x\"}{}"}) {
    const ProtocolError error = messageRefusal(bad);
    EXPECT_EQ(error.code, "bad_message") << bad;
    EXPECT_EQ(error.message, "not valid JSON") << bad;
  }
}

TEST(ParseMessage, RefusesAnythingButAnObjectWithAStringType) {
  for (std::string_view bad :
       {"42", "-1.5e300", "true", "null", R"("question.submit")", R"(["type","x"])", "[]", "{}",
        R"({"text":"no type"})", R"({"type":7})", R"({"type":null})", R"({"type":["x"]})",
        R"({"type":{"name":"x"}})"}) {
    const ProtocolError error = messageRefusal(bad);
    EXPECT_EQ(error.code, "bad_message") << bad;
    EXPECT_EQ(error.message, "a message is a JSON object with a string \"type\"") << bad;
  }
}

TEST(ParseSubmission, AcceptsAQuestionWithDefaults) {
  const Submission s = accepted(submit({{"text", "医保卡丢了怎么补办？"}}));
  EXPECT_EQ(s.text, "医保卡丢了怎么补办？");
  EXPECT_EQ(s.nickname, "");
  EXPECT_EQ(s.category, Category::kQuestion);
}

TEST(ParseSubmission, TextMustBeAString) {
  for (const json& message : {submit({}), submit({{"text", 42}}), submit({{"text", nullptr}}),
                              submit({{"text", json::array({"not", "text"})}}),
                              submit({{"text", {{"a", 1}}}}), json("text"), json::array()}) {
    const ProtocolError error = submissionRefusal(message);
    EXPECT_EQ(error.code, "bad_message") << message.dump();
    EXPECT_EQ(error.message, "text must be a string");
  }
}

TEST(ParseSubmission, CountsCharactersNotBytes) {
  EXPECT_EQ(accepted(submit({{"text", repeat("医", 300)}})).text, repeat("医", 300));
  EXPECT_EQ(accepted(submit({{"text", repeat("😀", 300)}})).text, repeat("😀", 300));

  const ProtocolError error = submissionRefusal(submit({{"text", repeat("医", 301)}}));
  EXPECT_EQ(error.code, "too_long");
  EXPECT_EQ(error.message, "text: at most 300 characters; got 301");

  SubmissionLimits limits;
  limits.max_chars = 10;
  EXPECT_EQ(submissionRefusal(submit({{"text", repeat("a", 11)}}), limits).message,
            "text: at most 10 characters; got 11");
}

TEST(ParseSubmission, RefusesTextWithNothingVisible) {
  for (const char* blank : {"", "   ", " \u3000\t\n ", "\x01\x02\x7F\u200B", "\u202E\uFEFF"}) {
    const ProtocolError error = submissionRefusal(submit({{"text", blank}}));
    EXPECT_EQ(error.code, "empty") << blank;
    EXPECT_EQ(error.message, "text is empty");
  }
}

TEST(ParseSubmission, StripsControlCharactersAndKeepsParagraphs) {
  constexpr char kRaw[] = "带\0控制\x1B字符\u202E的问题";
  EXPECT_EQ(accepted(submit({{"text", std::string(kRaw, sizeof kRaw - 1)}})).text,
            "带控制字符的问题");
  EXPECT_EQ(accepted(submit({{"text", "  第一段\r\n\r\n\r\n第二段\t结束  "}})).text,
            "第一段\n\n第二段 结束");
}

TEST(ParseSubmission, KeepsMarkupVerbatim) {
  const std::string nasty = "<script>alert(1)</script>'; DROP TABLE questions; --";
  EXPECT_EQ(accepted(submit({{"text", nasty}})).text, nasty);
  EXPECT_EQ(accepted(submit({{"text", "问题"}, {"nickname", "<b>小王</b>"}})).nickname,
            "<b>小王</b>");
}

TEST(ParseSubmission, NicknameIsOptionalCleanedAndLimited) {
  EXPECT_EQ(accepted(submit({{"text", "问题"}, {"nickname", " 温州\n市民 "}})).nickname,
            "温州 市民");
  EXPECT_EQ(accepted(submit({{"text", "问题"}, {"nickname", "\u200B \t"}})).nickname, "");
  EXPECT_EQ(accepted(submit({{"text", "问题"}, {"nickname", nullptr}})).nickname, "");
  EXPECT_EQ(accepted(submit({{"text", "问题"}, {"nickname", repeat("名", 20)}})).nickname,
            repeat("名", 20));

  const ProtocolError long_name =
      submissionRefusal(submit({{"text", "问题"}, {"nickname", repeat("名", 21)}}));
  EXPECT_EQ(long_name.code, "too_long");
  EXPECT_EQ(long_name.message, "nickname: at most 20 characters; got 21");

  const ProtocolError wrong_type = submissionRefusal(submit({{"text", "问题"}, {"nickname", 5}}));
  EXPECT_EQ(wrong_type.code, "bad_message");
  EXPECT_EQ(wrong_type.message, "nickname must be a string");
}

TEST(ParseSubmission, CategoryIsOptionalAndMustBeKnown) {
  EXPECT_EQ(accepted(submit({{"text", "问题"}, {"category", "suggestion"}})).category,
            Category::kSuggestion);
  EXPECT_EQ(accepted(submit({{"text", "问题"}, {"category", "complaint"}})).category,
            Category::kComplaint);
  EXPECT_EQ(accepted(submit({{"text", "问题"}, {"category", "question"}})).category,
            Category::kQuestion);
  EXPECT_EQ(accepted(submit({{"text", "问题"}, {"category", nullptr}})).category,
            Category::kQuestion);
  for (const json& category : {json("praise"), json("invalid"), json(""), json(1), json::array()}) {
    const ProtocolError error =
        submissionRefusal(submit({{"text", "问题"}, {"category", category}}));
    EXPECT_EQ(error.code, "bad_message") << category.dump();
    EXPECT_EQ(error.message, "category must be one of question, suggestion, complaint");
  }
}

// The page's id for a submission (sent again with every retry): optional,
// for older pages; when present, 8 to 64 URL-safe characters.
TEST(ParseSubmission, ClientIdIsOptionalAndUrlSafe) {
  EXPECT_EQ(accepted(submit({{"text", "问题"}})).client_id, "");
  EXPECT_EQ(accepted(submit({{"text", "问题"}, {"client_id", nullptr}})).client_id, "");
  for (const std::string& id : {std::string("abcd_-09"), std::string("Zq3-xY_9") + repeat("a", 56),
                                std::string("0123456789abcdef0123456789ABCDEF")}) {
    EXPECT_EQ(accepted(submit({{"text", "问题"}, {"client_id", id}})).client_id, id);
  }
  for (const json& id : {json("abc_-09"), json(repeat("a", 65)), json(""), json("abcdefgh "),
                         json("abcd.efgh"), json("abcd/efgh"), json("问题问题问题问题"),
                         json("abcdefg\n"), json(12345678), json::array(), json::object()}) {
    const ProtocolError error = submissionRefusal(submit({{"text", "问题"}, {"client_id", id}}));
    EXPECT_EQ(error.code, "bad_message") << id.dump();
    EXPECT_EQ(error.message, "client_id must be 8 to 64 characters of A-Z, a-z, 0-9, _ and -");
  }
}

TEST(ParseSubmission, ErrorsNeverEchoTheText) {
  const std::string secret = "<img src=x onerror=alert(1)>";
  for (const json& message : {submit({{"text", secret + repeat("x", 300)}}),
                              submit({{"text", "问题"}, {"nickname", secret}}),
                              submit({{"text", "问题"}, {"category", secret}}),
                              submit({{"text", "问题"}, {"client_id", secret}})}) {
    const ProtocolError error = submissionRefusal(message);
    EXPECT_EQ(error.message.find("img"), std::string::npos) << error.message;
  }
}

TEST(ParseQuestionText, AppliesTheSubmissionRulesToAnEdit) {
  const SubmissionLimits limits;
  auto edited = parseQuestionText(
      {{"type", "question.edit"}, {"question", 3}, {"text", " 公交12路为什么\u200B经常晚点？ "}},
      limits);
  ASSERT_TRUE(std::holds_alternative<std::string>(edited));
  EXPECT_EQ(std::get<std::string>(edited), "公交12路为什么经常晚点？");

  auto too_long = parseQuestionText({{"text", repeat("医", 301)}}, limits);
  ASSERT_TRUE(std::holds_alternative<ProtocolError>(too_long));
  EXPECT_EQ(std::get<ProtocolError>(too_long).code, "too_long");
  EXPECT_EQ(std::get<ProtocolError>(too_long).message, "text: at most 300 characters; got 301");

  auto empty = parseQuestionText({{"text", " \u3000 "}}, limits);
  ASSERT_TRUE(std::holds_alternative<ProtocolError>(empty));
  EXPECT_EQ(std::get<ProtocolError>(empty).code, "empty");
}

TEST(ParseQuestionText, AMissingOrNonStringTextIsInvalid) {
  for (const json& message : {json{{"question", 3}}, json{{"text", 5}}, json{{"text", nullptr}}}) {
    auto parsed = parseQuestionText(message, SubmissionLimits{});
    ASSERT_TRUE(std::holds_alternative<ProtocolError>(parsed)) << message.dump();
    EXPECT_EQ(std::get<ProtocolError>(parsed).code, "invalid");
    EXPECT_EQ(std::get<ProtocolError>(parsed).message, "text must be a string");
  }
}

}  // namespace
}  // namespace yst::protocol

namespace yst::protocol {
namespace {

TEST(WithRawFieldTest, SplicesSharedJsonIntoAMessage) {
  const std::string shared = R"([{"id":1,"text":"医保"}])";
  const std::string text =
      withRawField(nlohmann::json{{"type", "hello.ok"}, {"id", 7}}, "public", shared);
  const nlohmann::json parsed = nlohmann::json::parse(text);
  EXPECT_EQ(parsed["type"], "hello.ok");
  EXPECT_EQ(parsed["id"], 7);
  EXPECT_EQ(parsed["public"][0]["text"], "医保");
  EXPECT_EQ(withRawField(nlohmann::json::object(), "lines", "[]"), R"({"lines":[]})");
}

}  // namespace
}  // namespace yst::protocol
