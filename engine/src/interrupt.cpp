// The stop-request flag the engine polls (set by the program's signal handler).
#include "hinge/interrupt.hpp"

#include <atomic>

namespace hinge {

namespace {
std::atomic<const volatile std::sig_atomic_t*> g_flag{nullptr};
}

void set_interrupt_flag(const volatile std::sig_atomic_t* flag) noexcept { g_flag.store(flag); }

bool interrupt_pending() noexcept {
  const volatile std::sig_atomic_t* f = g_flag.load(std::memory_order_relaxed);
  return f != nullptr && *f != 0;
}

}  // namespace hinge
