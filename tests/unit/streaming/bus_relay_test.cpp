// The bus relay owns what it takes off a bus: a message handed to the
// controller thread is freed once handled, a message it drops is freed at
// once. (Every message of every pipeline used to stay in memory: the level
// meters alone grew a show by ~2.5 MB a minute.)
#include "streaming/bus_relay.h"

#include <gst/gst.h>
#include <gtest/gtest.h>

#include <atomic>
#include <string>

#include "streaming/gst_ptr.h"
#include "tests/unit/qt_test_app.h"

namespace yst::streaming {
namespace {

// Counts messages as they are finalized.
struct Freed {
  std::atomic<int> count{0};
  void watch(GstMessage* message) {
    gst_mini_object_weak_ref(
        GST_MINI_OBJECT_CAST(message),
        [](gpointer data, GstMiniObject*) { ++static_cast<Freed*>(data)->count; }, this);
  }
};

GstMessage* levelMessage(GstElement* source) {
  return gst_message_new_element(GST_OBJECT(source),
                                 gst_structure_new("level", "rms", G_TYPE_DOUBLE, -20.0, nullptr));
}

class BusRelayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    qt_test::app();
    pipeline_ = holdElement(gst_pipeline_new("relayed"));
    meter_ = gst_element_factory_make("identity", "level-host");
    gst_bin_add(GST_BIN(pipeline_.get()), meter_);
    bus_.reset(gst_element_get_bus(pipeline_.get()));
    // A pipeline's bus takes messages from READY up (in NULL it may flush).
    ASSERT_NE(gst_element_set_state(pipeline_.get(), GST_STATE_READY), GST_STATE_CHANGE_FAILURE);
  }
  void TearDown() override {
    unrelayBus(pipeline_.get());
    gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
  }

  ElementPtr pipeline_;
  GstElement* meter_ = nullptr;  // owned by the pipeline
  BusPtr bus_;
  LifeToken life_ = std::make_shared<int>(0);
};

TEST_F(BusRelayTest, AForwardedMessageIsHandledOnceAndThenFreed) {
  std::string seen;
  int handled = 0;
  relayBus(pipeline_.get(), life_, [&](GstMessage* m) {
    ++handled;
    seen = gst_structure_get_name(gst_message_get_structure(m));
  });
  Freed freed;
  for (int i = 0; i < 30; ++i) {
    GstMessage* m = levelMessage(meter_);
    freed.watch(m);
    gst_bus_post(bus_.get(), m);
  }
  ASSERT_TRUE(qt_test::spinUntil([&] { return handled == 30; }, 5000)) << handled << " handled";
  EXPECT_EQ(seen, "level");
  EXPECT_TRUE(qt_test::spinUntil([&] { return freed.count == 30; }, 2000))
      << freed.count << " of 30 handled messages freed";
}

TEST_F(BusRelayTest, MessagesNobodyWantsAreFreedAtOnce) {
  int handled = 0;
  relayBus(pipeline_.get(), life_, [&](GstMessage*) { ++handled; });
  Freed freed;
  // A child's state change and a stream-status message: not for the studio.
  GstMessage* state = gst_message_new_state_changed(GST_OBJECT(meter_), GST_STATE_READY,
                                                    GST_STATE_PAUSED, GST_STATE_VOID_PENDING);
  GstMessage* status =
      gst_message_new_stream_status(GST_OBJECT(meter_), GST_STREAM_STATUS_TYPE_CREATE, meter_);
  freed.watch(state);
  freed.watch(status);
  gst_bus_post(bus_.get(), state);
  gst_bus_post(bus_.get(), status);
  EXPECT_EQ(freed.count, 2) << "dropped messages must be released by the sync handler";
  qt_test::spinUntil([] { return false; }, 100);
  EXPECT_EQ(handled, 0);
}

TEST_F(BusRelayTest, AMessageForAGoneOwnerIsFreedUnhandled) {
  int handled = 0;
  relayBus(pipeline_.get(), life_, [&](GstMessage*) { ++handled; });
  Freed freed;
  GstMessage* m = levelMessage(meter_);
  freed.watch(m);
  gst_bus_post(bus_.get(), m);
  life_.reset();  // the owner goes before the controller thread gets to it
  EXPECT_TRUE(qt_test::spinUntil([&] { return freed.count == 1; }, 2000));
  EXPECT_EQ(handled, 0);
}

}  // namespace
}  // namespace yst::streaming
