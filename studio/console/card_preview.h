// The question card as it will look on air, for the console's questions
// desk: `image://card/<question id>/<revision>/<theme>` draws the question
// with the show's renderer in the theme on air, at the program's size.
//
// GUI thread only (QML asks with `asynchronous: false`): the console keeps
// its own Renderer, since a Renderer's Pango and Cairo are used from one
// thread at a time and the program's renders on the graphics thread.
#pragma once

#include <QQuickImageProvider>
#include <memory>
#include <string>

#include "overlay/renderer.h"
#include "studio/config/show_config.h"

namespace yst::console {

class ConsoleClient;

class CardPreviewProvider : public QQuickImageProvider {
 public:
  CardPreviewProvider(const ConsoleClient* client, config::ShowConfig show);
  QImage requestImage(const QString& id, QSize* size, const QSize& requested_size) override;

 private:
  const overlay::Renderer* rendererFor(const std::string& theme);

  const ConsoleClient* client_;
  config::ShowConfig show_;
  std::string theme_;  // of renderer_
  std::unique_ptr<overlay::Renderer> renderer_;
};

}  // namespace yst::console
