// The program's side of the control room's monitor (monitor.h): an
// input-selector between the program's sound and each source's before its
// fader (PFL), out to the monitor's interaudio channel. Parts of Program,
// apart from the mixing and encoding of the program itself (program.cpp).
#include <algorithm>
#include <stdexcept>

#include "streaming/program.h"

namespace yst::streaming {

void Program::buildMonitor() {
  GstElement* bin = pipeline_.get();
  monitor_select_ = addElement(bin, "input-selector", "monitor-select");
  // The inputs not listened to drop their sound at once: nothing waits for
  // them, and a switch is heard at once.
  g_object_set(monitor_select_, "sync-streams", FALSE, "cache-buffers", FALSE, nullptr);
  GstElement* sink = addElement(bin, "interaudiosink", "monitor-out");
  g_object_set(sink, "channel", settings_.monitor_channel.c_str(), "sync", FALSE, "async", FALSE,
               nullptr);
  linkChain({monitor_select_, sink});
}

void Program::addMonitorInput(GstElement* from, const std::string& source) {
  GstElement* bin = pipeline_.get();
  // A leaky queue: a monitor that falls behind drops its own sound, never
  // holds up the program's.
  GstElement* queue = addElement(bin, "queue");
  g_object_set(queue, "max-size-buffers", 0u, "max-size-bytes", 0u, "max-size-time",
               guint64{100} * GST_MSECOND, nullptr);
  gst_util_set_object_arg(G_OBJECT(queue), "leaky", "downstream");
  // The program's sound is float after its loudness stage; a source's is the
  // studio's raw format already.
  GstElement* convert = addElement(bin, "audioconvert");
  GstElement* caps = addCapsFilter(bin, rawAudioCaps());
  PadPtr tee_pad(gst_element_request_pad_simple(from, "src_%u"));
  PadPtr queue_sink(gst_element_get_static_pad(queue, "sink"));
  if (gst_pad_link(tee_pad.get(), queue_sink.get()) != GST_PAD_LINK_OK) {
    throw std::runtime_error("cannot link " + (source.empty() ? "the program" : source) +
                             " to the monitor");
  }
  linkChain({queue, convert, caps});
  monitor_pads_[source] = linkToRequestPad(caps, monitor_select_, "sink_%u");
}

bool Program::setListening(const std::string& source) {
  if (!source.empty() &&
      std::none_of(sources_.begin(), sources_.end(),
                   [&](const ProgramSourceInput& s) { return s.id == source; })) {
    return false;
  }
  listening_ = source;
  applyListening();
  return true;
}

void Program::applyListening() {
  if (!monitor_select_) return;
  auto it = monitor_pads_.find(listening_);
  if (it == monitor_pads_.end()) it = monitor_pads_.find("");
  if (it != monitor_pads_.end()) g_object_set(monitor_select_, "active-pad", it->second, nullptr);
}

}  // namespace yst::streaming
