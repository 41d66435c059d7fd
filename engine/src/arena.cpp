// Arena: bump allocation over doubling blocks (see arena.hpp).
#include "hinge/arena.hpp"

#include <algorithm>
#include <new>

namespace hinge {

namespace {
constexpr std::size_t kFirstBlock = std::size_t{64} << 10;  // 64 KiB
}  // namespace

void* Arena::alloc_in_next_block(std::size_t bytes, std::size_t align) {
  const std::size_t need = bytes == 0 ? align : (bytes + align - 1) & ~(align - 1);
  // A later block kept from before a rewind (every block starts kAlign-aligned).
  while (current_ + 1 < blocks_.size()) {
    ++current_;
    enter_block();
    if (need <= block_size_) {
      offset_ = need;
      return block_;
    }
  }
  std::size_t size = blocks_.empty() ? kFirstBlock : blocks_.back().size * 2;
  size = std::max(size, need);
  auto* raw = static_cast<std::byte*>(::operator new[](size, std::align_val_t{kAlign}));
  blocks_.push_back({std::unique_ptr<std::byte[], AlignedDelete>(raw), size});
  current_ = blocks_.size() - 1;
  offset_ = need;
  enter_block();
  return raw;
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
