// The show's broadcast graphics as the producer runs them: which lower-third
// is up, the question card that follows the question on air, the bug, the
// clock, the QR code, the ticker and the slates, in the show's theme.
//
// Controller thread. Owned by the Controller, which routes `overlay.*`
// messages here and tells it when the question on air or the program's
// layout changes. Drawing happens on a render thread of its own (a card takes
// a few milliseconds; the controller thread never waits for it): each change
// becomes a job there that draws the graphic, converts it for blending and
// hands it to the GraphicsLayer, in the order the changes were made. The
// layer then animates it in the program frames.
#pragma once

#include <QObject>
#include <QTimer>

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "overlay/layer.h"
#include "overlay/renderer.h"
#include "streaming/program.h"
#include "studio/base/work_queue.h"
#include "studio/config/show_config.h"
#include "studio/core/command_error.h"
#include "studio/core/command_registry.h"

namespace yst::core {

// The theme of a show: its [overlay] theme, from the assets or a folder.
// Throws overlay::ThemeError.
overlay::Theme loadShowTheme(const config::ShowConfig& show);

class Graphics : public QObject {
  Q_OBJECT
 public:
  struct Context {
    std::function<void(const std::string& type, nlohmann::json payload)> publish_event;
    std::function<void()> status_changed;
    std::function<void(bool)> silence_program;  // the hold slate's silence
  };

  // Throws overlay::ThemeError when the show's theme cannot be loaded.
  Graphics(const config::ShowConfig& show, Context context, QObject* parent = nullptr);
  ~Graphics() override;

  // Blended into the program by streaming::Program.
  std::shared_ptr<overlay::GraphicsLayer> layer() const { return layer_; }
  // The "信号中断" slate of one source, in the theme (drawn here and now).
  overlay::Image signalLostSlate(const std::string& label) const;
  // The same renderer the program uses, for previews (the console).
  std::shared_ptr<const overlay::Renderer> renderer() const { return renderer_; }

  // Adds the producer's `overlay.*` commands; the namespace is theirs.
  void registerCommands(CommandRegistry& commands);

  // The question on air changed (nullopt: none). The card follows it.
  void setQuestionOnAir(std::optional<overlay::QuestionCardContent> question);
  // The program's scene changed: show the lower-thirds of the people it puts
  // on screen for a few seconds (when the show file maps cameras to people);
  // in a panel layout (grid, host_plus, row3) each tile carries its person's
  // name bar instead, for as long as the layout is on air.
  void programChanged(const streaming::Scene& scene);
  // The scene on air as the show starts: its name bars, no lower-thirds.
  void startingScene(const streaming::Scene& scene);
  // The viewer page's address for the QR code, once the server knows its port.
  void setPublicUrl(const std::string& url);
  // A remote guest in a webrtc:// slot: their name and title (from their
  // invitation) are the slot's person, for its lower-third on a cut and its
  // name bar in a panel; nullopt: the slot's own `person` again.
  void setSourcePerson(const std::string& source, std::optional<config::Person> person);

  nlohmann::json state() const;
  void addStatus(nlohmann::json* status) const;
  // Waits for the render thread (tests, shutdown).
  void drain() { worker_.drain(); }

 private:
  // One `overlay.*` command; returns the reply's fields.
  CommandOutcome handle(const nlohmann::json& message);
  enum class Side { kLeft = 0, kRight };
  struct LowerThirdState {
    std::string person;  // empty: nothing up on that side
    bool automatic = false;
  };
  struct Card {
    std::optional<overlay::QuestionCardContent> question;
    bool visible = false;
  };

  CommandOutcome cmdLowerThird(const nlohmann::json& m);
  CommandOutcome cmdSlate(const nlohmann::json& m);
  CommandOutcome cmdTheme(const nlohmann::json& m);

  void showLowerThird(Side side, const std::string& person, bool automatic);
  void hideLowerThird(Side side);
  void showCard();
  void hideCard();
  void renderBug();
  void renderClock();
  void renderQr();
  void renderTicker();
  void renderSlate();
  void hideElement(const std::string& id, overlay::Animation animation);
  // The name bars the scene on air wants, drawn or taken down where they
  // differ from what is up. Hidden under the question card and a slate.
  void updateNameBars();
  std::string personOfSource(const std::string& source) const;
  void refreshAll();  // after a theme change
  void tick();        // once a second: clock, countdown
  void changed();     // state changed: event + status
  bool post(std::function<void()> job);

  overlay::Animation fade(int ms) const;
  nlohmann::json personJson(const std::string& person) const;

  config::ShowConfig show_;
  Context context_;
  std::string theme_id_;
  std::vector<std::string> themes_;  // folders of assets/themes
  std::shared_ptr<const overlay::Renderer> renderer_;
  std::shared_ptr<overlay::GraphicsLayer> layer_;
  yst::TaskQueue worker_{"yst-render", 256};  // drawing, off the controller thread

  std::map<std::string, config::Person> people_;  // "host", "guest1", … (editable live)
  // Sources whose person is a remote guest's: source → key in people_.
  std::map<std::string, std::string> source_people_;
  LowerThirdState lower_thirds_[2];
  streaming::Scene scene_;  // on air
  // What each name bar shows ("" : down): person, name, title and tile.
  static constexpr int kMaxNameBars = 6;
  std::string name_bars_[kMaxNameBars];
  std::string name_bar_people_[kMaxNameBars];
  QTimer auto_hide_[2];
  Card card_;
  bool bug_ = false;
  std::string bug_title_;
  bool clock_ = false;
  bool qr_ = false;
  std::string qr_url_;
  bool ticker_ = false;
  std::string ticker_text_;
  overlay::SlateKind slate_ = overlay::SlateKind::kInvalid;  // kInvalid: none
  std::optional<std::chrono::steady_clock::time_point> countdown_end_;
  std::string shown_countdown_;
  std::string shown_clock_;
  QTimer tick_;
};

}  // namespace yst::core
