// Arena: bump allocation over doubling blocks (see arena.hpp).
#include "hinge/arena.hpp"

#include <algorithm>
#include <new>

namespace hinge {

namespace {
constexpr std::size_t kAlign = 64;
constexpr std::size_t kFirstBlock = std::size_t{64} << 10;  // 64 KiB
}  // namespace

void* Arena::alloc(std::size_t bytes) {
  bytes = (bytes + kAlign - 1) & ~(kAlign - 1);
  if (bytes == 0) bytes = kAlign;
  // Find room in the current block or a later one kept from before a rewind.
  while (current_ < blocks_.size()) {
    Block& b = blocks_[current_];
    if (offset_ + bytes <= b.size) {
      void* p = b.data.get() + offset_;
      offset_ += bytes;
      return p;
    }
    ++current_;
    offset_ = 0;
  }
  std::size_t size = blocks_.empty() ? kFirstBlock : blocks_.back().size * 2;
  size = std::max(size, bytes);
  auto* raw = static_cast<std::byte*>(::operator new[](size, std::align_val_t{kAlign}));
  blocks_.push_back({std::unique_ptr<std::byte[], AlignedDelete>(raw), size});
  current_ = blocks_.size() - 1;
  offset_ = bytes;
  return blocks_.back().data.get();
}

void Arena::AlignedDelete::operator()(std::byte* p) const {
  ::operator delete[](p, std::align_val_t{kAlign});
}

std::size_t Arena::bytes_reserved() const {
  std::size_t n = 0;
  for (const Block& b : blocks_) n += b.size;
  return n;
}

std::size_t Arena::bytes_used() const {
  std::size_t n = offset_;
  for (std::size_t i = 0; i < current_ && i < blocks_.size(); ++i) n += blocks_[i].size;
  return n;
}

}  // namespace hinge
