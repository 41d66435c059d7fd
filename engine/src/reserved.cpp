// ReservedRange: reserving addresses, and making them usable 2 MB at a time
// (Note [Node storage] in graph.cpp says why).
#include "hinge/reserved.hpp"

#include <sys/mman.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdint>
#include <new>

namespace hinge::detail {

namespace {

std::size_t round_up(std::size_t bytes, std::size_t step) { return (bytes + step - 1) / step * step; }

// `bytes` of inaccessible addresses aligned to kStep, or null. Reserved addresses
// take no memory and no commit charge until grow() makes them writable.
std::byte* reserve_aligned(std::size_t bytes) {
  constexpr std::size_t kStep = ReservedRange::kStep;
  void* p = mmap(nullptr, bytes + kStep, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  const auto start = reinterpret_cast<std::uintptr_t>(p);
  const std::uintptr_t aligned = (start + kStep - 1) & ~(kStep - 1);
  if (aligned > start) munmap(p, aligned - start);
  munmap(reinterpret_cast<void*>(aligned + bytes), start + kStep - aligned);
  return reinterpret_cast<std::byte*>(aligned);
}

}  // namespace

void ReservedRange::reserve(std::size_t bytes) {
  // A limit on the address space (ulimit -v) is shared with everything else the
  // process maps (OpenBLAS's buffers, the run's stack, the arena): a range takes
  // at most a sixteenth of it.
  rlimit lim{};
  if (::getrlimit(RLIMIT_AS, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY)
    bytes = std::min<std::size_t>(bytes, lim.rlim_cur / 16);
  bytes = round_up(std::max(bytes, kStep), kStep);
  for (;; bytes = round_up(bytes / 2, kStep)) {
    base_ = reserve_aligned(bytes);
    if (base_) break;
    if (bytes == kStep) throw std::bad_alloc();
  }
  size_ = bytes;
#ifdef MADV_HUGEPAGE
  madvise(base_, size_, MADV_HUGEPAGE);
#endif
}

bool ReservedRange::grow() {
  if (usable_ == size_) return false;
  std::byte* step = base_ + usable_;
  if (mprotect(step, kStep, PROT_READ | PROT_WRITE) != 0) throw std::bad_alloc();
#ifdef MADV_POPULATE_WRITE
  madvise(step, kStep, MADV_POPULATE_WRITE);
#endif
  usable_ += kStep;
  return true;
}

ReservedRange::~ReservedRange() {
  if (base_) munmap(base_, size_);
}

}  // namespace hinge::detail
