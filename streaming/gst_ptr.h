// RAII handles for GStreamer objects, so that an early return on an error path
// can never leak a pipeline, caps or pad.
#pragma once

#include <gst/gst.h>

#include <initializer_list>
#include <memory>
#include <string>

namespace yst::streaming {

struct GstObjectUnref {
  void operator()(gpointer p) const {
    if (p) gst_object_unref(p);
  }
};
struct GstMiniObjectUnref {
  void operator()(GstMiniObject* p) const {
    if (p) gst_mini_object_unref(p);
  }
};
struct GFreeDeleter {
  void operator()(gpointer p) const { g_free(p); }
};

template <typename T>
using GstPtr = std::unique_ptr<T, GstObjectUnref>;
using ElementPtr = GstPtr<GstElement>;
using PadPtr = GstPtr<GstPad>;
using BusPtr = GstPtr<GstBus>;

struct CapsUnref {
  void operator()(GstCaps* c) const {
    if (c) gst_caps_unref(c);
  }
};
using CapsPtr = std::unique_ptr<GstCaps, CapsUnref>;

struct MessageUnref {
  void operator()(GstMessage* m) const {
    if (m) gst_message_unref(m);
  }
};
using MessagePtr = std::unique_ptr<GstMessage, MessageUnref>;

struct SampleUnref {
  void operator()(GstSample* s) const {
    if (s) gst_sample_unref(s);
  }
};
using SamplePtr = std::unique_ptr<GstSample, SampleUnref>;

using GCharPtr = std::unique_ptr<gchar, GFreeDeleter>;

// Creates an element or throws with the factory name: a missing plugin is an
// installation problem that must name itself.
GstElement* makeElement(const char* factory, const char* name = nullptr);

// Makes an element and adds it to `bin` (which owns it); throws like makeElement.
GstElement* addElement(GstElement* bin, const char* factory, const char* name = nullptr);

// A capsfilter for a caps string; floating reference.
GstElement* makeCapsFilter(const std::string& caps);
// The same, added to `bin` (which owns it).
GstElement* addCapsFilter(GstElement* bin, const std::string& caps);
// A queue of at most `buffers` that drops the oldest when full, added to
// `bin`: a slow branch loses its own frames, never holds up the tee before it.
GstElement* addLeakyQueue(GstElement* bin, guint buffers);

// Links each element to the next; throws naming the pair that would not link.
void linkChain(std::initializer_list<GstElement*> chain);

// Links upstream's "src" pad (or a new request pad of a tee) to a new
// request pad of `target` made from `pad_template`; returns that pad (the
// reference is the caller's). Throws.
GstPad* linkToRequestPad(GstElement* upstream, GstElement* target, const char* pad_template);

// Takes a floating-ref element made by makeElement and keeps a strong ref.
inline ElementPtr holdElement(GstElement* e) {
  return ElementPtr(GST_ELEMENT(gst_object_ref_sink(e)));
}

// "element-name: message" for an error or warning message (without the
// debug text, which carries full URLs and so secrets).
std::string describeMessage(GstMessage* message);
// The reason an element gives in the last line of an error's debug text
// ("Failed to authenticate: Incorrect passphrase"), when the message itself
// is generic ("Could not read from resource."); empty when that line names
// an address (it could hold a secret) or there is none. Scrub it all the same.
std::string messageReason(GstMessage* message);
// describeMessage with the reason, when there is one: "srtsink0: Failed to
// open SRT: Failed to resolve host 'cdn.example': …" rather than "srtsink0:
// Could not open resource for writing.", and "source: Unauthorized (401)"
// rather than "source: Unauthorized (Unauthorized (401))".
std::string describeFailure(GstMessage* message);

// Sets the state and waits up to timeout for an async change to finish; false
// with the reason on failure.
bool setStateAndWait(GstElement* element, GstState state, GstClockTime timeout, std::string* error);

}  // namespace yst::streaming
