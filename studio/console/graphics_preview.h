// Broadcast graphics as they will look on air, for the console:
//
//   image://graphics/card/<question id>/<revision>/<theme>
//       the question's card (the questions desk, before it goes on air);
//   image://graphics/lower_third/<person>/<theme>
//       a person's lower-third (the graphics desk's theme previews);
//
// drawn by the program's renderer code in that theme at the program's size.
//
// GUI thread only (QML asks with `asynchronous: false`): the console keeps
// renderers of its own, since a Renderer's Pango and Cairo are used from
// one thread at a time and the program's renders on the graphics thread.
#pragma once

#include <QQuickImageProvider>
#include <map>
#include <memory>
#include <string>

#include "overlay/renderer.h"
#include "studio/config/show_config.h"

namespace yst::console {

class ConsoleClient;

class GraphicsPreviewProvider : public QQuickImageProvider {
 public:
  GraphicsPreviewProvider(const ConsoleClient* client, config::ShowConfig show);
  QImage requestImage(const QString& id, QSize* size, const QSize& requested_size) override;

 private:
  // The renderer for a theme (empty: the show's), or null when it does not
  // load (logged).
  const overlay::Renderer* rendererFor(const std::string& theme);

  const ConsoleClient* client_;
  config::ShowConfig show_;
  std::map<std::string, std::unique_ptr<overlay::Renderer>> renderers_;  // by theme
};

}  // namespace yst::console
