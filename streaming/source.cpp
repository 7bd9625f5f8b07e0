#include "streaming/source.h"

#include <QCoreApplication>

#include <cstring>
#include <vector>

#include "overlay/slate.h"
#include "streaming/reaper.h"
#include "streaming/uri_secrets.h"
#include "studio/base/clock.h"
#include "studio/base/log.h"

namespace yst::streaming {

namespace {

void addAndLink(GstElement* pipeline, std::initializer_list<GstElement*> chain) {
  for (GstElement* e : chain) gst_bin_add(GST_BIN(pipeline), e);
  linkChain(chain);
}

// A small deterministic tone per source so a listener can tell the test
// cameras apart in the mix.
double toneFor(const std::string& id) {
  unsigned h = 0;
  for (unsigned char c : id) h = h * 31 + c;
  return 330.0 + (h % 8) * 110.0;
}

}  // namespace

const char* sourceStateName(SourceState state) {
  switch (state) {
    case SourceState::kStopped:
      return "stopped";
    case SourceState::kConnecting:
      return "connecting";
    case SourceState::kLive:
      return "live";
    case SourceState::kRetrying:
      return "retrying";
    case SourceState::kWaiting:
      return "waiting";
    case SourceState::kInvalid:
      break;
  }
  return "invalid";
}

SourcePlan planSource(const std::string& uri) {
  SourcePlan plan;
  const auto parsed = parseSourceUrl(uri);
  const auto* url = std::get_if<MediaUrl>(&parsed);
  if (!url) return plan;
  plan.scheme = url->scheme;
  if (url->scheme == UrlScheme::kTest) {
    plan.argument = url->path;  // the pattern's name
    plan.tone = url->query == "audio=tone";
    return plan;
  }
  if (url->scheme == UrlScheme::kDecklink) {
    plan.device = std::stoi(url->host);
    plan.connector = url->path;
    if (url->query) {
      const auto options = decklinkOptions(*url->query);
      if (const auto* o = std::get_if<DecklinkOptions>(&options)) {
        plan.mode = o->mode;
        plan.channels = o->channels;
      }
    }
    return plan;
  }
  if (url->scheme == UrlScheme::kWebrtc) {
    plan.argument = url->host;  // the slot's name
    return plan;
  }
  if (isAudioOnly(url->scheme)) {
    plan.audio_only = true;
    plan.argument = url->host;
    if (url->query) {
      const auto pick = channelPick(*url->query);
      if (const auto* p = std::get_if<ChannelPick>(&pick)) plan.channels = p->channels;
    }
    return plan;
  }
  // uridecodebin picks filesrc, v4l2src, rtspsrc, srtsrc or rtmp2src by
  // scheme and autoplugs the demuxer and decoders behind it.
  plan.argument = uri;
  plan.loops = url->scheme == UrlScheme::kFile;
  if (url->scheme == UrlScheme::kSrt) {
    const std::string options = "&" + url->query.value_or("");
    plan.listens = options.find("&mode=listener") != std::string::npos;
  }
  return plan;
}

Source::Source(SourceSpec spec, VideoFormat format, QObject* parent)
    : QObject(parent), spec_(std::move(spec)), plan_(planSource(spec_.uri)), format_(format) {
  retry_timer_.setSingleShot(true);
  connect(&retry_timer_, &QTimer::timeout, this, &Source::attempt);
  health_timer_.setInterval(250);
  connect(&health_timer_, &QTimer::timeout, this, &Source::checkHealth);
  // A guest's picture arrives as RTP: 1.5 s without a frame is a dropped
  // network, not a camera slow to start (the slate within 2 s of the drop).
  if (isWebrtc()) stall_timeout = std::chrono::milliseconds(1500);
  answer_timer_.setSingleShot(true);
  connect(&answer_timer_, &QTimer::timeout, this, [this] {
    // ICE is still gathering (a STUN or TURN server slow to answer): what
    // it has gathered goes; the host candidates are there from the start.
    if (!answered_ || !webrtc_) return;
    std::string sdp = localDescription(webrtc_);
    answer(generation_, sdp,
           sdp.empty() ? "no answer within " + std::to_string(answer_timeout.count()) + " ms" : "");
  });
}

Source::~Source() {
  stop();
}

void Source::start() {
  if (state_ != SourceState::kStopped) return;
  backoff_.reset();
  try {
    outlet_ = std::make_shared<SourceOutlet>(channel(), rawVideoCaps(format_));
  } catch (const std::exception& e) {
    // The program then shows this source as black; its state still follows the camera.
    logError("source " + spec_.id, e.what());
  }
  // The slate first: until the camera delivers, the program shows who is missing.
  startSlate();
  health_timer_.start();
  if (isWebrtc()) {
    setState(SourceState::kWaiting);  // for a guest or a publisher
    return;
  }
  setState(SourceState::kConnecting);
  attempt();
}

void Source::acceptOffer(std::string offer_sdp, Answered answered) {
  if (state_ == SourceState::kStopped || !isWebrtc()) {
    answered("", "the source is not running");
    return;
  }
  refusePending("another offer came first");
  if (input_) {
    // A session already here: the new one replaces it (the same guest,
    // back after a network change, or a second publisher let in).
    if (outlet_) outlet_->showSlate();
    dropInput();
    startSlate();
  }
  offer_ = std::move(offer_sdp);
  answered_ = std::move(answered);
  last_error_.clear();
  setState(SourceState::kConnecting);
  attempt();
}

void Source::endSession() {
  if (!isWebrtc() || state_ == SourceState::kStopped) return;
  refusePending("the session ended");
  if (outlet_) outlet_->showSlate();
  dropInput();
  ++generation_;
  startSlate();
  last_error_.clear();
  setState(SourceState::kWaiting);
}

void Source::refusePending(const std::string& why) {
  answer_timer_.stop();
  if (!answered_) return;
  Answered answered = std::move(answered_);
  answered_ = nullptr;
  answered("", why);
}

void Source::answer(int generation, std::string answer_sdp, std::string error) {
  if (generation != generation_ || !answered_) return;
  answer_timer_.stop();
  Answered answered = std::move(answered_);
  answered_ = nullptr;
  if (answer_sdp.empty() && error.empty()) error = "no answer";
  answered(std::move(answer_sdp), error);
  if (!error.empty() && input_) fail(error);
}

void Source::stop() {
  refusePending("the source stopped");
  retry_timer_.stop();
  health_timer_.stop();
  dropInput();
  stopSlate();
  if (outlet_) {
    outlet_->close();
    outlet_.reset();
  }
  if (state_ != SourceState::kStopped) setState(SourceState::kStopped);
}

void Source::setState(SourceState state) {
  if (state_ == state) return;
  state_ = state;
  logInfo("source " + spec_.id,
          std::string("state ") + sourceStateName(state) +
              (last_error_.empty() || state == SourceState::kLive ? "" : " (" + last_error_ + ")"));
  emit stateChanged();
}

Source::InputSize Source::inputSize() const {
  const std::uint64_t packed = counters_->input_size.load(std::memory_order_relaxed);
  return {static_cast<int>(packed >> 32), static_cast<int>(packed & 0xffffffffu)};
}

void Source::attempt() {
  ++generation_;
  if (outlet_) outlet_->beginAttempt(generation_);
  frames_at_attempt_ = framesIn();
  counters_->input_size.store(0, std::memory_order_relaxed);
  attempt_started_ = std::chrono::steady_clock::now();
  try {
    input_ = buildInput();
  } catch (const std::exception& e) {
    input_.reset();
    fail(e.what());
    return;
  }
  const int generation = generation_;
  relayBus(input_.get(), life_,
           [this, generation](GstMessage* m) { onInputMessage(generation, m); });
  if (webrtc_) {
    // ICE's verdict on the guest's network: a failure is final in 1.22 (no
    // ICE restart); the guest's page comes back with a new offer.
    std::weak_ptr<int> life = life_;
    // From GStreamer's threads, which may outlive this source: the call goes
    // through the application object and checks the source's life there.
    watchIceConnection(webrtc_, [this, life, generation](std::string state) {
      if (state != "failed" && state != "closed") return;
      QCoreApplication* app = QCoreApplication::instance();
      if (!app) return;
      QMetaObject::invokeMethod(
          app,
          [this, life, generation, state] {
            if (life.expired() || generation != generation_ || !input_) return;
            fail("the connection to the guest " +
                 std::string(state == "failed" ? "failed (ICE: no network path)" : "closed"));
          },
          Qt::QueuedConnection);
    });
  }
  if (gst_element_set_state(input_.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    // The element that refused has posted why on the bus (a device that is
    // not there, a connection refused), and the relay has queued it to this
    // thread. It goes first, so that last_error names the cause; this text
    // is for an element that failed without saying why.
    std::string why = "could not start the input";
    if (plan_.scheme == UrlScheme::kDecklink) {
      // decklinkvideosrc refuses to start without a word on the bus.
      why = "DeckLink card " + std::to_string(plan_.device) +
            " did not open: is the card in this machine, and Blackmagic's Desktop Video driver "
            "installed?";
    }
    QMetaObject::invokeMethod(
        this,
        [this, generation, why] {
          if (generation == generation_) fail(why);
        },
        Qt::QueuedConnection);
    return;
  }
  if (webrtc_) {
    std::weak_ptr<int> life = life_;
    answerOffer(webrtc_, offer_, [this, life, generation](std::string sdp, std::string error) {
      QCoreApplication* app = QCoreApplication::instance();
      if (!app) return;
      QMetaObject::invokeMethod(
          app,
          [this, life, generation, sdp = std::move(sdp), error = std::move(error)]() mutable {
            if (!life.expired()) answer(generation, std::move(sdp), std::move(error));
          },
          Qt::QueuedConnection);
    });
    answer_timer_.start(answer_timeout);
  }
}

void Source::fail(const std::string& reason) {
  // The slate's frames pass again from now on; frames the failed input
  // still delivers while it is torn down do not.
  if (outlet_) outlet_->showSlate();
  dropInput();
  ++generation_;
  // Camera errors can quote the URI, and with it a password.
  last_error_ = scrub(reason, uriSecrets(spec_.uri));
  // Counted before the change is announced: the source.changed event and
  // the status it publishes carry this failure.
  ++reconnects_;
  startSlate();
  refusePending(last_error_);
  if (state_ == SourceState::kLive || state_ == SourceState::kConnecting) {
    setState(SourceState::kRetrying);
  } else {
    emit stateChanged();  // same state, new error text
  }
  if (isWebrtc()) {
    // Nothing to dial: the guest's page (or the publisher) comes back.
    logWarn("source " + spec_.id, last_error_ + "; waiting for the guest to rejoin");
    return;
  }
  const int delay_ms = backoff_.nextDelayMs();
  logWarn("source " + spec_.id, last_error_ + "; retrying in " + std::to_string(delay_ms) + " ms");
  retry_timer_.start(delay_ms);
}

void Source::onInputMessage(int generation, GstMessage* message) {
  if (generation != generation_ || !input_) return;
  switch (GST_MESSAGE_TYPE(message)) {
    case GST_MESSAGE_ERROR: {
      // "Could not read from resource." says little; the element's reason
      // ("Failed to authenticate: Incorrect passphrase") says what to fix.
      fail(describeFailure(message));
      break;
    }
    case GST_MESSAGE_EOS:
      if (plan_.loops) {
        // Files loop by seeking back to the start: the sinks re-preroll and
        // the pipeline takes a new base time, so the decoder and its frame
        // pool are kept (rebuilding the pipeline cost ~100 MB of transient
        // memory per loop at 1080p).
        if (!gst_element_seek_simple(
                input_.get(), GST_FORMAT_TIME,
                static_cast<GstSeekFlags>(GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_KEY_UNIT), 0)) {
          restartInput();
        }
      } else {
        fail("the stream ended");
      }
      break;
    case GST_MESSAGE_WARNING:
      logDebug("source " + spec_.id,
               [&] { return scrub(describeMessage(message), uriSecrets(spec_.uri)); });
      break;
    default:
      break;
  }
}

void Source::dropInput() {
  webrtc_ = nullptr;
  if (!input_) return;
  unrelayBus(input_.get());
  disposeAsync(std::move(input_));
}

void Source::restartInput() {
  dropInput();
  attempt();
}

void Source::checkHealth() {
  const std::int64_t now_ns = steadyNowNs();
  if (!input_) return;  // waiting for the retry timer
  if (state_ == SourceState::kLive) {
    const std::int64_t last = counters_->last_frame_ns.load(std::memory_order_relaxed);
    if (now_ns - last > std::chrono::nanoseconds(stall_timeout).count()) {
      const auto ms = stall_timeout.count();
      fail("stalled: no picture for " + std::to_string(ms / 1000) +
           (ms % 1000 ? "." + std::to_string(ms % 1000 / 100) : std::string()) + " s");
    }
    return;
  }
  if (framesIn() > frames_at_attempt_) {
    // Frames flow again: show the camera, forget the failures.
    backoff_.reset();
    last_error_.clear();
    stopSlate();
    setState(SourceState::kLive);
    return;
  }
  if (std::chrono::steady_clock::now() - attempt_started_ > connect_timeout) {
    const std::string waited = std::to_string(connect_timeout.count() / 1000) + " s";
    if (plan_.listens) {
      // Nobody has called yet: say so, and keep the port open for the call.
      if (last_error_.empty()) {
        last_error_ = "no caller within " + waited +
                      "; still listening (SRT turns a caller with a wrong passphrase away "
                      "before the studio hears of it)";
        emit stateChanged();
      }
      return;
    }
    fail("no picture within " + waited);
  }
}

void Source::startSlate() {
  if (slate_) return;
  try {
    ElementPtr pipeline = holdElement(gst_pipeline_new(("slate-" + spec_.id).c_str()));
    GstElement* slate =
        spec_.slate.empty()
            ? overlay::makeSignalLostSlate(spec_.label, format_.width, format_.height, 5)
            : overlay::makePictureSlate(spec_.slate, format_.width, format_.height, 5);
    std::shared_ptr<SourceOutlet> outlet = outlet_;
    GstElement* sink = makeFrameSink([outlet](GstBuffer* frame) {
      if (outlet) outlet->pushSlate(frame);
    });
    addAndLink(pipeline.get(), {slate, sink});
    gst_element_set_state(pipeline.get(), GST_STATE_PLAYING);
    slate_ = std::move(pipeline);
  } catch (const std::exception& e) {
    logError("source " + spec_.id, std::string("cannot show the slate: ") + e.what());
  }
}

void Source::stopSlate() {
  if (slate_) disposeAsync(std::move(slate_));
}

ElementPtr Source::buildInput() {
  if (plan_.scheme == UrlScheme::kInvalid) throw std::runtime_error("unsupported source URI");
  ElementPtr pipeline = holdElement(gst_pipeline_new(("input-" + spec_.id).c_str()));
  GstElement* p = pipeline.get();

  // Video: whatever the camera gives → program format, counted at the sink.
  GstElement* vconvert = makeElement("videoconvert");
  GstElement* vscale = makeElement("videoscale");
  GstElement* vrate = makeElement("videorate");
  GstElement* vcaps = makeCapsFilter(rawVideoCaps(format_));
  std::shared_ptr<SourceOutlet> outlet = outlet_;
  GstElement* vsink = makeFrameSink([outlet, generation = generation_](GstBuffer* frame) {
    if (outlet) outlet->pushCamera(generation, frame);
  });
  // async=false: a file without audio leaves the audio sink unlinked, and a
  // sink waiting for preroll would hold the whole input pipeline in PAUSED.
  g_object_set(vsink, "async", FALSE, nullptr);

  GstElement* aconvert = makeElement("audioconvert");
  GstElement* aresample = makeElement("audioresample");
  GstElement* acaps = makeCapsFilter(rawAudioCaps());
  GstElement* asink = makeElement("interaudiosink");
  g_object_set(asink, "channel", channel().c_str(), "async", FALSE, nullptr);

  // The source is live while its pictures arrive (a microphone's: its sound).
  {
    PadPtr sinkpad(gst_element_get_static_pad(plan_.audio_only ? asink : vsink, "sink"));
    auto* counters = new std::shared_ptr<Counters>(counters_);
    gst_pad_add_probe(
        sinkpad.get(), GST_PAD_PROBE_TYPE_BUFFER,
        [](GstPad*, GstPadProbeInfo*, gpointer data) -> GstPadProbeReturn {
          auto& c = *static_cast<std::shared_ptr<Counters>*>(data);
          c->frames.fetch_add(1, std::memory_order_relaxed);
          c->last_frame_ns.store(steadyNowNs(), std::memory_order_relaxed);
          return GST_PAD_PROBE_OK;
        },
        counters, [](gpointer data) { delete static_cast<std::shared_ptr<Counters>*>(data); });
  }
  // The size the source delivers, from each caps event into `first` (the
  // converter, or a test pattern's caps filter: it has none).
  auto watchInputSize = [this](GstElement* first) {
    PadPtr sinkpad(gst_element_get_static_pad(first, "sink"));
    auto* counters = new std::shared_ptr<Counters>(counters_);
    gst_pad_add_probe(
        sinkpad.get(), GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
        [](GstPad*, GstPadProbeInfo* info, gpointer data) -> GstPadProbeReturn {
          GstEvent* event = GST_PAD_PROBE_INFO_EVENT(info);
          if (GST_EVENT_TYPE(event) != GST_EVENT_CAPS) return GST_PAD_PROBE_OK;
          GstCaps* caps = nullptr;
          gst_event_parse_caps(event, &caps);
          int width = 0;
          int height = 0;
          const GstStructure* s = caps ? gst_caps_get_structure(caps, 0) : nullptr;
          if (s && gst_structure_get_int(s, "width", &width) &&
              gst_structure_get_int(s, "height", &height) && width > 0 && height > 0) {
            auto& c = *static_cast<std::shared_ptr<Counters>*>(data);
            c->input_size.store(
                static_cast<std::uint64_t>(width) << 32 | static_cast<std::uint32_t>(height),
                std::memory_order_relaxed);
          }
          return GST_PAD_PROBE_OK;
        },
        counters, [](gpointer data) { delete static_cast<std::shared_ptr<Counters>*>(data); });
  };
  // A microphone's card is no picture of the source's.
  if (!plan_.audio_only && plan_.scheme != UrlScheme::kTest) watchInputSize(vconvert);
  // yadif for an interlaced signal (a progressive one passes untouched). A
  // program of up to 30 frames a second takes one whole frame per woven
  // frame (the top field and yadif's interpolation, as ffmpeg's yadif in its
  // default mode); a 50 or 60 fps program one per field. Making a frame of
  // every field for a 25 fps program cost a fifth more CPU for frames the
  // rate converter then dropped (1080i50 into 1080p25 with x264 superfast:
  // 0.72 cores, 0.58 with the top fields; ffmpeg's yadif 0.52).
  auto makeDeinterlace = [&] {
    GstElement* deinterlace = makeElement("deinterlace");
    gst_util_set_object_arg(G_OBJECT(deinterlace), "method", "yadif");
    gst_util_set_object_arg(G_OBJECT(deinterlace), "fields", format_.fps > 30 ? "all" : "top");
    return deinterlace;
  };
  // A label burnt into the picture, at the top left.
  auto makeLabel = [&](const std::string& text) {
    GstElement* label = makeElement("textoverlay");
    const std::string font =
        "Noto Sans CJK SC Bold " + std::to_string(std::max(10, format_.height / 20));
    g_object_set(label, "text", text.c_str(), "font-desc", font.c_str(), "halignment", 0 /* left */,
                 "valignment", 2 /* top */, "shaded-background", TRUE, nullptr);
    return label;
  };
  auto dropUnused = [](std::initializer_list<GstElement*> elements) {
    for (GstElement* e : elements) gst_object_unref(gst_object_ref_sink(e));
  };

  // Sound from `asrc` into the program's stereo, with the plan's channels
  // picked: the input opened with as many channels as the highest one picked
  // (plughw: for an interface that offers only all of them), then one channel
  // to both ears or two to left and right.
  auto linkPicked = [&](GstElement* asrc, const std::vector<int>& channels) {
    if (channels.empty()) {
      addAndLink(p, {asrc, aconvert, aresample, acaps, asink});
      return;
    }
    const int in = *std::max_element(channels.begin(), channels.end());
    GstElement* in_caps = makeCapsFilter("audio/x-raw,channels=" + std::to_string(in));
    GValue matrix = G_VALUE_INIT;
    g_value_init(&matrix, GST_TYPE_ARRAY);
    for (int out = 0; out < 2; ++out) {
      const int pick = channels[channels.size() == 1 ? 0 : static_cast<std::size_t>(out)] - 1;
      GValue row = G_VALUE_INIT;
      g_value_init(&row, GST_TYPE_ARRAY);
      for (int c = 0; c < in; ++c) {
        GValue v = G_VALUE_INIT;
        g_value_init(&v, G_TYPE_FLOAT);
        g_value_set_float(&v, c == pick ? 1.0f : 0.0f);
        gst_value_array_append_and_take_value(&row, &v);
      }
      gst_value_array_append_and_take_value(&matrix, &row);
    }
    g_object_set_property(G_OBJECT(aconvert), "mix-matrix", &matrix);
    g_value_unset(&matrix);
    addAndLink(p, {asrc, in_caps, aconvert, aresample, acaps, asink});
  };

  if (plan_.scheme == UrlScheme::kWebrtc) {
    // A guest's browser or a WHIP publisher: its streams decoded as they
    // arrive, the picture at whatever size and rate the sender manages
    // (browsers lower both on a poor network) made the program's.
    addAndLink(p, {vconvert, vscale, vrate, vcaps, vsink});
    addAndLink(p, {aconvert, aresample, acaps, asink});
    webrtc_ = addWebrtcReceiver(p, spec_.webrtc, vconvert, aconvert,
                                {spec_.return_feed, spec_.id, offer_});
    return pipeline;
  }

  if (plan_.scheme == UrlScheme::kDecklink) {
    // A capture card: SDI or HDMI, often 1080i50 in a 50 Hz studio. yadif
    // makes whole frames of the fields; a progressive signal passes.
    GstElement* vsrc = makeElement("decklinkvideosrc");
    g_object_set(vsrc, "device-number", plan_.device, nullptr);
    gst_util_set_object_arg(G_OBJECT(vsrc), "connection", plan_.connector.c_str());
    gst_util_set_object_arg(G_OBJECT(vsrc), "mode", plan_.mode.c_str());
    GstElement* deinterlace = makeDeinterlace();
    addAndLink(p, {vsrc, deinterlace, vconvert, vscale, vrate, vcaps, vsink});
    // The sound embedded in the signal: SDI carries up to 16 channels, the
    // card gives 2, 8 or 16; the first two unless ?channels= picks others.
    GstElement* asrc = makeElement("decklinkaudiosrc");
    g_object_set(asrc, "device-number", plan_.device, nullptr);
    const int highest = plan_.channels.empty()
                            ? 2
                            : *std::max_element(plan_.channels.begin(), plan_.channels.end());
    gst_util_set_object_arg(G_OBJECT(asrc), "channels",
                            highest <= 2   ? "2"
                            : highest <= 8 ? "8"
                                           : "16");
    linkPicked(asrc, plan_.channels);
    return pipeline;
  }

  if (plan_.audio_only) {
    // A microphone input: its sound, and a card with its label for the
    // multiview (a tile it is put in shows the card too).
    GstElement* asrc = makeElement(plan_.scheme == UrlScheme::kAlsa ? "alsasrc" : "pulsesrc");
    g_object_set(asrc, "device", plan_.argument.c_str(), nullptr);
    linkPicked(asrc, plan_.channels);
    GstElement* card = makeElement("videotestsrc");
    g_object_set(card, "is-live", TRUE, nullptr);
    gst_util_set_object_arg(G_OBJECT(card), "pattern", "solid-color");
    g_object_set(card, "foreground-color", 0xff1c2733u, nullptr);
    // Five frames a second, as the slate: the card does not move, and the
    // program's channel repeats a frame until the next.
    GstElement* card_caps = makeCapsFilter(rawVideoCaps({format_.width, format_.height, 5}));
    addAndLink(p, {card, card_caps, makeLabel("🎙 " + spec_.label), vsink});
    dropUnused({vconvert, vscale, vrate, vcaps});
    return pipeline;
  }

  if (plan_.scheme == UrlScheme::kTest) {
    // The drawing (label, clock) runs on the test source's thread; a queue
    // hands the frame to the sink's.
    GstElement* vqueue = makeElement("queue");
    g_object_set(vqueue, "max-size-buffers", 4u, "max-size-bytes", 0u, "max-size-time", guint64{0},
                 nullptr);
    GstElement* aqueue = makeElement("queue");
    GstElement* vsrc = makeElement("videotestsrc");
    g_object_set(vsrc, "is-live", TRUE, nullptr);
    gst_util_set_object_arg(G_OBJECT(vsrc), "pattern", plan_.argument.c_str());
    // Move, so that a frozen picture is visible as frozen.
    g_object_set(vsrc, "horizontal-speed", 2, nullptr);
    // Patterns such as "ball" draw on the background colour: a slate blue
    // keeps the picture's edges visible against the program's black.
    g_object_set(vsrc, "background-color", 0xff2a3a4au, nullptr);
    GstElement* label = makeLabel(spec_.label);
    GstElement* clock = makeElement("clockoverlay");
    const std::string clock_font =
        "Noto Sans Mono CJK SC " + std::to_string(std::max(10, format_.height / 24));
    g_object_set(clock, "time-format", "%H:%M:%S", "font-desc", clock_font.c_str(), "halignment",
                 2 /* right */, "valignment", 1 /* bottom */, "shaded-background", TRUE, nullptr);
    addAndLink(p, {vsrc, vcaps, label, clock, vqueue, vsink});
    watchInputSize(vcaps);
    dropUnused({vconvert, vscale, vrate});

    GstElement* asrc = makeElement("audiotestsrc");
    // Ticks (a short beep a second) or EBU R68's line-up level, -18 dBFS.
    g_object_set(asrc, "is-live", TRUE, "wave", plan_.tone ? 0 /* sine */ : 8 /* ticks */, "freq",
                 toneFor(spec_.id), "volume", plan_.tone ? 0.126 : 0.3, nullptr);
    addAndLink(p, {asrc, acaps, aqueue, asink});
    dropUnused({aconvert, aresample});
    return pipeline;
  }

  // Everything else: uridecodebin, linked as its pads appear.
  GstElement* decode = makeElement("uridecodebin");
  g_object_set(decode, "uri", plan_.argument.c_str(), nullptr);
  gst_bin_add(GST_BIN(p), decode);
  // No queues here: the decoders already run on threads of their own (the
  // demuxer's multiqueue, the jitter buffer's or the camera's), which carry
  // each frame on to the sink; a queue would add one more thread wake-up
  // per frame and per audio block. An interlaced camera (1080i50 over SDI
  // or from an encoder) is made whole frames by yadif; progressive frames
  // pass untouched.
  GstElement* deinterlace = makeDeinterlace();
  // (After the converter: a 10-bit camera's frames are made 8-bit first,
  // which deinterlace takes; others pass the converter untouched.)
  addAndLink(p, {vconvert, deinterlace, vscale, vrate, vcaps, vsink});
  addAndLink(p, {aconvert, aresample, acaps, asink});
  if (plan_.loops) {
    // A file is not live: its sinks must preroll so that the seek that loops
    // it gives the pipeline a new base time (with async=false the clock
    // would run on and the file would play as fast as it decodes).
    g_object_set(vsink, "async", TRUE, nullptr);
    g_object_set(asink, "async", TRUE, nullptr);
  }
  g_signal_connect(p, "deep-element-added",
                   G_CALLBACK(+[](GstBin*, GstBin*, GstElement* element, gpointer) {
                     // Slice threads only, as gst-libav already picks for
                     // live streams: a camera is decoded on its own thread
                     // and the cameras run in parallel. Frame threads would
                     // add a frame of delay per thread, and more frames in
                     // memory and thread hand-offs.
                     GstElementFactory* factory = gst_element_get_factory(element);
                     if (factory && g_str_has_prefix(GST_OBJECT_NAME(factory), "avdec_") &&
                         g_object_class_find_property(G_OBJECT_GET_CLASS(element), "thread-type")) {
                       gst_util_set_object_arg(G_OBJECT(element), "thread-type", "slice");
                     }
                   }),
                   nullptr);
  g_signal_connect(decode, "source-setup",
                   G_CALLBACK(+[](GstElement*, GstElement* source, gpointer) {
                     GObjectClass* klass = G_OBJECT_GET_CLASS(source);
                     // Cameras on a LAN: a short jitter buffer keeps latency
                     // low. Only RTSP's: an SRT source's latency is its
                     // URI's (?latency=, raised for mobile networks).
                     GstElementFactory* factory = gst_element_get_factory(source);
                     if (factory && g_strcmp0(GST_OBJECT_NAME(factory), "rtspsrc") == 0) {
                       g_object_set(source, "latency", 200u, nullptr);
                     }
                     // srtsrc reconnects by itself as fast as it can (20 to 90 times a
                     // second against a relay that refuses the passphrase or the stream
                     // id) and says why only in warnings: the source's back-off retries
                     // instead, and the refusal becomes its error.
                     if (g_object_class_find_property(klass, "auto-reconnect")) {
                       g_object_set(source, "auto-reconnect", FALSE, nullptr);
                     }
                   }),
                   nullptr);
  struct Branches {
    GstElement* pipeline;
    std::vector<GstElement*> video;  // first element takes the decoder's pad
    std::vector<GstElement*> audio;
  };
  auto* branches = new Branches{
      p, {vconvert, deinterlace, vscale, vrate, vcaps, vsink}, {aconvert, aresample, acaps, asink}};
  g_signal_connect_data(
      decode, "pad-added", G_CALLBACK(+[](GstElement*, GstPad* pad, gpointer data) {
        auto* b = static_cast<Branches*>(data);
        CapsPtr caps(gst_pad_get_current_caps(pad));
        if (!caps) caps.reset(gst_pad_query_caps(pad, nullptr));
        if (!caps || gst_caps_is_empty(caps.get())) return;
        const char* name = gst_structure_get_name(gst_caps_get_structure(caps.get(), 0));
        GstElement* target = nullptr;
        if (g_str_has_prefix(name, "video/") && !b->video.empty()) {
          target = b->video.front();
        } else if (g_str_has_prefix(name, "audio/") && !b->audio.empty()) {
          target = b->audio.front();
        }
        if (!target) return;
        PadPtr sink(gst_element_get_static_pad(target, "sink"));
        if (!gst_pad_is_linked(sink.get())) gst_pad_link(pad, sink.get());
      }),
      branches, [](gpointer data, GClosure*) { delete static_cast<Branches*>(data); },
      GConnectFlags(0));
  // A file or stream without audio (or video) leaves a branch unlinked; its
  // sink would wait for preroll forever, so it goes.
  g_signal_connect(decode, "no-more-pads", G_CALLBACK(+[](GstElement*, gpointer data) {
                     auto* b = static_cast<Branches*>(data);
                     for (std::vector<GstElement*>* branch : {&b->video, &b->audio}) {
                       if (branch->empty()) continue;
                       PadPtr sink(gst_element_get_static_pad(branch->front(), "sink"));
                       if (gst_pad_is_linked(sink.get())) continue;
                       for (GstElement* e : *branch) {
                         gst_element_set_locked_state(e, TRUE);
                         gst_element_set_state(e, GST_STATE_NULL);
                         gst_bin_remove(GST_BIN(b->pipeline), e);
                       }
                       branch->clear();
                     }
                   }),
                   branches);
  return pipeline;
}

}  // namespace yst::streaming
