#include "studio/console/graphics_preview.h"

#include <nlohmann/json.hpp>

#include "studio/base/log.h"
#include "studio/console/console_client.h"
#include "studio/core/controller.h"
#include "studio/core/graphics.h"

namespace yst::console {

namespace {

// Cairo's ARGB32 is Qt's premultiplied ARGB32: copied as it is.
QImage toQImage(const overlay::Image& picture) {
  if (picture.empty()) return {};
  return QImage(picture.data(), picture.width(), picture.height(), picture.stride(),
                QImage::Format_ARGB32_Premultiplied)
      .copy();
}

}  // namespace

GraphicsPreviewProvider::GraphicsPreviewProvider(const ConsoleClient* client,
                                                 config::ShowConfig show)
    : QQuickImageProvider(QQuickImageProvider::Image), client_(client), show_(std::move(show)) {}

const overlay::Renderer* GraphicsPreviewProvider::rendererFor(const std::string& theme) {
  auto it = renderers_.find(theme);
  if (it != renderers_.end()) return it->second.get();
  std::unique_ptr<overlay::Renderer> renderer;
  try {
    overlay::Theme loaded = core::loadShowTheme(show_);
    if (!theme.empty() && theme != loaded.id) {
      loaded = overlay::loadTheme(core::assetDir() + "/themes", theme);
    }
    renderer = std::make_unique<overlay::Renderer>(std::move(loaded), show_.program.width,
                                                   show_.program.height);
  } catch (const std::exception& e) {
    logWarn("console", std::string("graphics preview: ") + e.what());
  }
  return (renderers_[theme] = std::move(renderer)).get();
}

QImage GraphicsPreviewProvider::requestImage(const QString& id, QSize* size,
                                             const QSize& requested) {
  const QStringList parts = id.split(QLatin1Char('/'));
  QImage out;
  if (parts.value(0) == QLatin1String("card") && parts.size() == 4) {
    bool ok = false;
    const std::int64_t question_id = parts.value(1).toLongLong(&ok);
    const nlohmann::json* q = ok ? client_->question(question_id) : nullptr;
    const overlay::Renderer* renderer = rendererFor(parts.value(3).toStdString());
    if (q && renderer) {
      overlay::QuestionCardContent card;
      card.number = question_id;
      card.text = q->value("text", std::string());
      card.nickname = q->value("nickname", std::string());
      card.category = q->value("category", std::string("question"));
      if (q->contains("observer") && (*q)["observer"].is_string()) card.observer = (*q)["observer"];
      out = toQImage(renderer->questionCard(card).image);
    }
  } else if (parts.value(0) == QLatin1String("lower_third") && parts.size() == 3) {
    const config::Person* person = config::findPerson(show_.show, parts.value(1).toStdString());
    const overlay::Renderer* renderer = rendererFor(parts.value(2).toStdString());
    if (person && renderer) {
      out = toQImage(renderer->lowerThird({person->name, person->title}).image);
    }
  }
  if (!out.isNull() && requested.isValid() && !requested.isEmpty()) {
    out = out.scaled(requested, Qt::KeepAspectRatio, Qt::SmoothTransformation);
  }
  if (size) *size = out.size();
  return out;
}

}  // namespace yst::console
