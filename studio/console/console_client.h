// The Qt Quick console's view of the show: an in-process client of the
// controller that speaks the same JSON protocol as the web producer console
// (assets/protocol.md), so the console and any number of web producers see
// each other's actions at once and the console can do nothing the protocol
// does not allow. It signs in as a producer (which also makes it a typist)
// and keeps what QML binds to: the status snapshot, audio levels, the
// questions by list, the transcript, the latest cue to the host, alerts.
//
// Threads: everything here runs on the controller thread, which is the Qt
// GUI thread in `yishiting studio`. Nothing waits: commands are handed to
// the controller's queue, their replies come back as messages like the
// web's, and the status is the controller's own snapshot, published on
// every change and once a second.
#pragma once

#include <QObject>
#include <QString>
#include <QVariant>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "studio/server/control_server.h"

namespace yst::core {
class Controller;
}

namespace yst::console {

// nlohmann::json → QVariant (objects → QVariantMap, arrays → QVariantList).
QVariant toVariant(const nlohmann::json& value);

class ConsoleClient : public QObject {
  Q_OBJECT
  Q_PROPERTY(bool connected READ connected NOTIFY connectedChanged)
  Q_PROPERTY(QVariantMap status READ status NOTIFY statusChanged)
  Q_PROPERTY(QVariantMap levels READ levels NOTIFY levelsChanged)
  Q_PROPERTY(QVariantList pending READ pending NOTIFY questionsChanged)
  Q_PROPERTY(QVariantList approved READ approved NOTIFY questionsChanged)
  Q_PROPERTY(QVariantMap onAir READ onAir NOTIFY questionsChanged)
  Q_PROPERTY(QVariantList recent READ recent NOTIFY questionsChanged)
  Q_PROPERTY(QString lastAction READ lastAction NOTIFY questionsChanged)
  Q_PROPERTY(QVariantList lines READ lines NOTIFY linesChanged)
  Q_PROPERTY(QVariantList speakers READ speakers NOTIFY linesChanged)
  Q_PROPERTY(QVariantMap cue READ cue NOTIFY cueChanged)
  Q_PROPERTY(QVariantList alerts READ alerts NOTIFY statusChanged)
  Q_PROPERTY(QVariantMap bitrateHistory READ bitrateHistory NOTIFY statusChanged)
  Q_PROPERTY(QString lastError READ lastError NOTIFY lastErrorChanged)

 public:
  ConsoleClient(core::Controller* controller, std::string data_dir, QObject* parent = nullptr);
  ~ConsoleClient() override;

  bool connected() const { return connected_; }
  QVariantMap status() const { return status_; }
  QVariantMap levels() const { return levels_; }
  QVariantList pending() const { return pending_; }
  QVariantList approved() const { return approved_; }
  QVariantMap onAir() const { return on_air_; }
  QVariantList recent() const { return recent_; }
  QString lastAction() const { return last_action_; }
  QVariantList lines() const { return lines_; }
  QVariantList speakers() const { return speakers_; }
  QVariantMap cue() const { return cue_; }
  QVariantList alerts() const { return alerts_; }
  QVariantMap bitrateHistory() const { return bitrate_history_; }
  QString lastError() const { return last_error_; }

  // A command of the protocol ({"type":"program.take",…}); the id it was
  // sent with, answered by replied() or failed().
  Q_INVOKABLE int send(const QVariantMap& command);
  // A question as producers see it (any status), or null. C++ only.
  const nlohmann::json* question(std::int64_t id) const;
  // "1:02:03" for a time in ms.
  Q_INVOKABLE QString timecode(double ms) const;

 signals:
  void connectedChanged();
  void statusChanged();
  void levelsChanged();
  void questionsChanged();
  void linesChanged();
  void cueChanged();
  void lastErrorChanged();
  void replied(int id, const QVariantMap& reply);
  void failed(int id, const QString& code, const QString& message);

 private:
  void onMessage(const std::string& text);
  void onStatus();
  void applyQuestions(const nlohmann::json& list, const nlohmann::json* on_air);
  void rebuildQuestionLists();
  void upsertLine(const nlohmann::json& line);
  void rebuildLines();
  void computeAlerts(const nlohmann::json& status);

  core::Controller* controller_;
  std::string data_dir_;
  server::ClientId client_ = 0;
  int next_id_ = 1;
  bool connected_ = false;

  QVariantMap status_;
  QVariantMap levels_;
  std::map<std::int64_t, std::shared_ptr<nlohmann::json>> questions_;
  std::shared_ptr<nlohmann::json> on_air_question_;
  QVariantList pending_;
  QVariantList approved_;
  QVariantMap on_air_;
  QVariantList recent_;
  QString last_action_;
  std::map<std::int64_t, std::shared_ptr<nlohmann::json>> transcript_;
  QVariantList lines_;
  QVariantList speakers_;
  QVariantMap cue_;
  QVariantList alerts_;
  // Per destination, its last minute of bitrate samples (one a second).
  std::map<std::string, std::deque<double>> bitrates_;
  QVariantMap bitrate_history_;
  std::int64_t last_bitrate_sample_ms_ = 0;
  std::uint64_t dropped_at_last_status_ = 0;
  std::int64_t dropped_recently_until_ms_ = 0;
  QString last_error_;
};

}  // namespace yst::console
