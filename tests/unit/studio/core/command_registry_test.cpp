// The one list of commands: who may send what, the errors a client gets, and
// the per-role lists that hello.ok carries.
#include "studio/core/command_registry.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace yst::core {
namespace {

using nlohmann::json;

class CommandRegistryTest : public ::testing::Test {
 protected:
  CommandOutcome send(Role role, const std::string& type) {
    ClientInfo info;
    info.role = role;
    const json message = {{"type", type}};
    const json id;
    CommandContext context{7, info, message, id};
    return registry.dispatch(context);
  }
  static CommandError errorOf(const CommandOutcome& outcome) {
    const CommandError* error = outcome.error();
    return error ? *error : CommandError{};
  }

  CommandRegistry registry;
};

TEST_F(CommandRegistryTest, RunsTheHandlerOnlyForTheRolesAllowed) {
  int ran = 0;
  registry.add("program.set", roles({Role::kProducer}), [&](CommandContext& c) -> CommandOutcome {
    ++ran;
    EXPECT_EQ(c.client, 7u);
    return json{{"scene", "cam1"}};
  });
  const CommandOutcome ok = send(Role::kProducer, "program.set");
  ASSERT_TRUE(ok.fields());
  EXPECT_EQ(*ok.fields(), (json{{"scene", "cam1"}}));
  for (Role role : {Role::kNone, Role::kViewer, Role::kObserver, Role::kTypist, Role::kHost}) {
    const CommandError e = errorOf(send(role, "program.set"));
    EXPECT_EQ(e.code, "forbidden");
    EXPECT_EQ(e.message, "\"program.set\" needs the producer role");
  }
  EXPECT_EQ(ran, 1);
}

TEST_F(CommandRegistryTest, NamesEveryRoleAllowedInForbidden) {
  registry.add("transcript.commit", roles({Role::kProducer, Role::kTypist}),
               [](CommandContext&) -> CommandOutcome { return Handled{}; });
  EXPECT_EQ(errorOf(send(Role::kViewer, "transcript.commit")).message,
            "\"transcript.commit\" needs the typist or producer role");
  EXPECT_TRUE(send(Role::kTypist, "transcript.commit").handled());
  EXPECT_EQ(rolesText(roles({Role::kHost, Role::kTypist, Role::kProducer})),
            "typist or host or producer");
}

TEST_F(CommandRegistryTest, AnUnknownTypeIsUnknownAndItsNameIsCut) {
  const std::string long_type = "x." + std::string(200, 'a');
  const CommandError e = errorOf(send(Role::kProducer, long_type));
  EXPECT_EQ(e.code, "unknown_type");
  EXPECT_EQ(e.message, "unknown message type \"" + long_type.substr(0, 64) + "\"");
}

TEST_F(CommandRegistryTest, ANamespaceIsForbiddenToOthersAndUnknownToItsRoles) {
  registry.addNamespace("overlay.", roles({Role::kProducer}));
  registry.add("overlay.get", roles({Role::kProducer}),
               [](CommandContext&) -> CommandOutcome { return json::object(); });
  EXPECT_EQ(errorOf(send(Role::kViewer, "overlay.nope")).code, "forbidden");
  EXPECT_EQ(errorOf(send(Role::kViewer, "overlay.nope")).message,
            "\"overlay.nope\" needs the producer role");
  EXPECT_EQ(errorOf(send(Role::kProducer, "overlay.nope")).code, "unknown_type");
  EXPECT_EQ(errorOf(send(Role::kViewer, "question.nope")).code, "unknown_type")
      << "outside a namespace an unknown type is unknown to everyone";
}

TEST_F(CommandRegistryTest, ACommandAddedTwiceIsAProgrammingError) {
  auto handler = [](CommandContext&) -> CommandOutcome { return Handled{}; };
  registry.add("hello", kAnyone, handler);
  EXPECT_THROW(registry.add("hello", kAnyone, handler), std::logic_error);
}

TEST_F(CommandRegistryTest, EachRoleIsToldTheCommandsItMaySendSorted) {
  auto handler = [](CommandContext&) -> CommandOutcome { return Handled{}; };
  registry.add("question.submit", kAnyone, handler);
  registry.add("hello", kAnyone, handler);
  registry.add("transcript.commit", roles({Role::kProducer, Role::kTypist}), handler);
  registry.add("cue.send", roles({Role::kProducer}), handler);
  EXPECT_EQ(registry.commandsFor(Role::kViewer), (json{"hello", "question.submit"}));
  EXPECT_EQ(registry.commandsFor(Role::kTypist),
            (json{"hello", "question.submit", "transcript.commit"}));
  EXPECT_EQ(registry.commandsFor(Role::kProducer),
            (json{"cue.send", "hello", "question.submit", "transcript.commit"}));
  registry.add("recording.start", roles({Role::kProducer}), handler);
  EXPECT_EQ(registry.commandsFor(Role::kProducer).size(), 5u) << "a later add is listed too";
}

}  // namespace
}  // namespace yst::core
