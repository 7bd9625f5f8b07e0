#include "streaming/webrtc_receiver.h"

#define GST_USE_UNSTABLE_API  // webrtcbin's library says its API may still change
#include <gst/app/gstappsrc.h>
#include <gst/sdp/sdp.h>
#include <gst/video/video.h>
#include <gst/webrtc/webrtc.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <utility>
#include <vector>

#include "streaming/gst_ptr.h"

namespace yst::streaming {

namespace webrtc_receiver {

// What the answer offers to take, in order of preference. Payload numbers are
// left out: the offer's own are kept.
constexpr const char* kVideoCodecs =
    "application/x-rtp,media=video,encoding-name=VP8,clock-rate=90000;"
    "application/x-rtp,media=video,encoding-name=H264,clock-rate=90000,"
    "packetization-mode=(string)1";
constexpr const char* kAudioCodecs =
    "application/x-rtp,media=audio,encoding-name=OPUS,clock-rate=48000";
// Both ways on one section: the picture the guest sends and the return feed
// (VP8, encoded once for every guest) share its codec.
constexpr const char* kVideoReturnCodec =
    "application/x-rtp,media=video,encoding-name=VP8,clock-rate=90000";

void startReturnStreams(GstElement* webrtc, const GstSDPMessage* answer);

struct Entries {
  GstElement* pipeline;  // not owned: the pipeline owns this (a signal's data)
  GstElement* video;
  GstElement* audio;
};

void addReceiveOnly(GstElement* webrtc, const char* codecs) {
  CapsPtr caps(gst_caps_from_string(codecs));
  GstWebRTCRTPTransceiver* transceiver = nullptr;
  g_signal_emit_by_name(webrtc, "add-transceiver", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY,
                        caps.get(), &transceiver);
  if (!transceiver) throw std::runtime_error("webrtcbin refused a receive-only transceiver");
  g_object_set(transceiver, "do-nack", TRUE, nullptr);
  gst_object_unref(transceiver);
}

// A decoded stream out of a decodebin: to the entry of its kind, if free.
void linkDecoded(GstElement*, GstPad* pad, gpointer data) {
  auto* entries = static_cast<Entries*>(data);
  CapsPtr caps(gst_pad_get_current_caps(pad));
  if (!caps) caps.reset(gst_pad_query_caps(pad, nullptr));
  if (!caps || gst_caps_is_empty(caps.get())) return;
  const char* name = gst_structure_get_name(gst_caps_get_structure(caps.get(), 0));
  GstElement* entry = g_str_has_prefix(name, "video/")   ? entries->video
                      : g_str_has_prefix(name, "audio/") ? entries->audio
                                                         : nullptr;
  if (!entry) return;
  PadPtr sink(gst_element_get_static_pad(entry, "sink"));
  if (!gst_pad_is_linked(sink.get())) gst_pad_link(pad, sink.get());
}

// An incoming stream (RTP, its codec in the caps): decoded by what its caps
// call for.
void decodeIncoming(GstElement*, GstPad* pad, gpointer data) {
  if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC) return;
  auto* entries = static_cast<Entries*>(data);
  GstElement* decode = gst_element_factory_make("decodebin", nullptr);
  if (!decode) return;
  g_signal_connect(decode, "pad-added", G_CALLBACK(linkDecoded), entries);
  gst_bin_add(GST_BIN(entries->pipeline), decode);
  gst_element_sync_state_with_parent(decode);
  PadPtr sink(gst_element_get_static_pad(decode, "sink"));
  gst_pad_link(pad, sink.get());
}

// Elements as decodebin makes them: the depayloader waits for a keyframe and
// asks for one when it starts or has lost packets (a PLI to the sender);
// FFmpeg's decoders use slice threads only (no frame of delay per thread).
void tuneElement(GstBin*, GstBin*, GstElement* element, gpointer) {
  GObjectClass* klass = G_OBJECT_GET_CLASS(element);
  if (g_object_class_find_property(klass, "request-keyframe")) {
    g_object_set(element, "request-keyframe", TRUE, nullptr);
  }
  if (g_object_class_find_property(klass, "wait-for-keyframe")) {
    g_object_set(element, "wait-for-keyframe", TRUE, nullptr);
  }
  GstElementFactory* factory = gst_element_get_factory(element);
  if (factory && g_str_has_prefix(GST_OBJECT_NAME(factory), "avdec_") &&
      g_object_class_find_property(klass, "thread-type")) {
    gst_util_set_object_arg(G_OBJECT(element), "thread-type", "slice");
  }
}

// One answerOffer() in progress, shared by its promises' callbacks.
struct Answering {
  // Weak: the gathering handler's closure, which webrtcbin keeps, holds
  // this; a strong reference would keep webrtcbin alive for ever.
  GWeakRef webrtc;
  std::function<void(std::string, std::string)> done;
  std::atomic<bool> finished{false};

  explicit Answering(GstElement* element) { g_weak_ref_init(&webrtc, element); }
  ~Answering() { g_weak_ref_clear(&webrtc); }
  Answering(const Answering&) = delete;
  Answering& operator=(const Answering&) = delete;
  // A strong reference while the element lives; null after.
  ElementPtr element() { return ElementPtr(static_cast<GstElement*>(g_weak_ref_get(&webrtc))); }
  void finish(std::string answer, std::string error) {
    if (finished.exchange(true)) return;
    done(std::move(answer), std::move(error));
  }
};
using AnsweringPtr = std::shared_ptr<Answering>;

// A promise whose change function gets the shared state.
GstPromise* promiseFor(const AnsweringPtr& answering, void (*changed)(GstPromise*, gpointer)) {
  return gst_promise_new_with_change_func(changed, new AnsweringPtr(answering), [](gpointer data) {
    delete static_cast<AnsweringPtr*>(data);
  });
}

// The error a promise's reply carries, if any.
std::string replyError(GstPromise* promise) {
  if (gst_promise_wait(promise) != GST_PROMISE_RESULT_REPLIED) return "no reply";
  const GstStructure* reply = gst_promise_get_reply(promise);
  if (!reply) return "";
  GError* error = nullptr;
  if (gst_structure_has_field(reply, "error")) {
    gst_structure_get(reply, "error", G_TYPE_ERROR, &error, nullptr);
  }
  if (!error) return "";
  std::string text = error->message ? error->message : "error";
  g_error_free(error);
  return text;
}

void checkGathered(GstElement* webrtc, const AnsweringPtr& answering) {
  GstWebRTCICEGatheringState state = GST_WEBRTC_ICE_GATHERING_STATE_NEW;
  g_object_get(webrtc, "ice-gathering-state", &state, nullptr);
  if (state == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE) {
    answering->finish(localDescription(webrtc), "");
  }
}

void onLocalSet(GstPromise* promise, gpointer data) {
  AnsweringPtr answering = *static_cast<AnsweringPtr*>(data);
  const std::string error = replyError(promise);
  gst_promise_unref(promise);
  if (!error.empty()) {
    answering->finish("", "the studio's answer was refused: " + error);
    return;
  }
  ElementPtr webrtc = answering->element();
  if (!webrtc) return;  // the session ended meanwhile
  // The candidates come as ICE gathers them; the answer waits for all.
  g_signal_connect_data(
      webrtc.get(), "notify::ice-gathering-state",
      G_CALLBACK(+[](GstElement* webrtc, GParamSpec*, gpointer handler_data) {
        checkGathered(webrtc, *static_cast<AnsweringPtr*>(handler_data));
      }),
      new AnsweringPtr(answering),
      [](gpointer handler_data, GClosure*) { delete static_cast<AnsweringPtr*>(handler_data); },
      GConnectFlags(0));
  checkGathered(webrtc.get(), answering);
}

void onAnswerCreated(GstPromise* promise, gpointer data) {
  AnsweringPtr answering = *static_cast<AnsweringPtr*>(data);
  std::string error = replyError(promise);
  GstWebRTCSessionDescription* answer = nullptr;
  if (error.empty()) {
    const GstStructure* reply = gst_promise_get_reply(promise);
    if (reply) {
      gst_structure_get(reply, "answer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &answer, nullptr);
    }
  }
  gst_promise_unref(promise);
  if (!answer) {
    answering->finish("", "no answer to this offer" + (error.empty() ? "" : ": " + error));
    return;
  }
  if (ElementPtr webrtc = answering->element()) {
    startReturnStreams(webrtc.get(), answer->sdp);
    g_signal_emit_by_name(webrtc.get(), "set-local-description", answer,
                          promiseFor(answering, onLocalSet));
  }
  gst_webrtc_session_description_free(answer);
}

// The payload type an SDP section gives `codec` ("VP8", "opus"), or -1.
int payloadFor(const GstSDPMedia* media, const char* codec) {
  for (guint i = 0; i < gst_sdp_media_attributes_len(media); ++i) {
    const GstSDPAttribute* a = gst_sdp_media_get_attribute(media, i);
    if (!a->key || !a->value || g_strcmp0(a->key, "rtpmap") != 0) continue;
    int pt = -1;
    char name[32] = {0};
    if (std::sscanf(a->value, "%d %31[^/]", &pt, name) == 2 &&
        g_ascii_strcasecmp(name, codec) == 0) {
      return pt;
    }
  }
  return -1;
}

// One stream of the return feed: appsrc ─ payloader ─ a sink pad of
// webrtcbin, linked before the offer comes (webrtcbin 1.22 answers sendrecv
// only for a transceiver that has a sink pad when the answer is made, and
// matches it to the offer's section by its codec preferences).
struct ReturnStream {
  GstElement* source = nullptr;  // appsrc (owned by the pipeline)
  GstElement* pay = nullptr;
  bool video = false;
};

// What addWebrtcReceiver leaves on webrtcbin for the answer.
struct ReturnSetup {
  ReturnLink link;
  std::vector<ReturnStream> streams;
};

// The payload types the offer gives VP8 (its first video section) and Opus
// (its first audio section); Chromium's numbers where it gives none.
struct OfferedPayloads {
  int vp8 = 96;
  int opus = 111;
};

OfferedPayloads offeredPayloads(const std::string& offer_sdp) {
  OfferedPayloads out;
  GstSDPMessage* sdp = nullptr;
  if (gst_sdp_message_new_from_text(offer_sdp.c_str(), &sdp) != GST_SDP_OK || !sdp) return out;
  bool video_seen = false;
  bool audio_seen = false;
  for (guint i = 0; i < gst_sdp_message_medias_len(sdp); ++i) {
    const GstSDPMedia* media = gst_sdp_message_get_media(sdp, i);
    const char* kind = gst_sdp_media_get_media(media);
    if (!video_seen && g_strcmp0(kind, "video") == 0) {
      video_seen = true;
      if (const int pt = payloadFor(media, "VP8"); pt >= 0) out.vp8 = pt;
    } else if (!audio_seen && g_strcmp0(kind, "audio") == 0) {
      audio_seen = true;
      if (const int pt = payloadFor(media, "opus"); pt >= 0) out.opus = pt;
    }
  }
  gst_sdp_message_free(sdp);
  return out;
}

// `pt`: the number the guest's offer gave the codec (the answer keeps it).
ReturnStream addReturnStream(GstElement* pipeline, GstElement* webrtc, bool video, int pt,
                             const std::shared_ptr<ReturnFeed>& feed) {
  ReturnStream stream;
  stream.video = video;
  stream.source = addElement(pipeline, "appsrc");
  stream.pay = addElement(pipeline, video ? "rtpvp8pay" : "rtpopuspay");
  // Mono Opus: stereo would make rtpopuspay say sprop-stereo=1, which an
  // offer of a mono microphone (sprop-stereo=0) does not match, and the
  // section would be answered receive-only. A return feed of voices loses
  // nothing by it.
  CapsPtr caps(gst_caps_from_string(
      video ? "video/x-vp8" : "audio/x-opus,rate=48000,channels=1,channel-mapping-family=0"));
  // Live, stamped as it arrives; a guest that cannot keep up loses the
  // oldest, never holds up the program.
  g_object_set(stream.source, "caps", caps.get(), "is-live", TRUE, "do-timestamp", TRUE, "format",
               GST_FORMAT_TIME, "block", FALSE, "max-bytes", guint64{512 * 1024}, nullptr);
  if (g_object_class_find_property(G_OBJECT_GET_CLASS(stream.source), "leaky-type")) {
    gst_util_set_object_arg(G_OBJECT(stream.source), "leaky-type", "downstream");
  }
  g_object_set(stream.pay, "pt", static_cast<guint>(pt), nullptr);
  if (video) gst_util_set_object_arg(G_OBJECT(stream.pay), "picture-id-mode", "15-bit");
  linkChain({stream.source, stream.pay});
  // The caps say the transceiver's kind before any data flows (without
  // them an audio transceiver matched no audio section of the offer).
  CapsPtr codec(gst_caps_from_string(video ? kVideoReturnCodec : kAudioCodecs));
  GstPadTemplate* templ =
      gst_element_class_get_pad_template(GST_ELEMENT_GET_CLASS(webrtc), "sink_%u");
  PadPtr sink(gst_element_request_pad(webrtc, templ, nullptr, codec.get()));
  PadPtr pay_src(gst_element_get_static_pad(stream.pay, "src"));
  if (!sink || gst_pad_link(pay_src.get(), sink.get()) != GST_PAD_LINK_OK) {
    throw std::runtime_error("webrtcbin refused the return feed's stream");
  }
  GstWebRTCRTPTransceiver* transceiver = nullptr;
  g_object_get(sink.get(), "transceiver", &transceiver, nullptr);
  if (transceiver) {
    g_object_set(transceiver, "codec-preferences", codec.get(), "do-nack", TRUE, nullptr);
    gst_object_unref(transceiver);
  }
  // The browser's PLI reaches here as an upstream event: one keyframe for
  // every guest, rate-limited by the feed.
  PadPtr source_src(gst_element_get_static_pad(stream.source, "src"));
  gst_pad_add_probe(
      source_src.get(), GST_PAD_PROBE_TYPE_EVENT_UPSTREAM,
      [](GstPad*, GstPadProbeInfo* info, gpointer data) -> GstPadProbeReturn {
        if (gst_video_event_is_force_key_unit(GST_PAD_PROBE_INFO_EVENT(info))) {
          (*static_cast<std::shared_ptr<ReturnFeed>*>(data))->requestKeyframe();
        }
        return GST_PAD_PROBE_OK;
      },
      new std::shared_ptr<ReturnFeed>(feed),
      [](gpointer data) { delete static_cast<std::shared_ptr<ReturnFeed>*>(data); });
  return stream;
}

// The answer is made: each return stream takes the payload type the answer
// gives its codec and starts taking the feed, for as long as the pipeline
// lives. A section the guest only sends (a WHIP publisher) is answered
// recvonly and gets nothing.
void startReturnStreams(GstElement* webrtc, const GstSDPMessage* answer) {
  auto* setup = static_cast<ReturnSetup*>(g_object_get_data(G_OBJECT(webrtc), "yst-return"));
  if (!setup || setup->streams.empty()) return;
  GstElement* pipeline = GST_ELEMENT(gst_object_get_parent(GST_OBJECT(webrtc)));
  if (!pipeline) return;
  for (const ReturnStream& stream : setup->streams) {
    int pt = -1;
    for (guint i = 0; i < gst_sdp_message_medias_len(answer) && pt < 0; ++i) {
      const GstSDPMedia* media = gst_sdp_message_get_media(answer, i);
      const bool sends = gst_sdp_media_get_attribute_val(media, "sendrecv") ||
                         gst_sdp_media_get_attribute_val(media, "sendonly");
      if (sends &&
          g_strcmp0(gst_sdp_media_get_media(media), stream.video ? "video" : "audio") == 0) {
        pt = payloadFor(media, stream.video ? "VP8" : "opus");
      }
    }
    if (pt < 0) continue;
    g_object_set(stream.pay, "pt", static_cast<guint>(pt), nullptr);
    std::shared_ptr<GstElement> held(GST_ELEMENT(gst_object_ref(stream.source)),
                                     [](GstElement* e) { gst_object_unref(e); });
    const ReturnFeed::Sink push = [held](GstBuffer* buffer) {
      GstBuffer* copy = gst_buffer_copy(buffer);
      GST_BUFFER_PTS(copy) = GST_CLOCK_TIME_NONE;
      GST_BUFFER_DTS(copy) = GST_CLOCK_TIME_NONE;
      gst_app_src_push_buffer(GST_APP_SRC(held.get()), copy);
    };
    const ReturnFeed::Sink nothing = [](GstBuffer*) {};
    const int id = setup->link.feed->subscribe(setup->link.guest, stream.video ? push : nothing,
                                               stream.video ? nothing : push);
    struct Subscription {
      std::shared_ptr<ReturnFeed> feed;
      int id;
    };
    // The subscription (and with it the appsrc it holds) ends with the pipeline.
    g_object_weak_ref(
        G_OBJECT(pipeline),
        [](gpointer data, GObject*) {
          auto* subscription = static_cast<Subscription*>(data);
          subscription->feed->unsubscribe(subscription->id);
          delete subscription;
        },
        new Subscription{setup->link.feed, id});
  }
  setup->streams.clear();
  gst_object_unref(pipeline);
}

void onRemoteSet(GstPromise* promise, gpointer data) {
  AnsweringPtr answering = *static_cast<AnsweringPtr*>(data);
  const std::string error = replyError(promise);
  gst_promise_unref(promise);
  if (!error.empty()) {
    answering->finish("", "the offer was refused: " + error);
    return;
  }
  if (ElementPtr webrtc = answering->element()) {
    g_signal_emit_by_name(webrtc.get(), "create-answer", nullptr,
                          promiseFor(answering, onAnswerCreated));
  }
}

const char* iceConnectionStateName(GstWebRTCICEConnectionState state) {
  switch (state) {
    case GST_WEBRTC_ICE_CONNECTION_STATE_NEW:
      return "new";
    case GST_WEBRTC_ICE_CONNECTION_STATE_CHECKING:
      return "checking";
    case GST_WEBRTC_ICE_CONNECTION_STATE_CONNECTED:
      return "connected";
    case GST_WEBRTC_ICE_CONNECTION_STATE_COMPLETED:
      return "completed";
    case GST_WEBRTC_ICE_CONNECTION_STATE_FAILED:
      return "failed";
    case GST_WEBRTC_ICE_CONNECTION_STATE_DISCONNECTED:
      return "disconnected";
    case GST_WEBRTC_ICE_CONNECTION_STATE_CLOSED:
      return "closed";
  }
  return "unknown";
}

}  // namespace webrtc_receiver

GstElement* addWebrtcReceiver(GstElement* pipeline, const WebrtcOptions& options,
                              GstElement* video_entry, GstElement* audio_entry,
                              ReturnLink return_link) {
  using namespace webrtc_receiver;
  GstElement* webrtc = addElement(pipeline, "webrtcbin");
  // One transport for sound and picture (browsers and OBS bundle).
  gst_util_set_object_arg(G_OBJECT(webrtc), "bundle-policy", "max-bundle");
  g_object_set(webrtc, "latency", static_cast<guint>(options.latency_ms), nullptr);
  if (!options.stun_server.empty()) {
    g_object_set(webrtc, "stun-server", options.stun_server.c_str(), nullptr);
  }
  if (!options.turn_server.empty()) {
    g_object_set(webrtc, "turn-server", options.turn_server.c_str(), nullptr);
  }
  GstWebRTCICE* ice = nullptr;
  g_object_get(webrtc, "ice-agent", &ice, nullptr);
  if (ice) {
    if (options.min_port > 0 && options.max_port >= options.min_port) {
      g_object_set(ice, "min-rtp-port", static_cast<guint>(options.min_port), "max-rtp-port",
                   static_cast<guint>(options.max_port), nullptr);
    }
    // No UPnP: libnice would ask the LAN's router to open ports (a studio
    // must not), and its search held the answer's gathering up by seconds
    // on a loaded machine (3 s and more under AddressSanitizer).
    if (g_object_class_find_property(G_OBJECT_GET_CLASS(ice), "agent")) {
      GObject* agent = nullptr;
      g_object_get(ice, "agent", &agent, nullptr);
      if (agent) {
        if (g_object_class_find_property(G_OBJECT_GET_CLASS(agent), "upnp")) {
          g_object_set(agent, "upnp", FALSE, nullptr);
        }
        g_object_unref(agent);
      }
    }
    gst_object_unref(ice);
  }
  if (return_link.feed) {
    // A guest's page: its sections send and receive; the return feed's
    // streams are the transceivers its offer matches.
    auto* setup = new ReturnSetup{return_link, {}};
    g_object_set_data_full(G_OBJECT(webrtc), "yst-return", setup,
                           [](gpointer data) { delete static_cast<ReturnSetup*>(data); });
    const OfferedPayloads offered = offeredPayloads(return_link.offer_sdp);
    setup->streams.push_back(
        addReturnStream(pipeline, webrtc, true, offered.vp8, return_link.feed));
    setup->streams.push_back(
        addReturnStream(pipeline, webrtc, false, offered.opus, return_link.feed));
  } else {
    addReceiveOnly(webrtc, kVideoCodecs);
    addReceiveOnly(webrtc, kAudioCodecs);
  }
  // Transceivers webrtcbin makes itself for an offer ours do not match.
  g_signal_connect(webrtc, "on-new-transceiver",
                   G_CALLBACK(+[](GstElement*, GstWebRTCRTPTransceiver* transceiver, gpointer) {
                     g_object_set(transceiver, "do-nack", TRUE, nullptr);
                   }),
                   nullptr);
  auto* entries = new Entries{pipeline, video_entry, audio_entry};
  g_signal_connect_data(
      webrtc, "pad-added", G_CALLBACK(decodeIncoming), entries,
      [](gpointer data, GClosure*) { delete static_cast<Entries*>(data); }, GConnectFlags(0));
  g_signal_connect(pipeline, "deep-element-added", G_CALLBACK(tuneElement), nullptr);
  return webrtc;
}

std::string checkOffer(const std::string& offer_sdp) {
  if (offer_sdp.rfind("v=0", 0) != 0) return "not an SDP offer (it must begin with v=0)";
  GstSDPMessage* sdp = nullptr;
  if (gst_sdp_message_new_from_text(offer_sdp.c_str(), &sdp) != GST_SDP_OK || !sdp) {
    return "the SDP offer could not be read";
  }
  unsigned media = 0;
  for (guint i = 0; i < gst_sdp_message_medias_len(sdp); ++i) {
    const char* kind = gst_sdp_media_get_media(gst_sdp_message_get_media(sdp, i));
    if (kind && (g_str_equal(kind, "audio") || g_str_equal(kind, "video"))) ++media;
  }
  gst_sdp_message_free(sdp);
  return media > 0 ? "" : "the SDP offer has neither sound nor picture";
}

void answerOffer(GstElement* webrtc, const std::string& offer_sdp,
                 std::function<void(std::string answer_sdp, std::string error)> done) {
  using namespace webrtc_receiver;
  auto answering = std::make_shared<Answering>(webrtc);
  answering->done = std::move(done);
  GstSDPMessage* sdp = nullptr;
  if (gst_sdp_message_new_from_text(offer_sdp.c_str(), &sdp) != GST_SDP_OK || !sdp) {
    answering->finish("", "the SDP offer could not be read");
    return;
  }
  GstWebRTCSessionDescription* offer =
      gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_OFFER, sdp);  // takes sdp
  g_signal_emit_by_name(webrtc, "set-remote-description", offer,
                        promiseFor(answering, onRemoteSet));
  gst_webrtc_session_description_free(offer);
}

std::string localDescription(GstElement* webrtc) {
  GstWebRTCSessionDescription* local = nullptr;
  g_object_get(webrtc, "local-description", &local, nullptr);
  if (!local) return "";
  gchar* text = gst_sdp_message_as_text(local->sdp);
  std::string sdp = text ? text : "";
  g_free(text);
  gst_webrtc_session_description_free(local);
  return sdp;
}

void watchIceConnection(GstElement* webrtc, std::function<void(std::string state)> changed) {
  using Changed = std::function<void(std::string)>;
  g_signal_connect_data(
      webrtc, "notify::ice-connection-state",
      G_CALLBACK(+[](GstElement* element, GParamSpec*, gpointer data) {
        GstWebRTCICEConnectionState state = GST_WEBRTC_ICE_CONNECTION_STATE_NEW;
        g_object_get(element, "ice-connection-state", &state, nullptr);
        (*static_cast<Changed*>(data))(webrtc_receiver::iceConnectionStateName(state));
      }),
      new Changed(std::move(changed)),
      [](gpointer data, GClosure*) { delete static_cast<Changed*>(data); }, GConnectFlags(0));
}

}  // namespace yst::streaming
