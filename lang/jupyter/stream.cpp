// open_sink_stream: glibc's fopencookie with a write function that forwards to the
// sink (reads, seeks and closes have nothing to do).
#include "jupyter/stream.hpp"

#include <sys/types.h>

namespace hinge::lang::jupyter {

namespace {

ssize_t write_to_sink(void* cookie, const char* data, std::size_t size) {
  auto* sink = static_cast<StreamSink*>(cookie);
  try {
    (*sink)(std::string_view(data, size));
  } catch (...) {
    // Output that cannot be sent is lost, but the program goes on.
  }
  return static_cast<ssize_t>(size);
}

}  // namespace

std::FILE* open_sink_stream(StreamSink* sink) {
  cookie_io_functions_t io{};
  io.write = write_to_sink;
  std::FILE* f = fopencookie(sink, "w", io);
  // Line buffered: a `print` shows when its line ends, not when a buffer fills.
  if (f) std::setvbuf(f, nullptr, _IOLBF, 1 << 14);
  return f;
}

}  // namespace hinge::lang::jupyter
