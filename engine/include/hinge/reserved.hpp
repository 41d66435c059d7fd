// ReservedRange: one range of virtual memory, reserved once and made usable from
// its start in 2 MB steps as it fills, so that what lives in it never moves
// (Note [Node storage] in graph.cpp).
#pragma once
#include <cstddef>

namespace hinge::detail {

class ReservedRange {
 public:
  static constexpr std::size_t kStep = std::size_t{2} << 20;  // one huge page

  ReservedRange() = default;
  ReservedRange(const ReservedRange&) = delete;
  ReservedRange& operator=(const ReservedRange&) = delete;
  ~ReservedRange();

  // Reserves up to `bytes` of addresses (rounded up to kStep), none of them usable
  // yet: fewer under a limit on the address space (at most a sixteenth of it) or
  // when the system refuses, down to one step. Throws std::bad_alloc when not even
  // one step can be had. Called once.
  void reserve(std::size_t bytes);
  bool reserved() const { return base_ != nullptr; }
  std::byte* data() const { return base_; }
  std::size_t size() const { return size_; }      // bytes reserved
  std::size_t usable() const { return usable_; }  // bytes [0, usable) can be written
  // Makes the next kStep bytes usable; false when the reservation is used up.
  // Throws std::bad_alloc when the system has no memory for them.
  bool grow();

 private:
  std::byte* base_ = nullptr;
  std::size_t size_ = 0;
  std::size_t usable_ = 0;
};

}  // namespace hinge::detail
