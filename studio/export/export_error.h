// The export library's one error: what could not be done, for the person who
// asked for the package ("cannot open var/rec/part-001.mkv: No such file or
// directory"). Every step of the package throws it; `yishiting export` prints
// it and the archive service logs it. What is missing but does not stop the
// package (a cut recording, no poster) is a warning in ExportResult instead.
#pragma once

#include <stdexcept>

namespace yst::exporter {

class ExportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace yst::exporter
