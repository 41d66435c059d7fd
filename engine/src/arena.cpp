// Arena: bump allocation over doubling blocks (see arena.hpp).
#include "hinge/arena.hpp"

#include <algorithm>
#include <new>
#include <stdexcept>

namespace hinge {

namespace {
constexpr std::size_t kFirstBlock = std::size_t{64} << 10;  // 64 KiB
// Blocks double up to this size; a larger block is the size asked for. Doubling on
// from a huge tensor's block asked for ever larger blocks: under a memory limit,
// after one allocation too large to succeed every later one failed, however small.
constexpr std::size_t kLargestDoubled = std::size_t{256} << 20;  // 256 MiB
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
  std::size_t size = blocks_.empty() ? kFirstBlock : std::min(blocks_.back().size * 2, kLargestDoubled);
  size = std::max(size, need);
  // Room to grow is welcome, not needed: short of memory, a block of `need` bytes.
  auto* raw = static_cast<std::byte*>(::operator new[](size, std::align_val_t{kAlign}, std::nothrow));
  if (!raw) {
    size = need;
    raw = static_cast<std::byte*>(::operator new[](size, std::align_val_t{kAlign}));
  }
  blocks_.push_back({std::unique_ptr<std::byte[], AlignedDelete>(raw), size});
  reserved_ += size;
  current_ = blocks_.size() - 1;
  offset_ = need;
  enter_block();
  return raw;
}

void Arena::reserve(std::size_t bytes) {
  if (!blocks_.empty()) throw std::logic_error("Arena::reserve on an arena in use");
  if (bytes == 0) return;
  alloc_in_next_block(bytes, kAlign);
  rewind({});
}

void Arena::AlignedDelete::operator()(std::byte* p) const {
  ::operator delete[](p, std::align_val_t{kAlign});
}

std::size_t Arena::bytes_used() const {
  std::size_t n = offset_;
  for (std::size_t i = 0; i < current_ && i < blocks_.size(); ++i) n += blocks_[i].size;
  return n;
}

}  // namespace hinge
