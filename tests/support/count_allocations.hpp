// Every C++ heap allocation of the process, counted by replacing the global
// operator new: a replayed training step must make none (the engine's allocation
// test and the bench's per-step column). Include it in exactly one translation
// unit of a program: a replaced operator new is one per program. Allocations that
// bypass operator new (OpenBLAS's buffers come from malloc) are not counted.
#pragma once
#include <atomic>
#include <cstdlib>
#include <new>

namespace hinge::test {
inline std::atomic<long> g_allocations{0};

// Allocations made by operator new since the program started.
inline long allocations() { return g_allocations.load(std::memory_order_relaxed); }
}  // namespace hinge::test

// (GCC sees malloc/free behind operator new/delete once they are inlined and warns
// of a mismatch that is not one: both ends are these replacements.)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) {
  hinge::test::g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop
