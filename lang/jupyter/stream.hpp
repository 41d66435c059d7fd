// A C stream whose writes go to a function: the session prints through FILE*, and
// the kernel turns what it prints into Jupyter stream messages as it happens.
#pragma once
#include <cstdio>
#include <functional>
#include <string_view>

namespace hinge::lang::jupyter {

using StreamSink = std::function<void(std::string_view)>;

// A line-buffered FILE* that hands each flushed piece of text to `sink`. The sink
// must outlive the stream; close it with std::fclose. nullptr if it cannot be made.
std::FILE* open_sink_stream(StreamSink* sink);

}  // namespace hinge::lang::jupyter
