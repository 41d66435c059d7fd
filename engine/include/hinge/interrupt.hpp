// The program's stop request, as the engine sees it. The engine installs no signal
// handler of its own: the program that owns the signals (lang's session) hands it
// the flag its handler sets, and long kernels poll it at a coarse interval.
#pragma once
#include <csignal>
#include <cstddef>
#include <cstdint>

#include "hinge/errors.hpp"

namespace hinge {

// Thrown by a kernel that saw the stop request; the graph is left as it was before
// the op (the op's output is never returned).
class Interrupted : public Error {
 public:
  Interrupted() : Error("interrupted") {}
};

// The flag the program's SIGINT/SIGTERM handler sets (nullptr: no stop requests).
void set_interrupt_flag(const volatile std::sig_atomic_t* flag) noexcept;
bool interrupt_pending() noexcept;

// For loops over `total` elements: how many to do between two polls, so a poll
// costs nothing measurable and a stop is seen within a few milliseconds.
inline constexpr int64_t kInterruptPollElements = int64_t{1} << 22;

inline void throw_if_interrupted() {
  if (interrupt_pending()) throw Interrupted();
}

// memset(p, 0, bytes) in pieces of kInterruptPollElements doubles, polling
// between them: the first touch of a buffer of gigabytes is seconds of page
// faults (Note [Touching a large buffer first] in graph.cpp). A buffer of one
// piece is never stopped.
void zero_with_polls(void* p, std::size_t bytes);

}  // namespace hinge
