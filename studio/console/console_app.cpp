#include "studio/console/console_app.h"

#include <QDateTime>
#include <QDir>
#include <QGuiApplication>
#include <QLibraryInfo>
#include <QQmlContext>
#include <QQuickWindow>
#include <QScreen>
#include <QTimer>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>

#include "studio/base/log.h"
#include "studio/console/graphics_preview.h"
#include "studio/console/preview_item.h"
#include "studio/core/controller.h"

namespace yst::console {

namespace {

std::atomic<int> g_qt_warnings{0};

// Qt's own messages (QML warnings, binding loops, missing files) into the
// studio's log, counted: a console that warns is a console with a bug.
void onQtMessage(QtMsgType type, const QMessageLogContext& context, const QString& message) {
  std::string text;
  if (context.file) text = std::string(context.file) + ":" + std::to_string(context.line) + ": ";
  text += message.toStdString();
  switch (type) {
    case QtDebugMsg:
      logDebug("qt", text);
      break;
    case QtInfoMsg:
      logInfo("qt", text);
      break;
    case QtWarningMsg:
      ++g_qt_warnings;
      logWarn("qt", text);
      break;
    case QtCriticalMsg:
    case QtFatalMsg:
      ++g_qt_warnings;
      logError("qt", text);
      break;
  }
}

constexpr int kScreenshotPollMs = 200;
constexpr int kScreenshotTimeoutMs = 20000;

}  // namespace

ConsoleApp::ConsoleApp(core::Controller* controller, std::string data_dir, ConsoleOptions options,
                       QObject* parent)
    : QObject(parent),
      controller_(controller),
      data_dir_(std::move(data_dir)),
      options_(std::move(options)) {}

ConsoleApp::~ConsoleApp() {
  writeFrameTimes();
  engine_.reset();  // the windows go before the client they bind to
  client_.reset();
  PreviewItem::setController(nullptr);
}

int ConsoleApp::qtWarnings() {
  return g_qt_warnings.load();
}

QObject* ConsoleApp::producerWindow() const {
  return engine_ && !engine_->rootObjects().empty() ? engine_->rootObjects().value(0) : nullptr;
}

QObject* ConsoleApp::hostWindow() const {
  return engine_ && engine_->rootObjects().size() > 1 ? engine_->rootObjects().value(1) : nullptr;
}

bool ConsoleApp::open(std::string* error) {
  qInstallMessageHandler(onQtMessage);
  if (options_.lang == "en") {
    if (!translator_.load(QStringLiteral(":/i18n/yishiting_en.qm"))) {
      *error = "the English translation is missing from the build";
      return false;
    }
    QCoreApplication::installTranslator(&translator_);
  } else {
    // Qt's own strings in Chinese too: the dialogs' standard buttons (关闭,
    // 保存, 取消). Debian's qt6-translations-l10n has them; without it they
    // stay English, which is no reason not to run the show.
    const QString dir = QLibraryInfo::path(QLibraryInfo::TranslationsPath);
    if (qt_translator_.load(QStringLiteral("qtbase_zh_CN"), dir)) {
      QCoreApplication::installTranslator(&qt_translator_);
    } else {
      logWarn("console", "Qt's Chinese translation (qtbase_zh_CN.qm) is not in " +
                             dir.toStdString() +
                             ": the dialogs' buttons stay English (install qt6-translations-l10n)");
    }
  }
  client_ = std::make_unique<ConsoleClient>(controller_, data_dir_);
  PreviewItem::setController(controller_);
  qmlRegisterType<PreviewItem>("Yishiting", 1, 0, "Preview");
  qmlRegisterSingletonType(QUrl(QStringLiteral("qrc:/qml/Style.qml")), "Yishiting", 1, 0, "Style");
  engine_ = std::make_unique<QQmlApplicationEngine>();
  // The engine owns (and deletes) its image providers.
  engine_->addImageProvider(QStringLiteral("graphics"),
                            new GraphicsPreviewProvider(client_.get(), controller_->show()));
  engine_->rootContext()->setContextProperty(QStringLiteral("studio"), client_.get());
  engine_->rootContext()->setContextProperty(QStringLiteral("consoleApp"), this);
  engine_->rootContext()->setContextProperty(QStringLiteral("uiLanguage"),
                                             QString::fromStdString(options_.lang));
  engine_->load(QUrl(QStringLiteral("qrc:/qml/ProducerConsole.qml")));
  engine_->load(QUrl(QStringLiteral("qrc:/qml/HostMonitor.qml")));
  auto* producer = qobject_cast<QQuickWindow*>(producerWindow());
  auto* host = qobject_cast<QQuickWindow*>(hostWindow());
  if (!producer || !host) {
    *error = "the console's QML did not load (see the qt lines above)";
    return false;
  }
  // The host monitor on its own screen when there is one.
  const QList<QScreen*> screens = QGuiApplication::screens();
  int index = options_.host_screen;
  if (index < 0 || index >= screens.size()) index = screens.size() > 1 ? 1 : -1;
  if (index >= 0 && screens.value(index) != producer->screen()) {
    host->setScreen(screens.value(index));
    host->setGeometry(screens.value(index)->geometry());
    host->showFullScreen();
  } else {
    host->show();
  }
  producer->show();
  if (const char* log = std::getenv("YST_CONSOLE_FRAME_LOG"); log && *log) {
    frame_log_ = log;
    frame_clock_.start();
    // A frame: from the GUI thread's animations and bindings to the swap.
    connect(
        producer, &QQuickWindow::afterAnimating, this,
        [this] { frame_started_us_ = frame_clock_.nsecsElapsed() / 1000; }, Qt::DirectConnection);
    connect(
        producer, &QQuickWindow::frameSwapped, this,
        [this] {
          const qint64 started = frame_started_us_.exchange(-1);
          if (started < 0) return;
          std::lock_guard lock(frame_mutex_);
          if (frame_times_us_.size() < 1000000) {
            frame_times_us_.push_back(frame_clock_.nsecsElapsed() / 1000 - started);
          }
        },
        Qt::DirectConnection);
  }
  if (!options_.screenshot_dir.empty()) {
    auto* poll = new QTimer(this);
    auto started = std::make_shared<qint64>(QDateTime::currentMSecsSinceEpoch());
    connect(poll, &QTimer::timeout, this, [this, poll, started] {
      // Once every picture on screen is live (or after the timeout, which
      // then shows what was not).
      bool ready = client_->connected();
      std::function<void(QQuickItem*)> check = [&](QQuickItem* item) {
        if (auto* preview = qobject_cast<PreviewItem*>(item)) {
          if (preview->isVisible() && !preview->live()) ready = false;
        }
        for (QQuickItem* child : item->childItems()) check(child);
      };
      for (QObject* root : engine_->rootObjects()) {
        if (auto* window = qobject_cast<QQuickWindow*>(root)) check(window->contentItem());
      }
      const bool late = QDateTime::currentMSecsSinceEpoch() - *started > kScreenshotTimeoutMs;
      if (!ready && !late) return;
      poll->stop();
      if (late) logWarn("console", "screenshot taken before every preview showed a picture");
      // A moment for the last frames and meters to be drawn.
      QTimer::singleShot(600, this, &ConsoleApp::takeScreenshots);
    });
    poll->start(kScreenshotPollMs);
  }
  return true;
}

void ConsoleApp::takeScreenshots() {
  std::error_code ec;
  std::filesystem::create_directories(options_.screenshot_dir, ec);
  bool ok = true;
  const std::pair<QObject*, const char*> windows[] = {{producerWindow(), "producer-console.png"},
                                                      {hostWindow(), "host-monitor.png"}};
  for (const auto& [object, name] : windows) {
    auto* window = qobject_cast<QQuickWindow*>(object);
    const QString path =
        QDir(QString::fromStdString(options_.screenshot_dir)).filePath(QString::fromLatin1(name));
    if (!window || !window->grabWindow().save(path)) {
      logError("console", "could not write " + path.toStdString());
      ok = false;
    } else {
      logInfo("console", "screenshot " + path.toStdString());
    }
  }
  emit quitRequested(ok ? 0 : 1);
}

void ConsoleApp::writeFrameTimes() {
  if (frame_log_.empty()) return;
  std::FILE* out = std::fopen(frame_log_.c_str(), "w");
  if (!out) {
    logError("console", "cannot write " + frame_log_);
    return;
  }
  std::lock_guard lock(frame_mutex_);
  for (qint64 us : frame_times_us_) std::fprintf(out, "%lld\n", static_cast<long long>(us));
  std::fclose(out);
  frame_log_.clear();
}

void ConsoleApp::endShow() {
  emit quitRequested(0);
}

}  // namespace yst::console
