#include "studio/console/card_preview.h"

#include <nlohmann/json.hpp>

#include "streaming/log.h"
#include "studio/console/console_client.h"
#include "studio/core/controller.h"
#include "studio/core/graphics.h"

namespace yst::console {

CardPreviewProvider::CardPreviewProvider(const ConsoleClient* client, config::ShowConfig show)
    : QQuickImageProvider(QQuickImageProvider::Image), client_(client), show_(std::move(show)) {}

const overlay::Renderer* CardPreviewProvider::rendererFor(const std::string& theme) {
  if (renderer_ && theme == theme_) return renderer_.get();
  try {
    overlay::Theme loaded = core::loadShowTheme(show_);
    if (!theme.empty() && theme != loaded.id) {
      loaded = overlay::loadTheme(core::assetDir() + "/themes", theme);
    }
    renderer_ = std::make_unique<overlay::Renderer>(std::move(loaded), show_.program.width,
                                                    show_.program.height);
    theme_ = theme;
  } catch (const std::exception& e) {
    logWarn("console", std::string("card preview: ") + e.what());
    renderer_.reset();
  }
  return renderer_.get();
}

QImage CardPreviewProvider::requestImage(const QString& id, QSize* size, const QSize& requested) {
  // <question id>/<revision>/<theme>
  const QStringList parts = id.split(QLatin1Char('/'));
  bool ok = false;
  const std::int64_t question_id = parts.value(0).toLongLong(&ok);
  const nlohmann::json* q = ok ? client_->question(question_id) : nullptr;
  const overlay::Renderer* renderer = rendererFor(parts.value(2).toStdString());
  if (!q || !renderer) return {};
  overlay::QuestionCardContent card;
  card.number = question_id;
  card.text = q->value("text", std::string());
  card.nickname = q->value("nickname", std::string());
  card.category = q->value("category", std::string("question"));
  if (q->contains("observer") && (*q)["observer"].is_string()) card.observer = (*q)["observer"];
  const overlay::Placed placed = renderer->questionCard(card);
  if (placed.image.empty()) return {};
  // Cairo's ARGB32 is Qt's premultiplied ARGB32: copied as it is.
  QImage image(placed.image.data(), placed.image.width(), placed.image.height(),
               placed.image.stride(), QImage::Format_ARGB32_Premultiplied);
  QImage out = image.copy();
  if (requested.isValid() && !requested.isEmpty()) {
    out = out.scaled(requested, Qt::KeepAspectRatio, Qt::SmoothTransformation);
  }
  if (size) *size = out.size();
  return out;
}

}  // namespace yst::console
