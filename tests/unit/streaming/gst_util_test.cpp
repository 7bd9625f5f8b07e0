// What an element's error becomes in last_error: its generic message with the
// reason the element gave in the last line of its debug text, never a line
// that names an address (it could carry a key or a password).
#include <gst/gst.h>
#include <gtest/gtest.h>

#include <string>

#include "streaming/gst_ptr.h"

namespace yst::streaming {
namespace {

class DescribeFailure : public ::testing::Test {
 protected:
  void SetUp() override {
    gst_init(nullptr, nullptr);
    element_ = holdElement(gst_element_factory_make("identity", "srtsink0"));
    ASSERT_TRUE(element_);
  }

  std::string describe(const char* message, const char* debug) {
    GError* error = g_error_new_literal(GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_WRITE, message);
    MessagePtr m(gst_message_new_error(GST_OBJECT(element_.get()), error, debug));
    g_error_free(error);
    return describeFailure(m.get());
  }

  ElementPtr element_;
};

TEST_F(DescribeFailure, AddsTheElementsReason) {
  EXPECT_EQ(describe("Could not open resource for writing.",
                     "../ext/srt/gstsrtobject.c(1160): gst_srt_object_open_full (): "
                     "/GstPipeline:pipeline0/GstSRTSink:srtsink0:\n"
                     "Failed to open SRT: Failed to resolve host 'no-such-host.invalid'"),
            "srtsink0: Could not open resource for writing. (Failed to open SRT: Failed to "
            "resolve host 'no-such-host.invalid')");
}

TEST_F(DescribeFailure, AReasonThatRepeatsTheMessageReplacesIt) {
  EXPECT_EQ(
      describe("Unauthorized", "gstrtspsrc.c(6000): gst_rtspsrc_send ():\nUnauthorized (401)"),
      "srtsink0: Unauthorized (401)");
}

TEST_F(DescribeFailure, LeavesOutALineThatNamesAnAddress) {
  EXPECT_EQ(describe("Could not open resource for writing.",
                     "gstsrtobject.c(1160): open ():\nsrt://cdn.example:9000?passphrase=s3cret"),
            "srtsink0: Could not open resource for writing.");
  EXPECT_EQ(describe("Could not open resource for writing.", nullptr),
            "srtsink0: Could not open resource for writing.");
}

}  // namespace
}  // namespace yst::streaming
