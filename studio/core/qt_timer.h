// The desks' timers (base/timer.h) as QTimers on the controller's loop.
#pragma once

#include <QObject>

#include <functional>
#include <memory>

#include "studio/base/timer.h"

namespace yst::core {

// A single-shot QTimer, a child of nothing: it lives as long as the desk
// that holds it and runs on the thread that made it.
std::unique_ptr<Timer> makeQtTimer(std::function<void()> fire);

}  // namespace yst::core
