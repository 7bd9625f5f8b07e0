#include "streaming/bus_relay.h"

#include <QCoreApplication>
#include <QMetaObject>

#include "streaming/gst_ptr.h"

namespace yst::streaming {

namespace {

struct Relay {
  std::weak_ptr<int> life;
  BusHandler handler;
  GstElement* pipeline;  // not owned: only compared with message sources
};

// Returns GST_BUS_DROP for every message, and so owns each one: the bus
// leaves a dropped message to its sync handler to unref. (Taking a new
// reference for the queued call and never dropping the bus's leaked every
// message of every pipeline: the level meters alone, 30 a second, grew the
// studio by ~2.5 MB a minute.)
GstBusSyncReply onSyncMessage(GstBus*, GstMessage* message, gpointer data) {
  MessagePtr owned(message);
  auto* relay = static_cast<Relay*>(data);
  switch (GST_MESSAGE_TYPE(message)) {
    case GST_MESSAGE_ERROR:
    case GST_MESSAGE_WARNING:
    case GST_MESSAGE_EOS:
    case GST_MESSAGE_ELEMENT:
      break;
    case GST_MESSAGE_STATE_CHANGED:
      if (GST_MESSAGE_SRC(message) != GST_OBJECT(relay->pipeline)) return GST_BUS_DROP;
      break;
    default:
      return GST_BUS_DROP;
  }
  QCoreApplication* app = QCoreApplication::instance();
  if (!app) return GST_BUS_DROP;
  auto held = std::make_shared<MessagePtr>(std::move(owned));
  QMetaObject::invokeMethod(
      app,
      [life = relay->life, handler = relay->handler, held] {
        if (life.expired()) return;
        handler(held->get());
      },
      Qt::QueuedConnection);
  return GST_BUS_DROP;
}

}  // namespace

void relayBus(GstElement* pipeline, const LifeToken& life, BusHandler handler) {
  BusPtr bus(gst_element_get_bus(pipeline));
  auto* relay = new Relay{life, std::move(handler), pipeline};
  gst_bus_set_sync_handler(bus.get(), onSyncMessage, relay,
                           [](gpointer p) { delete static_cast<Relay*>(p); });
}

void unrelayBus(GstElement* pipeline) {
  BusPtr bus(gst_element_get_bus(pipeline));
  gst_bus_set_sync_handler(bus.get(), nullptr, nullptr, nullptr);
}

}  // namespace yst::streaming
