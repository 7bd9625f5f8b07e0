// A stand-in IP camera for the integration tests: an RTSP server (the
// gst-rtsp-server library, as real camera firmware often uses) serving a
// moving test pattern with a tone as H.264 + AAC on rtsp://127.0.0.1:PORT/cam.
//
//   rtsp_camera PORT
//
// Runs until killed; SIGKILL is how a test makes the camera vanish.
#include <gst/gst.h>
#include <gst/rtsp-server/rtsp-server.h>

#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char** argv) {
  gst_init(&argc, &argv);
  if (argc != 2) {
    std::fprintf(stderr, "usage: rtsp_camera PORT\n");
    return 2;
  }
  GMainLoop* loop = g_main_loop_new(nullptr, FALSE);
  GstRTSPServer* server = gst_rtsp_server_new();
  g_object_set(server, "address", "127.0.0.1", "service", argv[1], nullptr);
  GstRTSPMediaFactory* factory = gst_rtsp_media_factory_new();
  gst_rtsp_media_factory_set_launch(
      factory,
      "( videotestsrc is-live=true pattern=ball ! video/x-raw,width=640,height=360,framerate=30/1 "
      "! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 ! rtph264pay name=pay0 "
      "pt=96 "
      "audiotestsrc is-live=true wave=sine freq=660 ! audio/x-raw,rate=48000,channels=2 "
      "! avenc_aac ! rtpmp4apay name=pay1 pt=97 )");
  gst_rtsp_media_factory_set_shared(factory, TRUE);
  GstRTSPMountPoints* mounts = gst_rtsp_server_get_mount_points(server);
  gst_rtsp_mount_points_add_factory(mounts, "/cam", factory);
  g_object_unref(mounts);
  if (gst_rtsp_server_attach(server, nullptr) == 0) {
    std::fprintf(stderr, "rtsp_camera: cannot listen on port %s\n", argv[1]);
    return 1;
  }
  std::printf("rtsp://127.0.0.1:%s/cam\n", argv[1]);
  std::fflush(stdout);
  g_main_loop_run(loop);
  return 0;
}
