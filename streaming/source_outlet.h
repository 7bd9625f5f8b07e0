// The one door a source's pictures go through to the program.
//
// A source has two pictures to offer: its camera, from an input pipeline
// rebuilt on every attempt, and its slate, from a pipeline that runs while
// the camera does not deliver. Both used to end in an intervideosink on the
// source's channel, which cost the program a glitch at every change:
//
// - while the camera's first frames arrive and the slate still runs (up to
//   one health check, 250 ms), the two sinks write the same surface in turn,
//   so a slate frame lands between camera frames;
// - an intervideosink that stops (the slate going, a failed input torn down)
//   empties the surface, and the program's intervideosrc turns an empty
//   surface into a black frame until the next picture arrives: up to 200 ms
//   of black at the slate's 5 fps.
//
// The outlet owns the only intervideosink on the channel, started once with
// the source and stopped with it. Camera and slate end in appsinks (which
// keep the clock: a file plays at its pace) whose frames come here, on their
// own streaming threads, and are pushed on to the sink without a thread hop.
// The choice is made per frame: the camera's frames of the current attempt
// win from the first one (the cut to the camera is that frame), the slate's
// pass only while no camera frame of the current attempt has, and frames of
// an attempt already given up are dropped.
#pragma once

#include <gst/gst.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "streaming/gst_ptr.h"

namespace yst::streaming {

class SourceOutlet {
 public:
  // Starts the intervideosink on `channel`, taking frames of `caps`.
  SourceOutlet(const std::string& channel, const std::string& caps);
  ~SourceOutlet();
  SourceOutlet(const SourceOutlet&) = delete;
  SourceOutlet& operator=(const SourceOutlet&) = delete;

  // From the controller thread. A new input pipeline, numbered
  // `generation`: its frames take over from the slate once they come.
  void beginAttempt(int generation);
  // The input failed or stopped: the slate's frames pass again, and the
  // given-up input's are dropped.
  void showSlate();

  // From streaming threads: one frame of the camera of `generation`, or of
  // the slate. Returns whether it went to the program.
  bool pushCamera(int generation, GstBuffer* frame);
  bool pushSlate(GstBuffer* frame);

  // Stops the sink (the program then sees black, as it should once the
  // source has gone) and disposes of it off the calling thread.
  void close();

 private:
  bool pushLocked(GstBuffer* frame);

  std::mutex mutex_;
  ElementPtr pipeline_;
  GstPad* pad_ = nullptr;   // ours, linked to the sink's
  int attempt_ = -1;        // the input whose frames may pass; -1: none
  bool camera_on_ = false;  // a frame of that input has passed
};

// An appsink that hands each frame (after its clock wait) to `deliver` on
// the streaming thread. `deliver` gets the buffer without a reference of its
// own and is kept until the sink is finalised.
GstElement* makeFrameSink(std::function<void(GstBuffer*)> deliver);

}  // namespace yst::streaming
