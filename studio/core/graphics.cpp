#include "studio/core/graphics.h"

#include <algorithm>
#include <ctime>
#include <filesystem>

#include "studio/base/log.h"
#include "studio/core/controller.h"
#include "studio/text/text.h"

namespace yst::core {

using nlohmann::json;
using overlay::Animation;
using overlay::LayerChange;
using overlay::Motion;
using overlay::Replace;
using overlay::SlateKind;

namespace {

constexpr int kZCorner = 10;
constexpr int kZTicker = 20;
constexpr int kZLowerThird = 30;
constexpr int kZCard = 40;
constexpr int kZSlate = 100;
constexpr std::size_t kMaxNameChars = 40;
constexpr std::size_t kMaxTickerChars = 200;
constexpr std::size_t kMaxUrlChars = 512;
constexpr int kMaxCountdownS = 24 * 3600;

const char* kSideIds[] = {"lower_third:left", "lower_third:right"};
const char* kSideNames[] = {"left", "right"};

LayerChange showChange(std::string id, const overlay::Placed& placed,
                       const overlay::GraphicsLayer& layer, int z, Animation animation,
                       Replace replace) {
  LayerChange c;
  c.kind = LayerChange::Kind::kShow;
  c.id = std::move(id);
  c.graphic = overlay::toYuva(placed.image, layer.matrix());
  c.image = placed.image;
  c.x = placed.x;
  c.y = placed.y;
  c.z = z;
  c.animation = animation;
  c.replace = replace;
  return c;
}

// How far a slide travels: a third of the graphic across, half of it up.
int slideDistance(Motion motion, const overlay::Image& image) {
  switch (motion) {
    case Motion::kSlideLeft:
    case Motion::kSlideRight:
      return image.width() / 3;
    case Motion::kSlideUp:
    case Motion::kSlideDown:
      return image.height() / 2;
    default:
      return 0;
  }
}

std::string localClock() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char text[16];
  std::strftime(text, sizeof text, "%H:%M:%S", &tm);
  return text;
}

// One line of text from a message field, cleaned; error set when unusable.
}  // namespace

overlay::Theme loadShowTheme(const config::ShowConfig& show) {
  const config::OverlayConfig& o = show.overlay;
  try {
    if (!o.theme_dir.empty()) {
      const std::filesystem::path dir(o.theme_dir);
      return overlay::loadTheme(dir.parent_path().string(), dir.filename().string());
    }
    return overlay::loadTheme(assetDir() + "/themes", o.theme);
  } catch (const overlay::ThemeError& e) {
    throw overlay::ThemeError(show.path + ":" + std::to_string(o.theme_line) +
                              ": overlay.theme: " + e.what());
  }
}

Graphics::Graphics(const config::ShowConfig& show, Context context, QObject* parent)
    : QObject(parent), show_(show), context_(std::move(context)) {
  overlay::Theme theme = loadShowTheme(show_);
  theme_id_ = theme.id;
  renderer_ = std::make_shared<const overlay::Renderer>(std::move(theme), show_.program.width,
                                                        show_.program.height);
  layer_ = std::make_shared<overlay::GraphicsLayer>(show_.program.width, show_.program.height);
  people_["host"] = show_.show.host;
  for (std::size_t i = 0; i < show_.show.guests.size(); ++i) {
    people_["guest" + std::to_string(i + 1)] = show_.show.guests[i];
  }
  // The themes a producer can switch to (read once: status is built often).
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(assetDir() + "/themes", ec)) {
    if (std::filesystem::is_regular_file(entry.path() / "theme.toml", ec)) {
      themes_.push_back(entry.path().filename().string());
    }
  }
  std::sort(themes_.begin(), themes_.end());
  bug_ = show_.overlay.bug;
  bug_title_ = show_.show.title;
  clock_ = show_.overlay.clock;
  qr_ = show_.overlay.qr;
  qr_url_ = show_.audience.public_url;
  ticker_text_ = show_.overlay.ticker;
  ticker_ = !ticker_text_.empty();
  for (int side = 0; side < 2; ++side) {
    auto_hide_[side].setSingleShot(true);
    connect(&auto_hide_[side], &QTimer::timeout, this, [this, side] {
      if (lower_thirds_[side].automatic) {
        hideLowerThird(static_cast<Side>(side));
        changed();
      }
    });
  }
  refreshAll();
  tick_.setInterval(250);  // the clock's second is never more than 1/4 s late
  connect(&tick_, &QTimer::timeout, this, &Graphics::tick);
  tick_.start();
}

Graphics::~Graphics() {
  tick_.stop();
  worker_.drain();
}

overlay::Image Graphics::signalLostSlate(const std::string& label) const {
  return renderer_->slate({SlateKind::kSignalLost, "", label});
}

bool Graphics::post(std::function<void()> job) {
  const bool queued = worker_.post([job = std::move(job)] {
    try {
      job();
    } catch (const std::exception& e) {
      logError("graphics", std::string("drawing failed: ") + e.what());
    }
  });
  if (queued) return true;
  logError("graphics", "render queue full: a graphics change was dropped");
  return false;
}

Animation Graphics::fade(int ms) const {
  return {Motion::kFade, ms, 0};
}

// --- elements ---

void Graphics::showLowerThird(Side side, const std::string& person, bool automatic) {
  auto it = people_.find(person);
  if (it == people_.end()) return;
  const int s = static_cast<int>(side);
  lower_thirds_[s] = {person, automatic};
  if (automatic) {
    auto_hide_[s].start(static_cast<int>(renderer_->theme().lower_third.auto_show_s * 1000));
  } else {
    auto_hide_[s].stop();
  }
  const overlay::Person who{it->second.name, it->second.title};
  post([layer = layer_, r = renderer_, who, side] {
    overlay::Placed placed = r->lowerThird(who);
    const overlay::Theme::LowerThird& t = r->theme().lower_third;
    Motion motion = t.motion;
    if (side == Side::kRight) {
      // Mirrored: against the right edge of the title-safe area.
      placed.x = (r->frameWidth() - placed.x - placed.image.width()) & ~1;
      if (motion == Motion::kSlideLeft) {
        motion = Motion::kSlideRight;
      } else if (motion == Motion::kSlideRight) {
        motion = Motion::kSlideLeft;
      }
    }
    const Animation in{motion, t.animation_ms, slideDistance(motion, placed.image)};
    layer->apply({showChange(kSideIds[static_cast<int>(side)], placed, *layer, kZLowerThird, in,
                             Replace::kOutThenIn)});
  });
}

void Graphics::hideLowerThird(Side side) {
  const int s = static_cast<int>(side);
  if (lower_thirds_[s].person.empty()) return;
  lower_thirds_[s] = {};
  auto_hide_[s].stop();
  const overlay::Theme::LowerThird& t = renderer_->theme().lower_third;
  hideElement(kSideIds[s],
              {t.motion == Motion::kFade ? Motion::kFade : t.motion, t.animation_ms, 0});
}

void Graphics::showCard() {
  if (!card_.question) return;
  card_.visible = true;
  // The card and a lower-third share the lower part of the frame.
  hideLowerThird(Side::kLeft);
  hideLowerThird(Side::kRight);
  post([layer = layer_, r = renderer_, question = *card_.question] {
    const overlay::Placed placed = r->questionCard(question);
    const overlay::Theme::Card& t = r->theme().card;
    const Animation in{t.motion, t.animation_ms, slideDistance(t.motion, placed.image)};
    layer->apply({showChange("card", placed, *layer, kZCard, in, Replace::kOutThenIn)});
  });
}

void Graphics::hideCard() {
  if (!card_.visible) return;
  card_.visible = false;
  const overlay::Theme::Card& t = renderer_->theme().card;
  hideElement("card", {t.motion, t.animation_ms, 0});
}

void Graphics::renderBug() {
  if (!bug_) {
    hideElement("bug", fade(renderer_->theme().corner.fade_ms));
    return;
  }
  post([layer = layer_, r = renderer_, title = bug_title_] {
    layer->apply({showChange("bug", r->bug(title), *layer, kZCorner,
                             {Motion::kFade, r->theme().corner.fade_ms, 0}, Replace::kCut)});
  });
}

void Graphics::renderClock() {
  if (!clock_) {
    hideElement("clock", fade(renderer_->theme().corner.fade_ms));
    return;
  }
  post([layer = layer_, r = renderer_, text = localClock()] {
    layer->apply({showChange("clock", r->clock(text), *layer, kZCorner,
                             {Motion::kFade, r->theme().corner.fade_ms, 0}, Replace::kCut)});
  });
}

void Graphics::renderQr() {
  if (!qr_ || qr_url_.empty()) {
    hideElement("qr", fade(renderer_->theme().corner.fade_ms));
    return;
  }
  post([layer = layer_, r = renderer_, url = qr_url_] {
    std::string error;
    const overlay::Placed placed = r->qr(url, "扫码提问", &error);
    if (placed.image.empty()) {
      logError("graphics", "QR code: " + error);
      return;
    }
    layer->apply({showChange("qr", placed, *layer, kZCorner,
                             {Motion::kFade, r->theme().corner.fade_ms, 0}, Replace::kCut)});
  });
}

void Graphics::renderTicker() {
  if (!ticker_ || ticker_text_.empty()) {
    const Animation out = fade(renderer_->theme().ticker.animation_ms);
    post([layer = layer_, out] {
      LayerChange bar;
      bar.kind = LayerChange::Kind::kHide;
      bar.id = "ticker";
      bar.animation = out;
      LayerChange text = bar;
      text.id = "ticker_text";
      layer->apply({bar, text});
    });
    return;
  }
  post([layer = layer_, r = renderer_, text = ticker_text_] {
    const Animation in = {Motion::kFade, r->theme().ticker.animation_ms, 0};
    LayerChange bar = showChange("ticker", r->tickerBar(), *layer, kZTicker, in, Replace::kCut);
    const overlay::Renderer::Window w = r->tickerWindow();
    LayerChange strip = showChange("ticker_text", {r->tickerStrip(text), w.x, w.y}, *layer,
                                   kZTicker + 1, in, Replace::kCut);
    strip.scroll = true;
    strip.window_x = w.x;
    strip.window_y = w.y;
    strip.window_width = w.width;
    strip.speed_px_per_s = r->tickerSpeedPxPerS();
    layer->apply({bar, strip});
  });
}

void Graphics::renderSlate() {
  const int fade_ms = renderer_->theme().slate.fade_ms;
  if (slate_ == SlateKind::kInvalid) {
    hideElement("slate", fade(fade_ms));
    return;
  }
  overlay::SlateContent content{slate_, show_.show.title, ""};
  if (slate_ == SlateKind::kStarting && countdown_end_) {
    content.detail = shown_countdown_;
  }
  post([layer = layer_, r = renderer_, content, fade_ms] {
    layer->apply({showChange("slate", {r->slate(content), 0, 0}, *layer, kZSlate,
                             {Motion::kFade, fade_ms, 0}, Replace::kCut)});
  });
}

void Graphics::hideElement(const std::string& id, Animation animation) {
  post([layer = layer_, id, animation] {
    LayerChange c;
    c.kind = LayerChange::Kind::kHide;
    c.id = id;
    c.animation = animation;
    layer->apply({c});
  });
}

void Graphics::refreshAll() {
  renderBug();
  renderClock();
  renderQr();
  renderTicker();
  renderSlate();
  for (int side = 0; side < 2; ++side) {
    if (!lower_thirds_[side].person.empty()) {
      showLowerThird(static_cast<Side>(side), lower_thirds_[side].person,
                     lower_thirds_[side].automatic);
    }
  }
  if (card_.visible) showCard();
  for (std::string& key : name_bars_) key.clear();  // drawn again in the new theme
  updateNameBars();
}

void Graphics::tick() {
  const std::string now = localClock();
  if (clock_ && now != shown_clock_) renderClock();
  shown_clock_ = now;
  if (slate_ == SlateKind::kStarting && countdown_end_) {
    const auto left = *countdown_end_ - std::chrono::steady_clock::now();
    const auto s = std::max<std::int64_t>(
        0, (std::chrono::duration_cast<std::chrono::milliseconds>(left).count() + 999) / 1000);
    char text[16];
    std::snprintf(text, sizeof text, "%02lld:%02lld", static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
    const std::string shown = s > 0 ? text : "";
    if (shown != shown_countdown_) {
      shown_countdown_ = shown;
      renderSlate();
      if (s == 0) changed();
    }
  }
}

void Graphics::changed() {
  updateNameBars();  // people, the card or a slate may have changed
  if (context_.publish_event) context_.publish_event("overlay.changed", {{"overlay", state()}});
  if (context_.status_changed) context_.status_changed();
}

// --- from the controller ---

void Graphics::setQuestionOnAir(std::optional<overlay::QuestionCardContent> question) {
  const bool had = card_.question.has_value();
  const bool same = had && question && card_.question->number == question->number &&
                    card_.question->text == question->text;
  if (same) return;
  card_.question = std::move(question);
  if (card_.question) {
    showCard();  // a new question on air: out with the old card, in with the new
  } else if (had) {
    hideCard();
  }
  changed();
}

void Graphics::setSourcePerson(const std::string& source, std::optional<config::Person> person) {
  const std::string key = "source:" + source;
  if (person) {
    people_[key] = *person;
    source_people_[source] = key;
  } else {
    people_.erase(key);
    source_people_.erase(source);
  }
  updateNameBars();
  changed();
}

std::string Graphics::personOfSource(const std::string& source) const {
  if (auto it = source_people_.find(source); it != source_people_.end()) return it->second;
  for (const config::SourceConfig& s : show_.sources) {
    if (s.id == source) return s.person;
  }
  return "";
}

namespace {
bool isPanel(streaming::Layout layout) {
  return layout == streaming::Layout::kGrid || layout == streaming::Layout::kHostPlus ||
         layout == streaming::Layout::kRow3;
}
}  // namespace

void Graphics::programChanged(const streaming::Scene& scene) {
  scene_ = scene;
  updateNameBars();
  if (!show_.overlay.auto_lower_thirds || card_.visible || slate_ != SlateKind::kInvalid) return;
  std::string wanted[2];
  if (!isPanel(scene.layout)) {  // a panel's tiles carry name bars instead
    wanted[0] = personOfSource(scene.tile(0));
    if (scene.layout == streaming::Layout::kSideBySide) wanted[1] = personOfSource(scene.tile(1));
  }
  bool any = false;
  for (int side = 0; side < 2; ++side) {
    LowerThirdState& now = lower_thirds_[side];
    if (wanted[side].empty()) {
      if (now.automatic) {
        hideLowerThird(static_cast<Side>(side));
        any = true;
      }
    } else if (now.person != wanted[side] && (now.person.empty() || now.automatic)) {
      showLowerThird(static_cast<Side>(side), wanted[side], true);
      any = true;
    }
  }
  if (any) changed();
}

void Graphics::startingScene(const streaming::Scene& scene) {
  scene_ = scene;
  updateNameBars();
}

void Graphics::updateNameBars() {
  const bool up = isPanel(scene_.layout) && !card_.visible && slate_ == SlateKind::kInvalid;
  const std::vector<std::string> shown = up ? scene_.shown() : std::vector<std::string>{};
  const std::vector<streaming::Tile> tiles =
      streaming::layoutTiles(scene_.layout, static_cast<int>(shown.size()), renderer_->frameWidth(),
                             renderer_->frameHeight());
  const overlay::Theme::LowerThird& t = renderer_->theme().lower_third;
  for (int i = 0; i < kMaxNameBars; ++i) {
    const std::size_t at = static_cast<std::size_t>(i);
    std::string person = at < shown.size() && at < tiles.size() ? personOfSource(shown[at]) : "";
    auto it = people_.find(person);
    if (it == people_.end()) person.clear();
    std::string key;
    if (!person.empty()) {
      const streaming::Rect& r = tiles[at].rect;
      key = person + '\n' + it->second.name + '\n' + it->second.title + '\n' + std::to_string(r.x) +
            ',' + std::to_string(r.y) + ',' + std::to_string(r.width) + ',' +
            std::to_string(r.height) + '\n' + theme_id_;
    }
    if (key == name_bars_[i]) continue;
    name_bars_[i] = key;
    name_bar_people_[i] = person;
    const std::string id = "name_bar:" + std::to_string(i);
    if (person.empty()) {
      hideElement(id, fade(t.animation_ms));
      continue;
    }
    const overlay::Person who{it->second.name, it->second.title};
    const streaming::Rect r = tiles[at].rect;
    post([layer = layer_, renderer = renderer_, who, r, id, ms = t.animation_ms] {
      const overlay::Placed placed = renderer->nameBar(who, r.x, r.y, r.width, r.height);
      layer->apply(
          {showChange(id, placed, *layer, kZLowerThird, {Motion::kFade, ms, 0}, Replace::kCut)});
    });
  }
}

void Graphics::setPublicUrl(const std::string& url) {
  if (url == qr_url_) return;
  qr_url_ = url;
  if (qr_) renderQr();
}

// --- commands ---

void Graphics::registerCommands(CommandRegistry& commands) {
  const RoleSet producer = roles({Role::kProducer});
  commands.addNamespace("overlay.", producer);
  for (const char* type :
       {"overlay.lower_third", "overlay.slate", "overlay.theme", "overlay.card", "overlay.bug",
        "overlay.clock", "overlay.qr", "overlay.ticker", "overlay.clear", "overlay.get"}) {
    commands.add(type, producer, [this](CommandContext& c) { return handle(c.message); });
  }
}

CommandOutcome Graphics::handle(const json& m) {
  FieldReader f(m);
  const std::string type = m.value("type", std::string());
  const std::optional<bool> visible = f.flag("visible");
  if (f.failed()) return f.error();
  if (type == "overlay.lower_third") return cmdLowerThird(m);
  if (type == "overlay.slate") return cmdSlate(m);
  if (type == "overlay.theme") return cmdTheme(m);
  if (type == "overlay.card") {
    if (!visible) {
      return CommandError{"invalid", "missing field \"visible\""};
    }
    if (*visible) {
      if (!card_.question) {
        return CommandError{"not_found", "no question is on air"};
      }
      if (!card_.visible) showCard();
    } else {
      hideCard();
    }
  } else if (type == "overlay.bug") {
    const auto title = f.line("title", kMaxNameChars * 2, false);
    if (f.failed()) return f.error();
    if (title) bug_title_ = *title;
    if (visible) bug_ = *visible;
    renderBug();
  } else if (type == "overlay.clock") {
    if (visible) clock_ = *visible;
    renderClock();
  } else if (type == "overlay.qr") {
    const auto url = f.line("url", kMaxUrlChars, false);
    if (f.failed()) return f.error();
    if (url) {
      if (!url->starts_with("https://") && !url->starts_with("http://")) {
        return CommandError{"invalid", "url must start with https:// or http://"};
      }
      std::string error;
      if (renderer_->qr(*url, "", &error).image.empty()) {
        return CommandError{"invalid", "url: " + error};
      }
      qr_url_ = *url;
    }
    if (visible) qr_ = *visible;
    if (qr_ && qr_url_.empty()) {
      qr_ = false;
      return CommandError{"invalid", "no url for the QR code: set audience.public_url or send url"};
    }
    renderQr();
  } else if (type == "overlay.ticker") {
    const auto text = f.line("text", kMaxTickerChars, true);
    if (f.failed()) return f.error();
    if (text) ticker_text_ = *text;
    if (visible) ticker_ = *visible;
    if (ticker_ && ticker_text_.empty()) {
      ticker_ = false;
      return CommandError{"empty", "the ticker has no text"};
    }
    renderTicker();
  } else if (type == "overlay.clear") {
    // Everything but the slate off air at once (the producer's panic button).
    hideLowerThird(Side::kLeft);
    hideLowerThird(Side::kRight);
    hideCard();
    bug_ = clock_ = qr_ = ticker_ = false;
    renderBug();
    renderClock();
    renderQr();
    renderTicker();
  } else if (type == "overlay.get") {
    return json{{"overlay", state()}};
  } else {
    return CommandError{"unknown_type", "unknown message type \"" + type.substr(0, 64) + "\""};
  }
  changed();
  return json{{"overlay", state()}};
}

CommandOutcome Graphics::cmdLowerThird(const json& m) {
  FieldReader f(m);
  const auto person_field = m.find("person");
  if (person_field == m.end() || !person_field->is_string()) {
    return CommandError{"invalid", "missing field \"person\" (\"host\", \"guest1\", …)"};
  }
  const std::string person = person_field->get<std::string>();
  auto it = people_.find(person);
  if (it == people_.end()) {
    return CommandError{"not_found",
                        "no person \"" + person.substr(0, 32) + "\" (\"host\", \"guest1\", …)"};
  }
  Side side = Side::kLeft;
  if (auto s = m.find("side"); s != m.end() && !s->is_null()) {
    if (*s == "right") {
      side = Side::kRight;
    } else if (*s != "left") {
      return CommandError{"invalid", "side is left or right"};
    }
  }
  const auto name = f.line("name", kMaxNameChars, false);
  if (f.failed()) return f.error();
  const auto title = f.line("title", kMaxNameChars * 2, true);
  if (f.failed()) return f.error();
  const std::optional<bool> visible = f.flag("visible");
  if (name) it->second.name = *name;
  if (title) it->second.title = *title;
  const int s = static_cast<int>(side);
  if (visible && !*visible) {
    // Hide this person wherever they are up.
    for (int k = 0; k < 2; ++k) {
      if (lower_thirds_[k].person == person) hideLowerThird(static_cast<Side>(k));
    }
  } else if (visible && *visible) {
    // A lower-third takes the lower part of the frame from the card.
    hideCard();
    for (int k = 0; k < 2; ++k) {
      if (k != s && lower_thirds_[k].person == person) hideLowerThird(static_cast<Side>(k));
    }
    showLowerThird(side, person, false);
  } else if (name || title) {
    // An edit of a person on air shows at once.
    for (int k = 0; k < 2; ++k) {
      if (lower_thirds_[k].person == person) {
        showLowerThird(static_cast<Side>(k), person, lower_thirds_[k].automatic);
      }
    }
  }
  changed();
  return json{{"overlay", state()}};
}

CommandOutcome Graphics::cmdSlate(const json& m) {
  const auto kind = m.find("slate");
  if (kind == m.end() || !kind->is_string()) {
    return CommandError{"invalid", "missing field \"slate\" (none, starting or hold)"};
  }
  SlateKind wanted = SlateKind::kInvalid;
  if (*kind == "starting") {
    wanted = SlateKind::kStarting;
  } else if (*kind == "hold") {
    wanted = SlateKind::kHold;
  } else if (*kind != "none") {
    return CommandError{"invalid", "slate is none, starting or hold"};
  }
  if (auto c = m.find("countdown_s"); c != m.end() && !c->is_null()) {
    if (!c->is_number_integer() || c->get<std::int64_t>() < 0 ||
        c->get<std::int64_t>() > kMaxCountdownS) {
      return CommandError{"invalid", "countdown_s is a whole number of seconds, 0…86400"};
    }
    if (wanted != SlateKind::kStarting) {
      return CommandError{"invalid", "countdown_s goes with the starting slate"};
    }
    countdown_end_ =
        std::chrono::steady_clock::now() + std::chrono::seconds(c->get<std::int64_t>());
    shown_countdown_.clear();
  } else if (wanted != SlateKind::kStarting) {
    countdown_end_.reset();
  }
  const bool was_hold = slate_ == SlateKind::kHold;
  slate_ = wanted;
  if (slate_ == SlateKind::kStarting && countdown_end_) {
    tick();  // draws the first second of the countdown
  }
  renderSlate();
  const bool hold = slate_ == SlateKind::kHold;
  if (hold != was_hold && context_.silence_program) context_.silence_program(hold);
  changed();
  return json{{"overlay", state()}};
}

CommandOutcome Graphics::cmdTheme(const json& m) {
  const auto id = m.find("theme");
  if (id == m.end() || !id->is_string()) {
    return CommandError{"invalid", "missing field \"theme\""};
  }
  try {
    overlay::Theme theme = overlay::loadTheme(assetDir() + "/themes", id->get<std::string>());
    theme_id_ = theme.id;
    renderer_ = std::make_shared<const overlay::Renderer>(std::move(theme), show_.program.width,
                                                          show_.program.height);
  } catch (const overlay::ThemeError& error) {
    return CommandError{"not_found", std::string("theme: ") + error.what()};
  }
  refreshAll();
  changed();
  return json{{"overlay", state()}};
}

// --- state ---

json Graphics::personJson(const std::string& person) const {
  if (person.empty()) return nullptr;
  auto it = people_.find(person);
  if (it == people_.end()) return nullptr;
  return {{"person", person}, {"name", it->second.name}, {"title", it->second.title}};
}

json Graphics::state() const {
  json people = json::array();
  for (const auto& [id, p] : people_) people.push_back(personJson(id));
  json lower_thirds = json::object();
  for (int side = 0; side < 2; ++side) {
    json entry = personJson(lower_thirds_[side].person);
    if (!entry.is_null()) entry["automatic"] = lower_thirds_[side].automatic;
    lower_thirds[kSideNames[side]] = entry;
  }
  // A panel layout's name bars: the tiles that carry one, with their person.
  json name_bars = json::array();
  for (int i = 0; i < kMaxNameBars; ++i) {
    if (!name_bar_people_[i].empty()) {
      json entry = personJson(name_bar_people_[i]);
      entry["tile"] = i;
      name_bars.push_back(entry);
    }
  }
  json question = nullptr;
  if (card_.question) {
    question = {
        {"id", card_.question->number},
        {"text", card_.question->text},
        {"nickname", card_.question->nickname},
        {"category", card_.question->category},
        {"observer", card_.question->observer.empty() ? json() : json(card_.question->observer)}};
  }
  json slate = {{"kind", slate_ == SlateKind::kInvalid ? "none" : overlay::slateName(slate_)}};
  if (slate_ == SlateKind::kStarting && countdown_end_) {
    const auto left = *countdown_end_ - std::chrono::steady_clock::now();
    slate["remaining_s"] = std::max<std::int64_t>(
        0, (std::chrono::duration_cast<std::chrono::milliseconds>(left).count() + 999) / 1000);
  }
  return {{"theme", theme_id_},
          {"theme_name", renderer_->theme().name},
          {"themes", themes_},
          {"people", people},
          {"lower_thirds", lower_thirds},
          {"name_bars", name_bars},
          {"card", {{"visible", card_.visible}, {"question", question}}},
          {"bug", {{"visible", bug_}, {"title", bug_title_}}},
          {"clock", {{"visible", clock_}}},
          {"qr", {{"visible", qr_ && !qr_url_.empty()}, {"url", qr_url_}}},
          {"ticker", {{"visible", ticker_}, {"text", ticker_text_}}},
          {"slate", slate},
          {"program_silenced", slate_ == SlateKind::kHold}};
}

void Graphics::addStatus(json* status) const {
  (*status)["overlay"] = state();
}

}  // namespace yst::core
