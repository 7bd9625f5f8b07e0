// RAII handles for GLib's object system (GIO's socket clients, connections,
// TLS streams, cancellables) and its errors, so that no error path leaks one:
// gst_ptr.h's pattern for what is a GObject but not a GstObject. The types
// may be incomplete where a handle is declared (rtmp_publisher.h names GIO's
// types without <gio/gio.h>, whose `signals` member Qt's macro breaks).
#pragma once

#include <glib-object.h>

#include <memory>

namespace yst::streaming {

struct GObjectUnref {
  void operator()(gpointer p) const {
    if (p) g_object_unref(p);
  }
};
template <typename T>
using GObjectPtr = std::unique_ptr<T, GObjectUnref>;

struct GErrorFree {
  void operator()(GError* e) const {
    if (e) g_error_free(e);
  }
};
using GErrorPtr = std::unique_ptr<GError, GErrorFree>;

}  // namespace yst::streaming
