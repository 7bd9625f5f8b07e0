// How a question is shown to each kind of client (assets/protocol.md,
// "Audience questions"): the public list's entry, the asker's own copy, the
// producer's full record with the moves allowed on it, and the host monitor's
// line. Each view says only what its reader may see: an asker's viewer id is
// in none, nor is the client id of the asker's submission in any but the
// asker's own; the public view leaves out fields at their usual value, since it
// is sent to every viewer for every change.
#pragma once

#include <nlohmann/json.hpp>

#include "studio/questions/question.h"

namespace yst::protocol {

// `votes` is what the question shows: its own and those merged into it.
nlohmann::json publicView(const questions::Question& q, int votes);
nlohmann::json ownView(const questions::Question& q, int votes);
nlohmann::json producerView(const questions::Question& q, int votes);
nlohmann::json hostView(const questions::Question& q, int votes);

}  // namespace yst::protocol
