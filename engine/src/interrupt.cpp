// The stop-request flag the engine polls (set by the program's signal handler).
#include "hinge/interrupt.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>

namespace hinge {

namespace {
std::atomic<const volatile std::sig_atomic_t*> g_flag{nullptr};
}

void set_interrupt_flag(const volatile std::sig_atomic_t* flag) noexcept { g_flag.store(flag); }

bool interrupt_pending() noexcept {
  const volatile std::sig_atomic_t* f = g_flag.load(std::memory_order_relaxed);
  return f != nullptr && *f != 0;
}

void zero_with_polls(void* p, std::size_t bytes) {
  constexpr std::size_t kPiece = kInterruptPollElements * sizeof(double);
  for (std::size_t done = 0; done < bytes; done += kPiece) {
    if (done > 0) throw_if_interrupted();
    std::memset(static_cast<char*>(p) + done, 0, std::min(kPiece, bytes - done));
  }
}

}  // namespace hinge
