#include "studio/console/console_client.h"

#include <sys/statvfs.h>

#include <QCoreApplication>
#include <QJsonDocument>
#include <algorithm>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>

#include "studio/base/clock.h"
#include "studio/core/controller.h"

namespace yst::console {

using nlohmann::json;

namespace {

constexpr std::size_t kRecentQuestions = 30;
constexpr std::size_t kShownLines = 300;
constexpr std::size_t kBitrateSamples = 60;
constexpr std::uint64_t kLowDiskBytes = 2ull << 30;         // a warning under 2 GiB free
constexpr std::uint64_t kCriticalDiskBytes = 512ull << 20;  // an error under 512 MiB
constexpr std::int64_t kDroppedAlertMs = 10000;

QVariantMap alert(const char* level, const QString& text) {
  return {{QStringLiteral("level"), QString::fromLatin1(level)}, {QStringLiteral("text"), text}};
}

QString str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? QString::fromStdString(it->get<std::string>())
                                          : QString();
}

// An action on questions as the producers read it (the web producer page
// names them alike). New questions come from the audience or the hotline:
// the studio names no one ("viewers"), so neither does the line.
QString actionLine(const json& m, const QStringList& ids) {
  const std::string action = m.value("action", std::string());
  static const std::map<std::string, const char*> names = {
      {"approve", QT_TRANSLATE_NOOP("ConsoleClient", "通过")},
      {"reject", QT_TRANSLATE_NOOP("ConsoleClient", "拒绝")},
      {"edit", QT_TRANSLATE_NOOP("ConsoleClient", "编辑")},
      {"merge", QT_TRANSLATE_NOOP("ConsoleClient", "合并")},
      {"on_air", QT_TRANSLATE_NOOP("ConsoleClient", "上屏")},
      {"off_air", QT_TRANSLATE_NOOP("ConsoleClient", "下屏")},
      {"answered", QT_TRANSLATE_NOOP("ConsoleClient", "已回答")},
      {"move", QT_TRANSLATE_NOOP("ConsoleClient", "调整顺序")},
      {"undo", QT_TRANSLATE_NOOP("ConsoleClient", "撤销")},
      {"received", QT_TRANSLATE_NOOP("ConsoleClient", "新提问")},
  };
  const auto it = names.find(action);
  const QString name = it != names.end() ? QCoreApplication::translate("ConsoleClient", it->second)
                                         : QString::fromStdString(action);
  QStringList parts;
  if (action != "received") parts << str(m, "by");
  parts << name << ids.mid(0, 4).join(' ') + (ids.size() > 4 ? QStringLiteral(" …") : QString());
  parts.removeAll(QString());
  return parts.join(QStringLiteral(" · "));
}

}  // namespace

QVariant toVariant(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return {};
    case json::value_t::boolean:
      return value.get<bool>();
    case json::value_t::number_integer:
      return static_cast<qlonglong>(value.get<std::int64_t>());
    case json::value_t::number_unsigned:
      return static_cast<qulonglong>(value.get<std::uint64_t>());
    case json::value_t::number_float:
      return value.get<double>();
    case json::value_t::string:
      return QString::fromStdString(value.get<std::string>());
    case json::value_t::array: {
      QVariantList list;
      list.reserve(static_cast<qsizetype>(value.size()));
      for (const json& item : value) list.push_back(toVariant(item));
      return list;
    }
    case json::value_t::object: {
      QVariantMap map;
      for (auto it = value.begin(); it != value.end(); ++it) {
        map.insert(QString::fromStdString(it.key()), toVariant(it.value()));
      }
      return map;
    }
    default:
      return {};
  }
}

ConsoleClient::ConsoleClient(core::Controller* controller, std::string data_dir, QObject* parent)
    : QObject(parent), controller_(controller), data_dir_(std::move(data_dir)) {
  // Delivered under the server's lock: hand each message to the event loop
  // so that handling it (and QML reacting) never runs inside that lock.
  client_ = controller_->connectLocalClient([this](std::shared_ptr<const std::string> message) {
    QMetaObject::invokeMethod(
        this, [this, message] { onMessage(*message); }, Qt::QueuedConnection);
  });
  connect(controller_, &core::Controller::statusPublished, this, &ConsoleClient::onStatus);
  // In-process, the console is trusted with the producer token the show
  // file resolved; it signs in like the web console does.
  controller_->postClientMessage(
      client_, json{{"type", "hello"},
                    {"role", "producer"},
                    {"token", controller_->show().audience.producer_token},
                    {"name", QCoreApplication::translate("ConsoleClient", "控制台").toStdString()},
                    {"id", next_id_++}}
                   .dump());
  controller_->postClientMessage(client_,
                                 json{{"type", "transcript.list"}, {"id", next_id_++}}.dump());
  onStatus();
}

ConsoleClient::~ConsoleClient() {
  controller_->disconnectLocalClient(client_);
}

int ConsoleClient::send(const QVariantMap& command) {
  json message =
      json::parse(QJsonDocument::fromVariant(command).toJson().toStdString(), nullptr, false);
  if (!message.is_object()) return 0;
  const int id = next_id_++;
  message["id"] = id;
  controller_->postClientMessage(client_, message.dump());
  return id;
}

const json* ConsoleClient::question(std::int64_t id) const {
  if (on_air_question_ && on_air_question_->value("id", std::int64_t{0}) == id) {
    return on_air_question_.get();
  }
  auto it = questions_.find(id);
  return it == questions_.end() ? nullptr : it->second.get();
}

QString ConsoleClient::timecode(double ms) const {
  const auto total = static_cast<long long>(std::max(0.0, ms) / 1000);
  return QStringLiteral("%1:%2:%3")
      .arg(total / 3600)
      .arg(total / 60 % 60, 2, 10, QLatin1Char('0'))
      .arg(total % 60, 2, 10, QLatin1Char('0'));
}

void ConsoleClient::onMessage(const std::string& text) {
  const json m = json::parse(text, nullptr, false);
  if (!m.is_object()) return;
  const std::string type = m.value("type", std::string());
  const int id = m.contains("id") && m["id"].is_number_integer() ? m["id"].get<int>() : 0;
  if (type == "hello.ok") {
    connected_ = true;
    applyQuestions(m.value("questions", json::array()),
                   m.contains("on_air") ? &m["on_air"] : nullptr);
    emit connectedChanged();
  } else if (type == "error") {
    last_error_ = str(m, "code") + QStringLiteral(": ") + str(m, "message");
    emit lastErrorChanged();
    emit failed(id, str(m, "code"), str(m, "message"));
  } else if (type == "reply") {
    if (m.contains("question") && m["question"].is_object()) {
      applyQuestions(json::array({m["question"]}), nullptr);
    }
    if (m.value("command", std::string()) == "questions.list" && m.contains("questions")) {
      questions_.clear();
      applyQuestions(m["questions"], m.contains("on_air") ? &m["on_air"] : nullptr);
    }
    if (m.contains("line") && m["line"].is_object()) upsertLine(m["line"]);
    emit replied(id, toVariant(m).toMap());
  } else if (type == "questions.changed") {
    applyQuestions(m.value("questions", json::array()),
                   m.contains("on_air") ? &m["on_air"] : nullptr);
    QStringList ids;
    for (const json& q : m.value("questions", json::array())) {
      if (q.contains("id")) ids << QStringLiteral("#%1").arg(q["id"].get<long long>());
    }
    last_action_ = actionLine(m, ids);
    emit questionsChanged();
  } else if (type == "audio.levels") {
    levels_ = toVariant(m.value("levels", json::object())).toMap();
    emit levelsChanged();
  } else if (type == "transcript.list") {
    transcript_.clear();
    for (const json& line : m.value("lines", json::array())) upsertLine(line);
    speakers_ = toVariant(m.value("speakers", json::array())).toList();
    rebuildLines();
  } else if (type == "transcript.line" || type == "transcript.updated") {
    if (m.contains("line")) upsertLine(m["line"]);
  } else if (type == "cue") {
    cue_ = toVariant(m.value("cue", json::object())).toMap();
    emit cueChanged();
  }
}

void ConsoleClient::applyQuestions(const json& list, const json* on_air) {
  for (const json& q : list) {
    if (!q.is_object() || !q.contains("id")) continue;
    questions_[q["id"].get<std::int64_t>()] = std::make_shared<json>(q);
  }
  if (on_air) on_air_question_ = on_air->is_object() ? std::make_shared<json>(*on_air) : nullptr;
  rebuildQuestionLists();
}

void ConsoleClient::rebuildQuestionLists() {
  std::vector<const json*> pending, approved, settled;
  for (const auto& [id, q] : questions_) {
    const std::string status = q->value("status", std::string());
    if (status == "pending") {
      pending.push_back(q.get());
    } else if (status == "approved") {
      approved.push_back(q.get());
    } else if (status != "on_air") {
      settled.push_back(q.get());
    }
  }
  std::stable_sort(approved.begin(), approved.end(), [](const json* a, const json* b) {
    return a->value("position", 0.0) < b->value("position", 0.0);
  });
  auto toList = [](const std::vector<const json*>& items, std::size_t limit) {
    QVariantList out;
    for (std::size_t i = 0; i < items.size() && i < limit; ++i) out.push_back(toVariant(*items[i]));
    return out;
  };
  std::reverse(settled.begin(), settled.end());  // newest first
  pending_ = toList(pending, pending.size());
  approved_ = toList(approved, approved.size());
  recent_ = toList(settled, kRecentQuestions);
  on_air_ = on_air_question_ ? toVariant(*on_air_question_).toMap() : QVariantMap();
  emit questionsChanged();
}

void ConsoleClient::upsertLine(const json& line) {
  if (!line.is_object() || !line.contains("id")) return;
  transcript_[line["id"].get<std::int64_t>()] = std::make_shared<json>(line);
  rebuildLines();
}

void ConsoleClient::rebuildLines() {
  std::vector<const json*> shown;
  for (const auto& [id, line] : transcript_) {
    if (!line->value("deleted", false)) shown.push_back(line.get());
  }
  std::stable_sort(shown.begin(), shown.end(), [](const json* a, const json* b) {
    return a->value("start_ms", std::int64_t{0}) < b->value("start_ms", std::int64_t{0});
  });
  const std::size_t skip = shown.size() > kShownLines ? shown.size() - kShownLines : 0;
  lines_.clear();
  for (std::size_t i = skip; i < shown.size(); ++i) lines_.push_back(toVariant(*shown[i]));
  emit linesChanged();
}

void ConsoleClient::onStatus() {
  const json& status = controller_->lastStatus();
  if (!status.is_object()) return;
  status_ = toVariant(status).toMap();
  // A bitrate sample per destination, about once a second.
  const std::int64_t now = steadyNowMs();
  if (now - last_bitrate_sample_ms_ >= 900) {
    last_bitrate_sample_ms_ = now;
    for (const json& d : status.value("destinations", json::array())) {
      auto& samples = bitrates_[d.value("id", std::string())];
      samples.push_back(d.value("bitrate_kbps", 0.0));
      while (samples.size() > kBitrateSamples) samples.pop_front();
    }
    bitrate_history_.clear();
    for (const auto& [id, samples] : bitrates_) {
      QVariantList list;
      for (double v : samples) list.push_back(v);
      bitrate_history_.insert(QString::fromStdString(id), list);
    }
  }
  computeAlerts(status);
  emit statusChanged();
}

void ConsoleClient::computeAlerts(const json& status) {
  QVariantList alerts;
  for (const json& s : status.value("sources", json::array())) {
    const std::string state = s.value("state", std::string());
    if (state == "retrying" || state == "invalid") {
      alerts.push_back(alert(
          "error",
          QCoreApplication::translate("ConsoleClient", "信号中断 · %1").arg(str(s, "label"))));
    }
  }
  for (const json& d : status.value("destinations", json::array())) {
    if (!d.value("enabled", false)) continue;
    const std::string state = d.value("state", std::string());
    if (state == "retrying" || state == "failed") {
      const QString why = str(d, "last_error");
      alerts.push_back(alert(
          "error",
          why.isEmpty()
              ? QCoreApplication::translate("ConsoleClient", "推流中断 · %1").arg(str(d, "name"))
              : QCoreApplication::translate("ConsoleClient", "推流中断 · %1：%2")
                    .arg(str(d, "name"), why.left(80))));
    }
  }
  const json recording = status.value("recording", json::object());
  const std::string rec_state = recording.value("state", std::string());
  if (rec_state == "retrying" || rec_state == "failed") {
    alerts.push_back(alert("error", QCoreApplication::translate("ConsoleClient", "录制中断")));
  }
  const std::uint64_t dropped =
      status.value("program", json::object()).value("dropped_frames", std::uint64_t{0});
  if (dropped > dropped_at_last_status_ && dropped_at_last_status_ != 0) {
    dropped_recently_until_ms_ = steadyNowMs() + kDroppedAlertMs;
  }
  dropped_at_last_status_ = std::max<std::uint64_t>(dropped, 1);
  if (steadyNowMs() < dropped_recently_until_ms_) {
    alerts.push_back(alert(
        "warn", QCoreApplication::translate("ConsoleClient", "节目丢帧（编码跟不上）：共 %1 帧")
                    .arg(dropped)));
  }
  struct statvfs disk {};
  if (statvfs(data_dir_.c_str(), &disk) == 0) {
    const std::uint64_t free_bytes =
        static_cast<std::uint64_t>(disk.f_bavail) * static_cast<std::uint64_t>(disk.f_frsize);
    if (free_bytes < kLowDiskBytes) {
      alerts.push_back(
          alert(free_bytes < kCriticalDiskBytes ? "error" : "warn",
                QCoreApplication::translate("ConsoleClient", "磁盘空间不足：剩余 %1 MB")
                    .arg(free_bytes >> 20)));
    }
  }
  alerts_ = alerts;
}

}  // namespace yst::console
