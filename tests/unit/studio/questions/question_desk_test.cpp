#include "studio/questions/question_desk.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

namespace yst::questions {
namespace {

class QuestionDeskTest : public ::testing::Test {
 protected:
  std::int64_t ask(const std::string& text, const std::string& viewer = "viewer-aaaaaaaaaaaa") {
    protocol::Submission s;
    s.text = text;
    Question q = desk.prepare(s, viewer, 0, "", "2026-11-27T00:00:00.000Z", 1000);
    const std::int64_t id = q.id;
    desk.admit(std::move(q));
    return id;
  }
  Outcome run(Action action, std::int64_t id, std::int64_t extra = 0) {
    Command c;
    c.action = action;
    c.question = id;
    c.into = extra;
    c.position = extra;
    c.by = "小李";
    c.utc = "2026-11-27T00:01:00.000Z";
    c.timeline_ms = 60000;
    return desk.apply(c);
  }
  Status status(std::int64_t id) const { return desk.find(id)->status; }

  QuestionDesk desk;
};

TEST_F(QuestionDeskTest, ApprovedQuestionsQueueInApprovalOrder) {
  const auto a = ask("医保卡异地使用怎么备案？");
  const auto b = ask("门诊报销比例今年会提高吗？");
  const auto c = ask("长期护理保险什么时候全市推开？");
  ASSERT_TRUE(run(Action::kApprove, c).ok());
  ASSERT_TRUE(run(Action::kApprove, a).ok());
  EXPECT_EQ(desk.queue(), (std::vector<std::int64_t>{c, a}));
  EXPECT_EQ(status(b), Status::kPending);
  const Counters counters = desk.counters();
  EXPECT_EQ(counters.received, 3);
  EXPECT_EQ(counters.pending, 1);
  EXPECT_EQ(counters.approved, 2);
}

TEST_F(QuestionDeskTest, TransitionsNotAllowedChangeNothing) {
  const auto a = ask("问题一的内容");
  Outcome o = run(Action::kOffAir, a);
  EXPECT_EQ(o.error_code, "invalid");
  o = run(Action::kMove, a, 0);
  EXPECT_EQ(o.error_code, "invalid");
  ASSERT_TRUE(run(Action::kReject, a).ok());
  EXPECT_EQ(run(Action::kOnAir, a).error_code, "invalid");
  EXPECT_EQ(run(Action::kAnswered, a).error_code, "invalid");
  EXPECT_EQ(status(a), Status::kRejected);
  EXPECT_EQ(desk.find(a)->reject_reason, RejectReason::kOther);
  EXPECT_EQ(run(Action::kApprove, 999).error_code, "not_found");
  EXPECT_EQ(desk.undoDepth(), 1u);
}

// Every action from every status, each on a desk of its own: allowed ones
// change the status as the protocol says, the others are refused with
// "<action> is not allowed for a <status> question" and change nothing. The
// table is the protocol's ("Producer commands"), the one the producer page
// and the console follow.
TEST(QuestionDeskTransitions, TransitionMatrix) {
  const std::map<Action, std::set<Status>> allowed = {
      {Action::kApprove, {Status::kPending, Status::kRejected, Status::kMerged}},
      {Action::kReject, {Status::kPending, Status::kApproved}},
      {Action::kEdit,
       {Status::kPending, Status::kApproved, Status::kOnAir, Status::kAnswered, Status::kRejected}},
      {Action::kMerge, {Status::kPending, Status::kApproved, Status::kRejected}},
      {Action::kOnAir, {Status::kPending, Status::kApproved, Status::kAnswered}},
      {Action::kOffAir, {Status::kOnAir}},
      {Action::kAnswered, {Status::kOnAir, Status::kApproved}},
      {Action::kMove, {Status::kApproved}},
  };
  const Status statuses[] = {Status::kPending,  Status::kApproved, Status::kOnAir,
                             Status::kAnswered, Status::kRejected, Status::kMerged};
  for (const auto& [action, from] : allowed) {
    for (Status status : statuses) {
      SCOPED_TRACE(std::string(actionName(action)) + " on a " + std::string(statusName(status)) +
                   " question");
      QuestionDesk desk;
      auto ask = [&](const std::string& text) {
        protocol::Submission s;
        s.text = text;
        Question q =
            desk.prepare(s, "viewer-aaaaaaaaaaaa", 0, "", "2026-11-27T00:00:00.000Z", 1000);
        const std::int64_t id = q.id;
        desk.admit(std::move(q));
        return id;
      };
      auto run = [&](Action a, std::int64_t id, std::int64_t extra = 0) {
        Command c;
        c.action = a;
        c.question = id;
        c.into = extra;
        c.position = extra;
        c.text = "改过的问题文字";
        c.by = "小李";
        c.utc = "2026-11-27T00:01:00.000Z";
        c.timeline_ms = 60000;
        return desk.apply(c);
      };
      const std::int64_t q = ask("问题的内容");
      const std::int64_t other = ask("另一个问题");
      switch (status) {
        case Status::kApproved:
          ASSERT_TRUE(run(Action::kApprove, q).ok());
          break;
        case Status::kOnAir:
          ASSERT_TRUE(run(Action::kOnAir, q).ok());
          break;
        case Status::kAnswered:
          ASSERT_TRUE(run(Action::kOnAir, q).ok());
          ASSERT_TRUE(run(Action::kAnswered, q).ok());
          break;
        case Status::kRejected:
          ASSERT_TRUE(run(Action::kReject, q).ok());
          break;
        case Status::kMerged:
          ASSERT_TRUE(run(Action::kMerge, q, other).ok());
          break;
        default:
          break;
      }
      ASSERT_EQ(desk.find(q)->status, status);
      // The table the producer's page is given agrees with what apply() does.
      EXPECT_EQ(actionAllowed(action, status), from.count(status) == 1);
      const std::vector<Action> listed = allowedActions(status);
      EXPECT_EQ(std::count(listed.begin(), listed.end(), action), from.count(status));
      const std::size_t undo_depth = desk.undoDepth();
      const Outcome outcome = run(action, q, action == Action::kMerge ? other : 0);
      if (from.count(status)) {
        EXPECT_TRUE(outcome.ok()) << outcome.error_code << ": " << outcome.error_message;
        EXPECT_EQ(desk.undoDepth(), undo_depth + 1);
      } else {
        EXPECT_EQ(outcome.error_code, "invalid");
        EXPECT_EQ(outcome.error_message, std::string(actionName(action)) +
                                             " is not allowed for a " +
                                             std::string(statusName(status)) + " question");
        EXPECT_EQ(desk.find(q)->status, status);
        EXPECT_EQ(desk.undoDepth(), undo_depth);
      }
    }
  }
  for (Status status : statuses) {
    for (Action action : allowedActions(status)) {
      EXPECT_TRUE(allowed.count(action)) << "undo and unknown actions are never listed";
    }
    EXPECT_FALSE(actionAllowed(Action::kUndo, status));
  }
}

TEST_F(QuestionDeskTest, OnlyOneQuestionIsOnAirAndTheOtherGoesBackToTheFront) {
  const auto a = ask("第一个问题的内容");
  const auto b = ask("第二个问题的内容");
  const auto c = ask("第三个问题的内容");
  for (auto id : {a, b, c}) ASSERT_TRUE(run(Action::kApprove, id).ok());
  ASSERT_TRUE(run(Action::kOnAir, b).ok());
  EXPECT_EQ(desk.onAir(), b);
  EXPECT_EQ(desk.queue(), (std::vector<std::int64_t>{a, c}));
  EXPECT_EQ(desk.find(b)->aired_ms, 60000);
  Outcome o = run(Action::kOnAir, c);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(desk.onAir(), c);
  EXPECT_EQ(desk.queue(), (std::vector<std::int64_t>{b, a}));
  EXPECT_NE(std::find(o.changed.begin(), o.changed.end(), b), o.changed.end());
  // off_air and answered default to the question on air
  ASSERT_TRUE(run(Action::kAnswered, 0).ok());
  EXPECT_EQ(status(c), Status::kAnswered);
  EXPECT_EQ(desk.onAir(), 0);
  EXPECT_EQ(run(Action::kOffAir, 0).error_code, "invalid");
}

TEST_F(QuestionDeskTest, MovePlacesAQuestionAtAnIndex) {
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(ask("排队的问题 " + std::to_string(i)));
    ASSERT_TRUE(run(Action::kApprove, ids.back()).ok());
  }
  ASSERT_TRUE(run(Action::kMove, ids[4], 0).ok());
  EXPECT_EQ(desk.queue(), (std::vector<std::int64_t>{ids[4], ids[0], ids[1], ids[2], ids[3]}));
  ASSERT_TRUE(run(Action::kMove, ids[4], 2).ok());
  EXPECT_EQ(desk.queue(), (std::vector<std::int64_t>{ids[0], ids[1], ids[4], ids[2], ids[3]}));
  ASSERT_TRUE(run(Action::kMove, ids[0], 99).ok());
  EXPECT_EQ(desk.queue(), (std::vector<std::int64_t>{ids[1], ids[4], ids[2], ids[3], ids[0]}));
  // Many moves into the same gap end in a renumbering, never in a wrong order.
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(run(Action::kMove, i % 2 ? ids[2] : ids[3], 1).ok());
  }
  const auto queue = desk.queue();
  ASSERT_EQ(queue.size(), 5u);
  EXPECT_EQ(queue[0], ids[1]);
  EXPECT_EQ(queue[1], ids[2]);  // moved last
  EXPECT_EQ(queue[2], ids[3]);
}

TEST_F(QuestionDeskTest, EditKeepsTheOriginalAndUndoRestoresTheText) {
  const auto a = ask("原始的问题文字");
  Command edit;
  edit.action = Action::kEdit;
  edit.question = a;
  edit.text = "编辑后的问题文字";
  edit.by = "小李";
  Outcome o = desk.apply(edit);
  ASSERT_TRUE(o.ok());
  ASSERT_TRUE(o.edit.has_value());
  EXPECT_EQ(desk.find(a)->text(), "编辑后的问题文字");
  EXPECT_EQ(desk.find(a)->original_text, "原始的问题文字");
  EXPECT_EQ(desk.find(a)->edits.back().by, "小李");
  EXPECT_EQ(desk.apply(edit).error_code, "invalid");  // unchanged
  Command undo;
  undo.action = Action::kUndo;
  undo.by = "小王";
  o = desk.apply(undo);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o.action, Action::kEdit);
  EXPECT_EQ(desk.find(a)->text(), "原始的问题文字");
  EXPECT_EQ(desk.find(a)->edits.size(), 2u);  // the undo is history too
  EXPECT_EQ(desk.apply(undo).error_code, "nothing_to_undo");
}

TEST_F(QuestionDeskTest, UndoPutsTheDisplacedQuestionBackOnAir) {
  const auto a = ask("第一个问题的内容");
  const auto b = ask("第二个问题的内容");
  ASSERT_TRUE(run(Action::kApprove, a).ok());
  ASSERT_TRUE(run(Action::kApprove, b).ok());
  ASSERT_TRUE(run(Action::kOnAir, a).ok());
  ASSERT_TRUE(run(Action::kOnAir, b).ok());
  Command undo;
  undo.action = Action::kUndo;
  Outcome o = desk.apply(undo);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(desk.onAir(), a);
  EXPECT_EQ(status(b), Status::kApproved);
  EXPECT_EQ(desk.queue(), (std::vector<std::int64_t>{b}));
  ASSERT_TRUE(desk.apply(undo).ok());  // a off air again, back to the queue
  EXPECT_EQ(desk.onAir(), 0);
  EXPECT_EQ(desk.queue(), (std::vector<std::int64_t>{a, b}));
}

TEST_F(QuestionDeskTest, MergeMovesVotesAndUndoSplitsThem) {
  const auto a = ask("医保卡在外地怎么用？", "viewer-aaaaaaaaaaaa");
  const auto b = ask("外地怎么用医保卡？？", "viewer-bbbbbbbbbbbb");
  ASSERT_TRUE(run(Action::kApprove, a).ok());
  ASSERT_TRUE(run(Action::kApprove, b).ok());
  EXPECT_EQ(desk.vote(b, "v1"), QuestionDesk::VoteResult::kCounted);
  EXPECT_EQ(desk.vote(b, "v1"), QuestionDesk::VoteResult::kAlreadyVoted);
  EXPECT_EQ(desk.vote(a, "v2"), QuestionDesk::VoteResult::kCounted);
  Outcome o = run(Action::kMerge, b, a);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(status(b), Status::kMerged);
  EXPECT_EQ(desk.find(b)->merged_into, a);
  EXPECT_EQ(desk.votesOf(a), 2);
  EXPECT_EQ(o.left_public, (std::vector<std::int64_t>{b}));
  EXPECT_EQ(desk.vote(b, "v3"), QuestionDesk::VoteResult::kNotPublic);
  EXPECT_EQ(run(Action::kMerge, a, a).error_code, "invalid");
  Command undo;
  undo.action = Action::kUndo;
  ASSERT_TRUE(desk.apply(undo).ok());
  EXPECT_EQ(status(b), Status::kApproved);
  EXPECT_EQ(desk.votesOf(a), 1);
  EXPECT_EQ(desk.votesOf(b), 1);
}

TEST_F(QuestionDeskTest, DuplicatesPointAtTheFirstOfTheirGroup) {
  const auto a = ask("请问医保卡异地就医怎么备案？");
  const auto b = ask("请问 医保卡 异地就医 怎么备案");
  const auto c = ask("请问医保卡异地就医怎么备案啊？");
  const auto d = ask("公交车为什么总是晚点？");
  EXPECT_EQ(desk.find(a)->duplicate_of, 0);
  EXPECT_EQ(desk.find(b)->duplicate_of, a);
  EXPECT_EQ(desk.find(c)->duplicate_of, a);
  EXPECT_EQ(desk.find(d)->duplicate_of, 0);
}

TEST_F(QuestionDeskTest, SensitiveWordsAreFlagged) {
  const text::WordFilter filter = text::WordFilter::fromText("赌博\n代开发票\n", "test");
  QuestionDesk filtered(&filter);
  protocol::Submission s;
  s.text = "有人在小区里赌 博，还有人代开 发票";
  Question q = filtered.prepare(s, "viewer-aaaaaaaaaaaa", 0, "", "", 0);
  EXPECT_EQ(q.matched_words, (std::vector<std::string>{"赌博", "代开发票"}));
}

TEST_F(QuestionDeskTest, LoadRestoresQueueOnAirAndVoters) {
  const auto a = ask("第一个问题的内容");
  const auto b = ask("第二个问题的内容");
  const auto c = ask("第三个问题的内容");
  for (auto id : {a, b, c}) ASSERT_TRUE(run(Action::kApprove, id).ok());
  ASSERT_TRUE(run(Action::kMove, c, 0).ok());
  ASSERT_TRUE(run(Action::kOnAir, b).ok());
  ASSERT_EQ(desk.vote(a, "v1"), QuestionDesk::VoteResult::kCounted);
  std::vector<Question> saved;
  for (const auto& [id, q] : desk.all()) saved.push_back(q);
  std::reverse(saved.begin(), saved.end());
  QuestionDesk restored;
  restored.load(saved, {{a, "v1"}}, 100);
  EXPECT_EQ(restored.queue(), (std::vector<std::int64_t>{c, a}));
  EXPECT_EQ(restored.onAir(), b);
  EXPECT_EQ(restored.vote(a, "v1"), QuestionDesk::VoteResult::kAlreadyVoted);
  protocol::Submission s;
  s.text = "新问题";
  EXPECT_EQ(restored.prepare(s, "v", 0, "", "", 0).id, 100);
}

TEST_F(QuestionDeskTest, UndoHistoryIsBounded) {
  const auto a = ask("来回通过拒绝的问题");
  for (std::size_t i = 0; i < QuestionDesk::kMaxUndo + 20; ++i) {
    ASSERT_TRUE(run(i % 2 ? Action::kApprove : Action::kReject, a).ok());
  }
  EXPECT_EQ(desk.undoDepth(), QuestionDesk::kMaxUndo);
}

}  // namespace
}  // namespace yst::questions
