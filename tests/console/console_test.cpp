// The Qt Quick console driven as a producer drives it: real windows
// (offscreen), real key presses into them, a real studio (engine with test
// sources, controller, server) behind them, and /api/status read over HTTP
// the way any client reads it.
//
//   - number keys, layout keys and Space/Enter switch the program;
//   - a viewer's question is approved and put on air from the keyboard, and
//     the host monitor shows it with the asker;
//   - a cue typed in the console reaches the host monitor;
//   - a line typed in the typist panel is committed and counted;
//   - every preview shows pictures; the QML loads and runs without a warning;
//   - viewers' and partners' text is shown as the characters typed, never
//     as markup (no heading, no image fetched from the network);
//   - the host's program picture keeps 16:9 at its largest in every state;
//   - the question and switcher buttons sit on one row inside their bars,
//     in Chinese and in English;
//   - closing the console during a live show asks first, and ending it
//     ends the show.
#include <arpa/inet.h>
#include <gst/gst.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QElapsedTimer>
#include <QFontMetricsF>
#include <QGuiApplication>
#include <QInputMethodEvent>
#include <QQmlContext>
#include <QQuickItem>
#include <QQuickWindow>
#include <QScreen>
#include <QSignalSpy>
#include <QTest>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "studio/config/show_config.h"
#include "studio/console/console_app.h"
#include "studio/console/preview_item.h"
#include "studio/core/controller.h"

namespace yst::console {
namespace {

using nlohmann::json;

constexpr char kShow[] = R"(
[show]
title = "温网议事厅 · 控制台测试"
host = { name = "王芳", title = "主持人" }
guests = [ { name = "张三", title = "温州市医疗保障局局长" } ]
duration_min = 30

[program]
width = 640
height = 360
fps = 15
video_bitrate_kbps = 600
preset = "ultrafast"
layout = "side_by_side"
primary = "host"
secondary = "guest"

[[sources]]
id = "host"
label = "主持人机位"
uri = "test://smpte"

[[sources]]
id = "guest"
label = "嘉宾机位"
uri = "test://ball"

[[sources]]
id = "wide"
label = "全景"
uri = "test://snow"

[archive]
enabled = true
[hls]
enabled = false
[audio]
# A monitor whose device is not there: it retries, and PFL is chosen all the same.
monitor = "alsa://yst-console-test-no-such-device"
[audience]
listen = "127.0.0.1:0"
question_interval_s = 0
[followup]
departments = ["市住建局"]
)";

bool waitFor(const std::function<bool()>& done, int timeout_ms = 10000) {
  QElapsedTimer timer;
  timer.start();
  while (!done()) {
    if (timer.elapsed() > timeout_ms) return false;
    QTest::qWait(20);
  }
  return true;
}

// GET http://127.0.0.1:port/path: the body, or "" on failure. Blocking, but
// the answer comes from the server's own thread.
// `token`: sent as a bearer token (/api/status is staff only).
std::string httpGet(int port, const std::string& path, const std::string& token = "") {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return {};
  }
  const std::string request =
      "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
      (token.empty() ? std::string() : "Authorization: Bearer " + token + "\r\n") + "\r\n";
  [[maybe_unused]] ssize_t sent = ::send(fd, request.data(), request.size(), 0);
  std::string response;
  char buffer[8192];
  ssize_t n = 0;
  while ((n = ::recv(fd, buffer, sizeof buffer, 0)) > 0) response.append(buffer, n);
  ::close(fd);
  const std::size_t body = response.find("\r\n\r\n");
  return body == std::string::npos ? std::string() : response.substr(body + 4);
}

// A TCP port on 127.0.0.1 that listens and never answers: whether anything
// connected to it shows in connected().
class Listener {
 public:
  Listener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
        ::listen(fd_, 8) == 0 &&
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
      port_ = ntohs(address.sin_port);
    }
  }
  ~Listener() { ::close(fd_); }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  int port() const { return port_; }
  bool connected() const {
    pollfd waiting{fd_, POLLIN, 0};
    return ::poll(&waiting, 1, 0) > 0;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

class ConsoleTest : public ::testing::Test {
 protected:
  virtual ConsoleOptions options() const { return {}; }
  virtual std::string showText() const { return kShow; }

  void SetUp() override {
    data_dir_ = std::filesystem::temp_directory_path() /
                ("yst-console-test-" + std::to_string(::getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(data_dir_);
    config::ShowConfig show = config::parseShow(showText(), "console_test.toml");
    controller_ = std::make_unique<core::Controller>(show, data_dir_.string(),
                                                     core::Controller::SessionMode::kNew);
    std::string error;
    ASSERT_TRUE(controller_->start(&error)) << error;
    console_ = std::make_unique<ConsoleApp>(controller_.get(), data_dir_.string(), options());
    ASSERT_TRUE(console_->open(&error)) << error;
    warnings_at_start_ = ConsoleApp::qtWarnings();
    producer_ = qobject_cast<QQuickWindow*>(console_->producerWindow());
    host_ = qobject_cast<QQuickWindow*>(console_->hostWindow());
    ASSERT_TRUE(producer_ && host_);
    ASSERT_TRUE(QTest::qWaitForWindowExposed(producer_));
    producer_->requestActivate();
    ASSERT_TRUE(QTest::qWaitForWindowActive(producer_));
    ASSERT_TRUE(waitFor([&] { return console_->client()->connected(); }));
  }

  void TearDown() override {
    EXPECT_EQ(ConsoleApp::qtWarnings(), warnings_at_start_) << "the console printed Qt warnings";
    console_.reset();
    if (controller_) controller_->shutdown();
    controller_.reset();
    std::filesystem::remove_all(data_dir_);
  }

  json status() {
    return json::parse(httpGet(controller_->serverPort(), "/api/status",
                               controller_->show().audience.producer_token),
                       nullptr, false);
  }

  // Items as the scene has them (QML's visual tree, not the QObject tree).
  static void collect(QQuickItem* item, std::vector<QQuickItem*>* out) {
    out->push_back(item);
    for (QQuickItem* child : item->childItems()) collect(child, out);
  }
  static std::vector<QQuickItem*> items(QQuickWindow* window) {
    std::vector<QQuickItem*> out;
    collect(window->contentItem(), &out);
    return out;
  }
  static QQuickItem* find(QQuickWindow* window, const char* name) {
    for (QQuickItem* item : items(window)) {
      if (item->objectName() == QLatin1String(name)) return item;
    }
    return nullptr;
  }
  static bool showsText(QQuickWindow* window, const QString& text) {
    for (QQuickItem* item : items(window)) {
      if (item->isVisible() && item->property("text").toString() == text) return true;
    }
    return false;
  }
  static QString textOf(QQuickWindow* window, const char* name) {
    QQuickItem* item = find(window, name);
    return item ? item->property("text").toString() : QString();
  }

  // Every item of a window, shown or not, its dialogs' too: a popup is a
  // child object of where it is declared, its items apart until it opens.
  static std::vector<QQuickItem*> everyItem(QQuickWindow* window) {
    std::set<QQuickItem*> seen;
    std::vector<QQuickItem*> out;
    std::function<void(QQuickItem*)> walk = [&](QQuickItem* item) {
      if (!item || !seen.insert(item).second) return;
      out.push_back(item);
      for (QQuickItem* child : item->childItems()) walk(child);
      for (QObject* child : item->children()) {
        if (!child->inherits("QQuickPopup")) continue;
        // Its content's parent is the popup's own item: header, content, buttons.
        auto* content = child->property("contentItem").value<QQuickItem*>();
        walk(content && content->parentItem() ? content->parentItem() : content);
      }
    };
    walk(window->contentItem());
    return out;
  }
  static std::string describe(QQuickItem* item) {
    const QQmlContext* context = qmlContext(item);
    return std::string(item->metaObject()->className()) + " in " +
           (context ? context->baseUrl().fileName().toStdString() : std::string("?")) + ": \"" +
           item->property("text").toString().left(60).toStdString() + "\"";
  }
  // Text items that would render markup (Text, Label, TextEdit, TextArea
  // not set to plain text). Qt's own labels of fixed strings (a dialog's
  // standard buttons, a field's placeholder) are left out.
  static std::vector<std::string> textsThatMayRenderMarkup(QQuickWindow* window) {
    std::vector<std::string> out;
    for (QQuickItem* item : everyItem(window)) {
      if (!item->inherits("QQuickText") && !item->inherits("QQuickTextEdit")) continue;
      if (item->inherits("QQuickPlaceholderText")) continue;
      bool qts_own = false;
      for (QQuickItem* up = item->parentItem(); up; up = up->parentItem()) {
        qts_own = qts_own || up->inherits("QQuickIconLabel");
      }
      // Text.PlainText and TextEdit.PlainText are both 0.
      if (!qts_own && item->property("textFormat").toInt() != 0) out.push_back(describe(item));
    }
    return out;
  }
  // The visible text items holding `typed`: plain, and as wide as its
  // characters are in their font (a heading or an image would not be). The
  // number of them.
  static int expectShownAsTyped(QQuickWindow* window, const QString& typed) {
    int shown = 0;
    for (QQuickItem* item : everyItem(window)) {
      if (!item->inherits("QQuickText") || !item->isVisible()) continue;
      const QString text = item->property("text").toString();
      if (!text.contains(typed)) continue;
      ++shown;
      EXPECT_EQ(item->property("textFormat").toInt(), 0) << describe(item);
      const double natural =
          QFontMetricsF(item->property("font").value<QFont>()).horizontalAdvance(text);
      EXPECT_NEAR(item->property("implicitWidth").toDouble(), natural, 2.0) << describe(item);
    }
    return shown;
  }
  static QQuickItem* textItem(QQuickWindow* window, const QString& text) {
    for (QQuickItem* item : everyItem(window)) {
      if (item->inherits("QQuickText") && item->isVisible() &&
          item->property("text").toString() == text) {
        return item;
      }
    }
    return nullptr;
  }

  // The host's program picture at 16:9 and as large as its column allows
  // (the column's width, or its height above the clock), now.
  void expectHostPictureAtItsLargest(const std::string& when) {
    PreviewItem* picture = nullptr;
    for (QQuickItem* item : items(host_)) {
      if (auto* p = qobject_cast<PreviewItem*>(item)) picture = p;
    }
    QQuickItem* column = find(host_, "hostProgramColumn");
    QQuickItem* clock = find(host_, "hostClock");
    ASSERT_TRUE(picture && column && clock);
    QRectF p;
    QRectF c;
    const bool largest = waitFor(
        [&] {
          p = picture->mapRectToItem(column, QRectF(0, 0, picture->width(), picture->height()));
          c = clock->mapRectToItem(column, QRectF(0, 0, clock->width(), clock->height()));
          const bool sixteen_by_nine =
              p.height() > 0 && std::abs(p.width() * 9 / 16 - p.height()) <= 1;
          const bool widest = p.width() >= column->width() - 8;  // inside its tally border
          const bool tallest = c.bottom() >= column->height() - 1;
          return sixteen_by_nine && (widest || tallest) && c.top() >= p.bottom();
        },
        3000);
    keepScreenshot(host_, "host-picture-" + when);
    EXPECT_TRUE(largest) << when << ": picture " << p.width() << "×" << p.height() << " at y "
                         << p.y() << ", clock " << c.top() << "–" << c.bottom() << ", column "
                         << column->width() << "×" << column->height();
  }

  // On the host's own screen and on a 1920×1080 one: no question on air,
  // one on air, answered.
  void checkTheHostsPictureInEveryState() {
    for (QScreen* screen : {host_->screen(), producer_->screen()}) {
      const QRect geometry = screen->geometry();
      host_->setScreen(screen);
      host_->setGeometry(geometry);
      host_->showFullScreen();
      ASSERT_TRUE(waitFor([&] { return host_->size() == geometry.size(); }));
      const std::string size =
          std::to_string(geometry.width()) + "x" + std::to_string(geometry.height());
      expectHostPictureAtItsLargest(size + "-no-question");
      const std::int64_t id = viewerAsks("医保卡丢了怎么补办？能不能在手机上办？", "瓯海小李");
      ASSERT_GT(id, 0);
      console_->client()->send({{"type", "question.approve"}, {"question", qint64(id)}});
      console_->client()->send({{"type", "question.on_air"}, {"question", qint64(id)}});
      ASSERT_TRUE(waitFor([&] { return find(host_, "hostOnAirText")->isVisible(); }));
      expectHostPictureAtItsLargest(size + "-on-air");
      console_->client()->send({{"type", "question.answered"}});
      ASSERT_TRUE(waitFor([&] { return !find(host_, "hostOnAirText")->isVisible(); }));
      expectHostPictureAtItsLargest(size + "-answered");
    }
  }

  void resizeProducer(int width, int height) {
    producer_->resize(width, height);
    ASSERT_TRUE(waitFor([&] { return producer_->size() == QSize(width, height); }));
    QTest::qWait(200);  // the layout settles
  }

  // Buttons on one row (the same y), each inside `bar` with its label
  // whole.
  static void expectOnOneRowInside(QQuickItem* bar, const std::vector<QQuickItem*>& buttons,
                                   const std::string& where) {
    const double top = buttons.front()->mapToItem(bar, QPointF(0, 0)).y();
    for (QQuickItem* button : buttons) {
      const QString text = button->property("text").toString();
      const QRectF r = button->mapRectToItem(bar, QRectF(0, 0, button->width(), button->height()));
      EXPECT_EQ(r.top(), top) << where << ": " << text.toStdString() << " on another row";
      EXPECT_GE(r.left(), 0) << where << ": " << text.toStdString();
      EXPECT_LE(r.right(), bar->width()) << where << ": " << text.toStdString() << " sticks out";
      std::vector<QQuickItem*> inside;
      collect(button, &inside);
      const auto label = std::find_if(inside.begin(), inside.end(), [&](QQuickItem* item) {
        return item->inherits("QQuickText") && item->property("text").toString() == text;
      });
      ASSERT_NE(label, inside.end()) << text.toStdString();
      EXPECT_FALSE((*label)->property("truncated").toBool())
          << where << ": " << text.toStdString() << " cut short";
    }
  }

  // The question desk's buttons, in the bar under the lists, in a
  // producer's window of this size.
  void expectQuestionButtonsOnOneRow(int width, int height) {
    resizeProducer(width, height);
    key(Qt::Key_1, Qt::ControlModifier);
    QQuickItem* row = find(producer_, "question-actions");
    ASSERT_NE(row, nullptr);
    std::vector<QQuickItem*> buttons;
    for (QQuickItem* child : row->childItems()) {
      if (child->objectName().startsWith(QLatin1String("question-"))) buttons.push_back(child);
    }
    ASSERT_EQ(buttons.size(), 8u);
    const std::string where = std::to_string(width) + "x" + std::to_string(height);
    keepScreenshot(producer_, "question-buttons-" + options().lang + "-" + where);
    expectOnOneRowInside(row->parentItem(), buttons, where);
  }

  // The switcher's layout and take buttons inside its bar; with room
  // enough, at their natural width too (padding and shortcut hint).
  void expectSwitcherButtonsInsideTheirBar(int width, int height, bool natural) {
    resizeProducer(width, height);
    QQuickItem* bar = find(producer_, "switcherBar");
    ASSERT_NE(bar, nullptr);
    std::vector<QQuickItem*> buttons;
    for (const char* name : {"layout-single", "layout-side_by_side", "layout-pip", "layout-grid",
                             "layout-host_plus", "layout-row3", "take-cut", "take-auto"}) {
      buttons.push_back(find(producer_, name));
      ASSERT_NE(buttons.back(), nullptr) << name;
    }
    const std::string where = std::to_string(width) + "x" + std::to_string(height);
    keepScreenshot(producer_, "switcher-" + options().lang + "-" + where);
    // Two rows: the six layouts, then the take.
    expectOnOneRowInside(bar, {buttons.begin(), buttons.begin() + 6}, where);
    expectOnOneRowInside(bar, {buttons.begin() + 6, buttons.end()}, where);
    for (QQuickItem* button : buttons) {
      QVariant full;
      ASSERT_TRUE(QMetaObject::invokeMethod(button, "widthAt", Q_RETURN_ARG(QVariant, full),
                                            Q_ARG(QVariant, 0)));
      if (natural) {
        EXPECT_GE(button->width(), full.toDouble() - 0.5)
            << where << ": " << button->property("text").toString().toStdString()
            << " narrower than it needs to be";
      }
    }
  }

  // A viewer of the show, in process: a question through the same path a
  // phone's question takes.
  std::int64_t viewerAsks(const std::string& text, const std::string& nickname) {
    std::int64_t id = 0;
    const server::ClientId viewer =
        controller_->connectLocalClient([&id](std::shared_ptr<const std::string> message) {
          const json m = json::parse(*message, nullptr, false);
          if (m.value("type", "") == "question.received") id = m["question"]["id"];
        });
    controller_->postClientMessage(viewer, json{{"type", "hello"}, {"role", "viewer"}}.dump());
    controller_->postClientMessage(viewer, json{{"type", "question.submit"},
                                                {"text", text},
                                                {"nickname", nickname},
                                                {"category", "question"}}
                                               .dump());
    waitFor([&] { return id != 0; });
    controller_->disconnectLocalClient(viewer);
    return id;
  }

  // For people reading a failed run: tests/artifacts/console/<name>.png.
  void keepScreenshot(QQuickWindow* window, const std::string& name) {
    const std::filesystem::path dir =
        std::filesystem::path(YST_SOURCE_DIR) / "tests" / "artifacts" / "console";
    std::filesystem::create_directories(dir);
    window->grabWindow().save(QString::fromStdString((dir / (name + ".png")).string()));
  }

  void key(Qt::Key k, Qt::KeyboardModifiers modifiers = Qt::NoModifier) {
    QTest::keyClick(producer_, k, modifiers);
  }

  // Chinese arrives as a pinyin input method delivers it: a committed string
  // to the item with the keyboard focus.
  void type(const QString& text) {
    QQuickItem* item = producer_->activeFocusItem();
    ASSERT_NE(item, nullptr);
    QInputMethodEvent event;
    event.setCommitString(text);
    QCoreApplication::sendEvent(item, &event);
  }

  std::filesystem::path data_dir_;
  std::unique_ptr<core::Controller> controller_;
  std::unique_ptr<ConsoleApp> console_;
  QQuickWindow* producer_ = nullptr;
  QQuickWindow* host_ = nullptr;
  int warnings_at_start_ = 0;
};

TEST_F(ConsoleTest, TheHostMonitorGoesToTheSecondScreen) {
  ASSERT_EQ(QGuiApplication::screens().size(), 2);
  EXPECT_EQ(producer_->screen()->name(), QStringLiteral("control-room"));
  EXPECT_EQ(host_->screen()->name(), QStringLiteral("host-desk"));
  EXPECT_EQ(host_->visibility(), QWindow::FullScreen);
}

TEST_F(ConsoleTest, EveryPreviewShowsPictures) {
  std::vector<PreviewItem*> previews;
  for (QQuickWindow* w : {producer_, host_}) {
    for (QQuickItem* item : items(w)) {
      if (auto* p = qobject_cast<PreviewItem*>(item)) previews.push_back(p);
    }
  }
  // Preview, program, three sources; the host's program.
  ASSERT_EQ(previews.size(), 6u);
  EXPECT_TRUE(waitFor([&] {
    return std::all_of(previews.begin(), previews.end(),
                       [](PreviewItem* p) { return p->live() && p->framesShown() >= 5; });
  }));
  for (PreviewItem* p : previews) {
    EXPECT_TRUE(p->live()) << p->tap().toStdString();
  }
}

TEST_F(ConsoleTest, SourceKeysLayoutKeysAndCutSwitchTheProgram) {
  // 3: the wide shot into preview; F5: single; Space: on air.
  key(Qt::Key_3);
  key(Qt::Key_F5);
  ASSERT_TRUE(waitFor([&] {
    const json s = status();
    return s.is_object() && s["preview"]["primary"] == "wide" && s["preview"]["layout"] == "single";
  })) << status()["preview"].dump();
  key(Qt::Key_Space);
  ASSERT_TRUE(waitFor([&] {
    const json s = status();
    return s.is_object() && s["program"]["primary"] == "wide" && s["program"]["layout"] == "single";
  })) << status()["program"].dump();
  // Like a vision mixer: what was on air is in preview now.
  EXPECT_EQ(status()["preview"]["layout"], "side_by_side");

  // 1, Shift+2, F7 (picture in picture), Enter: a fade.
  key(Qt::Key_1);
  key(Qt::Key_2, Qt::ShiftModifier);
  key(Qt::Key_F7);
  ASSERT_TRUE(waitFor([&] {
    const json s = status();
    return s.is_object() && s["preview"]["layout"] == "pip" && s["preview"]["primary"] == "host" &&
           s["preview"]["secondary"] == "guest";
  })) << status()["preview"].dump();
  key(Qt::Key_Return);
  ASSERT_TRUE(waitFor([&] {
    const json s = status();
    return s.is_object() && s["program"]["layout"] == "pip" && s["program"]["primary"] == "host";
  })) << status()["program"].dump();
}

TEST_F(ConsoleTest, APanelLayoutIsChosenAndFilledTileByTileFromTheKeyboard) {
  // F8: the grid into preview (three sources: two above, one below); Alt+3:
  // the number keys now fill the third tile; 1: the host into it.
  key(Qt::Key_F8);
  key(Qt::Key_3, Qt::AltModifier);
  key(Qt::Key_1);
  json preview;
  ASSERT_TRUE(waitFor([&] {
    const json s = status();
    if (!s.is_object()) return false;
    preview = s["preview"];
    return preview["layout"] == "grid" && preview["tiles"].size() == 3 &&
           preview["tiles"][2] == "host";
  })) << status()["preview"].dump();
  // The preview monitor numbers the tiles and marks the chosen one.
  QQuickItem* view = find(producer_, "previewView");
  ASSERT_NE(view, nullptr);
  const QString note = view->property("note").toString();
  EXPECT_TRUE(note.contains(QStringLiteral("▸3 主持人机位"))) << note.toStdString();
  keepScreenshot(producer_, "panel-in-preview");
  key(Qt::Key_Space);
  ASSERT_TRUE(waitFor([&] {
    const json s = status();
    return s.is_object() && s["program"]["layout"] == "grid" &&
           s["program"]["tiles"] == preview["tiles"];
  })) << status()["program"].dump();
  // What was on air before is in preview now: the grid's button goes out.
  QQuickItem* grid = find(producer_, "layout-grid");
  ASSERT_NE(grid, nullptr);
  EXPECT_TRUE(waitFor([&] { return !grid->property("checked").toBool(); }))
      << "preview is what was on air before, not the grid";
  key(Qt::Key_1, Qt::AltModifier);  // back to the first tile for the other tests' keys
}

TEST_F(ConsoleTest, ASourceIsFramedFromItsPictureInTheMultiview) {
  auto clickAt = [&](QQuickItem* item, double fx, double fy) {
    const QPointF at = item->mapToScene(QPointF(item->width() * fx, item->height() * fy));
    QTest::mouseClick(producer_, Qt::LeftButton, Qt::NoModifier, at.toPoint());
  };
  QQuickItem* mode = find(producer_, "framing-mode-guest");
  ASSERT_NE(mode, nullptr);
  clickAt(mode, 0.5, 0.5);
  ASSERT_TRUE(mode->property("checked").toBool());
  QQuickItem* overlay = find(producer_, "framing-guest");
  ASSERT_NE(overlay, nullptr);
  ASSERT_TRUE(overlay->isVisible());
  // Zoom in with the slider's keys, then a click on the picture centres the
  // kept area there.
  QQuickItem* zoom = find(producer_, "framing-zoom-guest");
  ASSERT_NE(zoom, nullptr);
  QMetaObject::invokeMethod(zoom, "increase");
  QMetaObject::invokeMethod(zoom, "increase");
  QMetaObject::invokeMethod(zoom, "moved");
  ASSERT_TRUE(waitFor([&] {
    const json s = status();
    if (!s.is_object()) return false;
    for (const json& source : s["sources"]) {
      if (source["id"] == "guest") return source["framing"].value("zoom", 0.0) > 1.15;
    }
    return false;
  }));
  clickAt(overlay, 0.25, 0.3);
  json framing;
  ASSERT_TRUE(waitFor([&] {
    const json s = status();
    if (!s.is_object()) return false;
    for (const json& source : s["sources"]) {
      if (source["id"] == "guest") framing = source["framing"];
    }
    return framing.contains("center") && std::abs(framing["center"][0].get<double>() - 0.25) < 0.02;
  })) << framing.dump();
  EXPECT_NEAR(framing["center"][1].get<double>(), 0.3, 0.02);
  EXPECT_NEAR(framing["zoom"].get<double>(), 1.2, 0.01);
  // The outline follows: a fifth smaller than the picture each way, left of
  // the middle.
  QQuickItem* area = find(producer_, "framing-guest-area");
  ASSERT_NE(area, nullptr);
  EXPECT_TRUE(waitFor([&] { return std::abs(area->width() - overlay->width() / 1.2) < 2; }));
  EXPECT_LT(area->x() + area->width() / 2, overlay->width() / 2);
  keepScreenshot(producer_, "framing");
  QMetaObject::invokeMethod(mode, "toggle");
}

TEST_F(ConsoleTest, ASourceIsListenedToAloneOnTheMonitorAndThenTheProgram) {
  QQuickItem* listen = find(producer_, "listen-guest");
  ASSERT_NE(listen, nullptr);
  ASSERT_TRUE(waitFor([&] { return listen->isVisible(); })) << "no 监听 with a monitor";
  auto listening = [&] {
    const json s = status();
    if (!s.is_object() || !s.contains("audio") || !s["audio"]["monitor"].is_object()) return json();
    return s["audio"]["monitor"]["listening"];
  };
  const QPointF at = listen->mapToScene(QPointF(listen->width() / 2, listen->height() / 2));
  QTest::mouseClick(producer_, Qt::LeftButton, Qt::NoModifier, at.toPoint());
  ASSERT_TRUE(waitFor([&] { return listening() == "guest"; })) << listening().dump();
  EXPECT_TRUE(waitFor([&] { return listen->property("checked").toBool(); }));
  QQuickItem* other = find(producer_, "listen-host");
  ASSERT_NE(other, nullptr);
  EXPECT_FALSE(other->property("checked").toBool());
  keepScreenshot(producer_, "listen");
  // Again: back to the program.
  QTest::mouseClick(producer_, Qt::LeftButton, Qt::NoModifier, at.toPoint());
  ASSERT_TRUE(waitFor([&] { return listening().is_null(); })) << listening().dump();
  EXPECT_TRUE(waitFor([&] { return !listen->property("checked").toBool(); }));
}

TEST_F(ConsoleTest, AQuestionApprovedAndPutOnAirFromTheKeyboardReachesTheHost) {
  const std::int64_t id = viewerAsks("医保卡丢了怎么补办？<b>加急</b>", "瓯海小李");
  ASSERT_GT(id, 0);
  ASSERT_TRUE(waitFor([&] { return console_->client()->pending().size() == 1; }));
  // Ctrl+1: the questions; the first pending one is selected and its card
  // is drawn as it will be on air (the program's renderer, the theme).
  key(Qt::Key_1, Qt::ControlModifier);
  QQuickItem* card = find(producer_, "card-preview");
  ASSERT_NE(card, nullptr);
  ASSERT_TRUE(waitFor([&] { return card->isVisible() && card->property("status").toInt() == 1; }));
  EXPECT_GT(card->property("implicitWidth").toDouble(), 300);  // a 640×360 program's card
  // A approves it.
  key(Qt::Key_A);
  ASSERT_TRUE(waitFor([&] { return console_->client()->approved().size() == 1; }));
  // →: the air queue; O: on air.
  key(Qt::Key_Right);
  key(Qt::Key_O);
  ASSERT_TRUE(waitFor([&] {
    const json s = status();
    return s.is_object() && s["on_air_question"].is_object() && s["on_air_question"]["id"] == id;
  })) << status()["on_air_question"].dump();
  ASSERT_TRUE(waitFor([&] { return textOf(host_, "hostOnAirText").contains("医保卡丢了"); }));
  keepScreenshot(producer_, "question-on-air-producer");
  keepScreenshot(host_, "question-on-air-host");
  EXPECT_EQ(textOf(host_, "hostOnAirText"), QStringLiteral("医保卡丢了怎么补办？<b>加急</b>"));
  EXPECT_TRUE(textOf(host_, "hostAsker").contains(QStringLiteral("瓯海小李")));
  // D: answered; the host's screen clears.
  key(Qt::Key_D);
  ASSERT_TRUE(waitFor([&] { return status()["on_air_question"].is_null(); }));
  EXPECT_TRUE(waitFor([&] { return !find(host_, "hostOnAirText")->isVisible(); }));
}

TEST_F(ConsoleTest, AnotherProducersActionsShowAtOnceAndTheConsolesReachThem) {
  // A second producer (a web console: the same protocol, in process here).
  std::vector<json> seen;
  const server::ClientId web =
      controller_->connectLocalClient([&seen](std::shared_ptr<const std::string> message) {
        seen.push_back(json::parse(*message, nullptr, false));
      });
  controller_->postClientMessage(web, json{{"type", "hello"},
                                           {"role", "producer"},
                                           {"token", controller_->show().audience.producer_token},
                                           {"name", "网页编辑"}}
                                          .dump());
  ASSERT_TRUE(waitFor([&] {
    return std::any_of(seen.begin(), seen.end(),
                       [](const json& m) { return m.value("type", "") == "hello.ok"; });
  }));
  const std::int64_t id = viewerAsks("公交卡能不能在手机上充值？", "鹿城老陈");
  ASSERT_TRUE(waitFor([&] { return console_->client()->pending().size() == 1; }));
  // A new question names no one, in the console's words (not the studio's
  // "viewers · received").
  EXPECT_EQ(console_->client()->lastAction(), QStringLiteral("新提问 · #%1").arg(id));
  // The web producer approves: the console's lists follow.
  QElapsedTimer clock;
  clock.start();
  controller_->postClientMessage(web, json{{"type", "question.approve"}, {"question", id}}.dump());
  ASSERT_TRUE(waitFor([&] { return console_->client()->approved().size() == 1; }));
  EXPECT_LT(clock.elapsed(), 1000);
  EXPECT_EQ(console_->client()->lastAction(), QStringLiteral("网页编辑 · 通过 · #%1").arg(id));
  // The console puts it on air: the web producer hears of it.
  seen.clear();
  key(Qt::Key_1, Qt::ControlModifier);
  key(Qt::Key_Right);
  key(Qt::Key_O);
  ASSERT_TRUE(waitFor([&] {
    return std::any_of(seen.begin(), seen.end(), [&](const json& m) {
      return m.value("type", "") == "questions.changed" && m["on_air"].is_object() &&
             m["on_air"]["id"] == id;
    });
  }));
  controller_->disconnectLocalClient(web);
}

TEST_F(ConsoleTest, TheGraphicsDeskIsReachableFromTheKeyboard) {
  ASSERT_TRUE(waitFor([&] { return status()["overlay"]["bug"]["visible"] == true; }));
  // Ctrl+2: the graphics desk, the keyboard on its first control (the bug).
  key(Qt::Key_2, Qt::ControlModifier);
  ASSERT_NE(producer_->activeFocusItem(), nullptr);
  EXPECT_EQ(producer_->activeFocusItem()->objectName(), QStringLiteral("graphics-bug"));
  // Space presses the focused button (and does not cut).
  key(Qt::Key_Space);
  ASSERT_TRUE(waitFor([&] { return status()["overlay"]["bug"]["visible"] == false; }));
  // Tab to the clock; Enter presses it (and does not fade).
  key(Qt::Key_Tab);
  EXPECT_EQ(producer_->activeFocusItem()->objectName(), QStringLiteral("graphics-clock"));
  key(Qt::Key_Return);
  ASSERT_TRUE(waitFor([&] { return status()["overlay"]["clock"]["visible"] == false; }));
  const json program = status()["program"];
  EXPECT_EQ(program["layout"], "side_by_side");
  EXPECT_EQ(program["primary"], "host");
  // Escape gives the keyboard back to the switcher: Space cuts again.
  key(Qt::Key_Escape);
  key(Qt::Key_3);
  key(Qt::Key_F5);
  key(Qt::Key_Space);
  ASSERT_TRUE(waitFor([&] { return status()["program"]["primary"] == "wide"; }));
}

TEST_F(ConsoleTest, ThemePreviewsShowEveryThemesLowerThird) {
  key(Qt::Key_2, Qt::ControlModifier);
  for (const char* name : {"theme-preview-default", "theme-preview-cinnabar"}) {
    QQuickItem* preview = find(producer_, name);
    ASSERT_NE(preview, nullptr) << name;
    ASSERT_TRUE(waitFor([&] { return preview->property("status").toInt() == 1; })) << name;
    // A lower-third of a 640×360 program: a few dozen pixels wide.
    EXPECT_GT(preview->property("implicitWidth").toDouble(), 20) << name;
    EXPECT_LT(preview->property("implicitWidth").toDouble(), 640) << name;
  }
  keepScreenshot(producer_, "graphics-desk");
}

TEST_F(ConsoleTest, ACueTypedInTheConsoleReachesTheHostMonitor) {
  key(Qt::Key_K, Qt::ControlModifier);
  type(QStringLiteral("还有两分钟"));
  key(Qt::Key_Return);
  ASSERT_TRUE(
      waitFor([&] { return textOf(host_, "hostCueText") == QStringLiteral("还有两分钟"); }));
  EXPECT_EQ(status()["cue"]["text"], "还有两分钟");
  // Typing in a field never switched the program (Return is Auto elsewhere).
  EXPECT_EQ(status()["program"]["layout"], "side_by_side");
  EXPECT_EQ(status()["program"]["primary"], "host");
}

TEST_F(ConsoleTest, TheTypistPanelCommitsALineForTheSpeakerPicked) {
  key(Qt::Key_3, Qt::ControlModifier);
  key(Qt::Key_F2);  // the first guest
  type(QStringLiteral("异地就医备案可以在网上办"));
  key(Qt::Key_Return);
  ASSERT_TRUE(waitFor([&] { return status()["transcript"]["lines"] == 1; }))
      << status()["transcript"].dump();
  ASSERT_TRUE(waitFor([&] { return console_->client()->lines().size() == 1; }));
  const QVariantMap line = console_->client()->lines().front().toMap();
  EXPECT_EQ(line["speaker"].toString(), QStringLiteral("guest1"));
  EXPECT_EQ(line["speaker_name"].toString(), QStringLiteral("张三"));
  EXPECT_EQ(line["text"].toString(), QStringLiteral("异地就医备案可以在网上办"));
}

// 问政跟踪: a promise recorded (as the typist's Alt+P or the web producer
// page would) shows in the console's follow-up desk and its tab.
TEST_F(ConsoleTest, APromiseMadeOnAirIsRecordedAtTheFollowupDesk) {
  // The question on air when the department head promises.
  const std::int64_t asked = viewerAsks("安置房办证难，什么时候能办下来？", "鹿城网友");
  ASSERT_GT(asked, 0);
  console_->client()->send({{"type", "question.approve"}, {"question", qint64(asked)}});
  console_->client()->send({{"type", "question.on_air"}, {"question", qint64(asked)}});
  ASSERT_TRUE(
      waitFor([&] { return console_->client()->onAir().value("id").toLongLong() == asked; }));
  // Ctrl+5: the 跟踪 desk, the keyboard in the promise's words.
  key(Qt::Key_5, Qt::ControlModifier);
  ASSERT_NE(producer_->activeFocusItem(), nullptr);
  EXPECT_EQ(producer_->activeFocusItem()->objectName(), QStringLiteral("followup-promise"));
  type(QStringLiteral("安置房办证年底前全部办结"));
  QQuickItem* department = find(producer_, "followup-department");
  QQuickItem* due = find(producer_, "followup-due");
  QQuickItem* record = find(producer_, "followup-record");
  ASSERT_TRUE(department && due && record);
  ASSERT_TRUE(waitFor([&] { return department->property("count").toInt() == 1; }));
  department->setProperty("currentIndex", 0);
  EXPECT_EQ(department->property("currentText").toString(), QStringLiteral("市住建局"));

  // A deadline already past: refused, and said so at the desk.
  due->setProperty("text", QStringLiteral("2000-01-01"));
  QMetaObject::invokeMethod(record, "clicked");
  ASSERT_TRUE(waitFor([&] {
    return textOf(producer_, "followupCommitNote").startsWith(QStringLiteral("未能记录"));
  }));
  EXPECT_TRUE(textOf(producer_, "followupCommitNote").contains(QStringLiteral("2000-01-01")));
  EXPECT_EQ(textOf(producer_, "followup-promise"), QStringLiteral("安置房办证年底前全部办结"))
      << "a refused promise's words were lost";

  due->setProperty("text", QStringLiteral("2030-12-31"));
  QMetaObject::invokeMethod(record, "clicked");
  ASSERT_TRUE(waitFor([&] {
    return textOf(producer_, "followupCommitNote").startsWith(QStringLiteral("已记录承诺 #"));
  })) << textOf(producer_, "followupCommitNote").toStdString();
  EXPECT_EQ(textOf(producer_, "followup-promise"), QString());
  ASSERT_TRUE(waitFor([&] {
    return status().value("followup", json::object()).value("open", 0) == 1;
  })) << status().dump();
  ASSERT_TRUE(waitFor([&] {
    return textOf(producer_, "followupCounts") == QStringLiteral("未办结 1 件 · 逾期 0 件");
  })) << textOf(producer_, "followupCounts").toStdString();

  // What was recorded: the words, the department, the deadline, the question
  // on air and the moment of the show.
  QSignalSpy replies(console_->client(), &console::ConsoleClient::replied);
  const int request = console_->client()->send({{"type", "followup.list"}});
  QVariantMap listed;
  ASSERT_TRUE(waitFor([&] {
    for (const QList<QVariant>& reply : replies) {
      if (reply.at(0).toInt() == request) listed = reply.at(1).toMap();
    }
    return !listed.isEmpty();
  }));
  const QVariantList items = listed.value("items").toList();
  ASSERT_EQ(items.size(), 1);
  const QVariantMap item = items.front().toMap();
  EXPECT_EQ(item.value("kind").toString(), QStringLiteral("commitment"));
  EXPECT_EQ(item.value("text").toString(), QStringLiteral("安置房办证年底前全部办结"));
  EXPECT_EQ(item.value("department").toMap().value("name").toString(), QStringLiteral("市住建局"));
  EXPECT_EQ(item.value("due").toString(), QStringLiteral("2030-12-31"));
  EXPECT_EQ(item.value("question").toLongLong(), asked);
  EXPECT_GE(item.value("timeline_ms").toLongLong(), 0);
  keepScreenshot(producer_, "followup-promise-recorded");
}

TEST_F(ConsoleTest, TheProgramViewShowsItsLoudness) {
  // EBU R128 readings of the program, as /api/status has them.
  ASSERT_TRUE(waitFor(
      [&] { return textOf(producer_, "programViewNote").contains(QStringLiteral("LUFS")); }, 15000))
      << textOf(producer_, "programViewNote").toStdString();
  const QString note = textOf(producer_, "programViewNote");
  EXPECT_TRUE(note.startsWith(QStringLiteral("短时 "))) << note.toStdString();
  EXPECT_TRUE(note.contains(QStringLiteral("真峰值"))) << note.toStdString();
  const json loudness = status()["audio"]["loudness"];
  ASSERT_TRUE(loudness.is_object()) << status().dump();
  EXPECT_EQ(loudness["target"], -23.0);
  keepScreenshot(producer_, "program-loudness");
}

TEST_F(ConsoleTest, ClosingDuringALiveShowAsksFirst) {
  ASSERT_TRUE(waitFor([&] { return status()["recording"]["state"] == "recording"; }));
  QSignalSpy quit(console_.get(), &ConsoleApp::quitRequested);
  QMetaObject::invokeMethod(producer_, "close");
  QObject* dialog = producer_->findChild<QObject*>(QStringLiteral("endShowDialog"));
  ASSERT_NE(dialog, nullptr);
  ASSERT_TRUE(waitFor([&] { return dialog->property("visible").toBool(); }));
  EXPECT_EQ(quit.count(), 0) << "the show ended without asking";
  QMetaObject::invokeMethod(dialog, "accept");
  ASSERT_TRUE(waitFor([&] { return quit.count() == 1; }));
  EXPECT_EQ(quit.front().front().toInt(), 0);
}

TEST_F(ConsoleTest, ViewersAndPartnersTextIsShownAsTypedNeverAsMarkup) {
  Listener images;
  ASSERT_GT(images.port(), 0);
  const QString image =
      QStringLiteral("<img src=\"http://127.0.0.1:%1/x.png\">").arg(images.port());
  // A nickname asking for a heading, beside the same words plain.
  const QString heading = QStringLiteral("<h1>快念这条</h1>");
  const std::int64_t loud = viewerAsks("医保卡丢了怎么补办？", heading.toStdString());
  const std::int64_t quiet = viewerAsks("异地就医怎么备案？", "快念这条");
  ASSERT_TRUE(loud > 0 && quiet > 0);
  ASSERT_TRUE(waitFor([&] { return console_->client()->pending().size() == 2; }));
  QQuickItem* loud_name = nullptr;
  QQuickItem* quiet_name = nullptr;
  ASSERT_TRUE(waitFor([&] {
    loud_name = textItem(producer_, heading);
    quiet_name = textItem(producer_, QStringLiteral("快念这条"));
    return loud_name && quiet_name;
  }));
  EXPECT_EQ(loud_name->property("implicitHeight").toDouble(),
            quiet_name->property("implicitHeight").toDouble())
      << "the nickname was drawn as a heading";

  // A partner site named with an image (its address refuses: an alert names
  // it), and a cue holding one.
  const int refusing = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ASSERT_EQ(::bind(refusing, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::getsockname(refusing, reinterpret_cast<sockaddr*>(&address), &length), 0);
  console_->client()->send(
      {{"type", "destination.add"},
       {"destination", "partner"},
       {"name", image + QStringLiteral("合作网站")},
       {"url", QStringLiteral("rtmp://127.0.0.1:%1/live").arg(ntohs(address.sin_port))},
       {"key", "abcdefgh"}});
  console_->client()->send({{"type", "cue.send"}, {"text", image + QStringLiteral("请看")}});
  // The loud one on air, the quiet one next.
  console_->client()->send({{"type", "question.approve"}, {"question", qint64(loud)}});
  console_->client()->send({{"type", "question.on_air"}, {"question", qint64(loud)}});
  console_->client()->send({{"type", "question.approve"}, {"question", qint64(quiet)}});
  ASSERT_TRUE(waitFor([&] {
    const QVariantList alerts = console_->client()->alerts();
    return textOf(host_, "hostAsker").contains(heading) && !textOf(host_, "hostNext0").isEmpty() &&
           console_->client()->cue().value("text").toString().contains(image) &&
           std::any_of(alerts.begin(), alerts.end(), [&](const QVariant& a) {
             return a.toMap().value("text").toString().contains(image);
           });
  })) << "the alert, the cue or the questions did not arrive";
  keepScreenshot(producer_, "markup-questions");
  keepScreenshot(host_, "markup-host");
  EXPECT_GE(expectShownAsTyped(producer_, heading), 1);  // on air
  EXPECT_GE(expectShownAsTyped(host_, heading), 1);      // who asked
  key(Qt::Key_4, Qt::ControlModifier);                   // the destinations desk
  keepScreenshot(producer_, "markup-destinations");
  EXPECT_GE(expectShownAsTyped(producer_, image), 3);  // alert, destination, cue sent
  QTest::qWait(1500);                                  // time for an image fetch, were there one
  for (QQuickWindow* window : {producer_, host_}) {
    for (const std::string& text : textsThatMayRenderMarkup(window)) ADD_FAILURE() << text;
  }
  EXPECT_FALSE(images.connected()) << "the console fetched an image a partner named";
  ::close(refusing);
}

TEST_F(ConsoleTest, TheHostsPictureKeeps16By9AtItsLargestInEveryState) {
  ASSERT_TRUE(find(host_, "hostRemaining")->isVisible());
  checkTheHostsPictureInEveryState();
}

// A show without a planned length: no time left on the host's clock.
class ConsoleWithoutPlannedLengthTest : public ConsoleTest {
 protected:
  std::string showText() const override {
    std::string show = kShow;
    const std::string planned = "duration_min = 30\n";
    show.erase(show.find(planned), planned.size());
    return show;
  }
};

// A show with a remote guest's slot (webrtc://remote1) after its cameras.
class ConsoleWithGuestSlotTest : public ConsoleTest {
 protected:
  std::string showText() const override {
    return std::string(kShow) + "\n[[sources]]\nid = \"remote1\"\nlabel = \"远程嘉宾\"\n" +
           "uri = \"webrtc://remote1\"\n";
  }
};

TEST_F(ConsoleWithGuestSlotTest, AGuestsInvitationLinkIsMadeFromTheirSlotsTile) {
  auto click = [&](QQuickItem* item) {
    const QPointF at = item->mapToScene(QPointF(item->width() / 2, item->height() / 2));
    QTest::mouseClick(producer_, Qt::LeftButton, Qt::NoModifier, at.toPoint());
  };
  QQuickItem* panel = find(producer_, "guest-panel-remote1");
  ASSERT_NE(panel, nullptr);
  ASSERT_TRUE(waitFor([&] { return panel->isVisible(); }));
  QQuickItem* camera = find(producer_, "guest-panel-host");
  ASSERT_NE(camera, nullptr);
  EXPECT_FALSE(camera->isVisible()) << "a camera has no guests";
  click(panel);
  QQuickItem* name = nullptr;
  ASSERT_TRUE(waitFor([&] {
    name = find(producer_, "guest-invite-name");
    return name && name->isVisible();
  }));
  name->setProperty("text", QStringLiteral("李四"));
  find(producer_, "guest-invite-title")->setProperty("text", QStringLiteral("市民观察员"));
  QQuickItem* make = find(producer_, "guest-invite-make");
  ASSERT_NE(make, nullptr);
  ASSERT_TRUE(waitFor([&] { return make->property("enabled").toBool(); }));
  click(make);
  QQuickItem* link = find(producer_, "guest-invite-link");
  ASSERT_NE(link, nullptr);
  ASSERT_TRUE(waitFor([&] { return !link->property("text").toString().isEmpty(); }));
  const std::string url = link->property("text").toString().toStdString();
  // The whole link, to this studio's address, that opens the guest page.
  EXPECT_EQ(url.rfind("http://127.0.0.1:" + std::to_string(controller_->serverPort()) + "/g/", 0),
            0u)
      << url;
  const std::string token = url.substr(url.rfind('/') + 1);
  // Asked from another thread: the studio answers it on this one (after its
  // database), which must keep running meanwhile.
  const int port = controller_->serverPort();
  std::future<std::string> asked =
      std::async(std::launch::async, [port, token] { return httpGet(port, "/api/guest", token); });
  ASSERT_TRUE(waitFor(
      [&] { return asked.wait_for(std::chrono::seconds(0)) == std::future_status::ready; }));
  const std::string answer = asked.get();
  const json info = json::parse(answer, nullptr, false);
  ASSERT_TRUE(info.is_object()) << "the link does not open the guest's details: " << answer;
  EXPECT_EQ(info["name"], "李四");
  EXPECT_EQ(info["title"], "市民观察员");
  EXPECT_EQ(info["source"], "remote1");
  // Nobody in the slot yet: no cue to send.
  QQuickItem* cue = find(producer_, "guest-cue-send");
  ASSERT_NE(cue, nullptr);
  EXPECT_FALSE(cue->isVisible());
  // Qt's own button in the console's language (qtbase_zh_CN.qm).
  EXPECT_TRUE(showsText(producer_, QStringLiteral("关闭")));
  EXPECT_FALSE(showsText(producer_, QStringLiteral("Close")));
  keepScreenshot(producer_, "guest-invitation");
  QQuickItem* dialog = find(producer_, "guest-dialog");
  if (dialog) QMetaObject::invokeMethod(dialog, "close");
}

// Four tiles (three cameras and a guest's slot) side by side: under each,
// the sound's buttons and fader, then 取景 and the slot's buttons, every
// one inside its tile with its label whole, at the size the console opens
// at and at a laptop's 1280×720.
TEST_F(ConsoleWithGuestSlotTest, EveryTilesControlsStayInsideTheTile) {
  for (const QSize size : {QSize(1600, 900), QSize(1280, 720)}) {
    resizeProducer(size.width(), size.height());
    const std::string at = std::to_string(size.width()) + "x" + std::to_string(size.height());
    for (const char* id : {"host", "guest", "wide", "remote1"}) {
      const std::string where = at + " " + id;
      QQuickItem* tile = find(producer_, ("source-" + std::string(id)).c_str());
      ASSERT_NE(tile, nullptr) << where;
      QQuickItem* column = tile->parentItem();
      auto named = [&](const std::string& prefix) {
        return find(producer_, (prefix + id).c_str());
      };
      std::vector<QQuickItem*> sound = {named("mute-"), named("listen-")};
      std::vector<QQuickItem*> actions = {named("framing-mode-")};
      if (std::string(id) == "remote1") actions.push_back(named("guest-panel-"));
      for (QQuickItem* button : sound) ASSERT_NE(button, nullptr) << where;
      for (QQuickItem* button : actions) ASSERT_NE(button, nullptr) << where;
      for (QQuickItem* button : actions) EXPECT_TRUE(button->isVisible()) << where;
      expectOnOneRowInside(column, sound, where + " sound");
      expectOnOneRowInside(column, actions, where + " actions");
      QQuickItem* gain = named("gain-");
      ASSERT_NE(gain, nullptr) << where;
      const QRectF r = gain->mapRectToItem(column, QRectF(0, 0, gain->width(), gain->height()));
      EXPECT_GE(r.width(), 40) << where << ": the fader";
      EXPECT_LE(r.right(), column->width()) << where << ": the fader sticks out";
    }
    keepScreenshot(producer_, "tiles-" + at);
  }
}

TEST_F(ConsoleWithoutPlannedLengthTest, TheHostsPictureKeeps16By9AtItsLargestInEveryState) {
  ASSERT_FALSE(find(host_, "hostRemaining")->isVisible());
  checkTheHostsPictureInEveryState();
}

TEST_F(ConsoleTest, TheQuestionButtonsSitOnOneRow) {
  expectQuestionButtonsOnOneRow(1600, 900);
  expectQuestionButtonsOnOneRow(1280, 760);
}

TEST_F(ConsoleTest, TheSwitcherButtonsFitTheirBar) {
  expectSwitcherButtonsInsideTheirBar(1600, 900, true);
  expectSwitcherButtonsInsideTheirBar(1280, 760, false);
}

// The previews' colour conversion: BT.601 limited range, odd sizes too.
TEST(PreviewColours, I420ToRgbMatchesBt601) {
  // 3×2 pixels: white, black, red on the first row; the chroma of each
  // 2×2 block is shared, so the second block (one column) is red alone.
  const unsigned char y[] = {235, 16, 81, 235, 16, 81};
  const unsigned char u[] = {128, 90};
  const unsigned char v[] = {128, 240};
  QImage out;
  i420ToRgb32(y, 3, u, 2, v, 2, 3, 2, &out);
  ASSERT_EQ(out.size(), QSize(3, 2));
  EXPECT_EQ(out.pixel(0, 0), qRgb(255, 255, 255));
  EXPECT_EQ(out.pixel(1, 0), qRgb(0, 0, 0));
  const QRgb red = out.pixel(2, 1);
  EXPECT_GE(qRed(red), 250);
  EXPECT_LE(qGreen(red), 5);
  EXPECT_LE(qBlue(red), 5);
}

class EnglishConsoleTest : public ConsoleTest {
 protected:
  ConsoleOptions options() const override {
    ConsoleOptions english;
    english.lang = "en";
    return english;
  }
};

TEST_F(EnglishConsoleTest, SpeaksEnglishWithLangEn) {
  EXPECT_TRUE(showsText(producer_, QStringLiteral("Graphics")));
  EXPECT_TRUE(showsText(producer_, QStringLiteral("Cut")));
  EXPECT_TRUE(showsText(host_, QStringLiteral("No question on air")));
  EXPECT_FALSE(showsText(producer_, QStringLiteral("包装")));
}

TEST_F(EnglishConsoleTest, TheQuestionButtonsSitOnOneRow) {
  expectQuestionButtonsOnOneRow(1600, 900);
  expectQuestionButtonsOnOneRow(1280, 760);
}

TEST_F(EnglishConsoleTest, TheSwitcherButtonsFitTheirBar) {
  expectSwitcherButtonsInsideTheirBar(1600, 900, true);
  expectSwitcherButtonsInsideTheirBar(1280, 760, false);
}

TEST_F(ConsoleTest, SpeaksChineseByDefault) {
  EXPECT_TRUE(showsText(producer_, QStringLiteral("包装")));
  EXPECT_TRUE(showsText(producer_, QStringLiteral("切换")));
  EXPECT_TRUE(showsText(host_, QStringLiteral("暂无上屏提问")));
}

}  // namespace
}  // namespace yst::console

int main(int argc, char** argv) {
  // Two screens, as in a control room: the producer's and the host's.
  const std::filesystem::path screens = std::filesystem::temp_directory_path() /
                                        ("yst-screens-" + std::to_string(::getpid()) + ".json");
  {
    std::FILE* f = std::fopen(screens.c_str(), "w");
    std::fputs(R"({"screens": [
      {"name": "control-room", "x": 0, "y": 0, "width": 1920, "height": 1080, "logicalDpi": 96},
      {"name": "host-desk", "x": 1920, "y": 0, "width": 1280, "height": 720, "logicalDpi": 96}]})",
               f);
    std::fclose(f);
  }
  qputenv("QT_QPA_PLATFORM", ("offscreen:configfile=" + screens.string()).c_str());
  QGuiApplication app(argc, argv);
  gst_init(nullptr, nullptr);
  ::testing::InitGoogleTest(&argc, argv);
  const int result = RUN_ALL_TESTS();
  std::filesystem::remove(screens);
  return result;
}
