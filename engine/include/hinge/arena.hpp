// Arena: a bump allocator over blocks that double in size. Tensor buffers are
// never freed one at a time; a graph rewinds to a mark or clears in one go.
#pragma once
#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

namespace hinge {

// Note [Arena fast path]
// Every node that is not one plain number allocates from the arena when it is
// built (its details, Note [Node size], and its value), so an allocation that
// fits the block being filled is inline: an add and a compare. Sizes are
// rounded up to the alignment asked for, so a 64-byte buffer ends on a cache
// line and a vector kernel may write its last full line without touching the
// next allocation; moving to the next block (or making one) is out of line.
class Arena {
 public:
  static constexpr std::size_t kAlign = 64;  // a cache line; also enough for AVX-512

  struct Mark {
    std::size_t block = 0;   // index of the block in use
    std::size_t offset = 0;  // bytes used in that block
  };

  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  Arena(Arena&& o) noexcept { *this = std::move(o); }
  Arena& operator=(Arena&& o) noexcept {
    blocks_ = std::move(o.blocks_);
    current_ = std::exchange(o.current_, 0);
    offset_ = std::exchange(o.offset_, 0);
    block_ = std::exchange(o.block_, nullptr);
    block_size_ = std::exchange(o.block_size_, 0);
    reserved_ = std::exchange(o.reserved_, 0);
    o.blocks_.clear();
    return *this;
  }

  // `bytes` of storage aligned to `align` (a power of two, at most kAlign), its
  // size rounded up to a multiple of `align`; never null, distinct even for 0 bytes.
  void* alloc(std::size_t bytes, std::size_t align = kAlign) {
    const std::size_t start = (offset_ + align - 1) & ~(align - 1);
    const std::size_t end = start + (bytes == 0 ? align : (bytes + align - 1) & ~(align - 1));
    if (end <= block_size_) [[likely]] {
      offset_ = end;
      return block_ + start;
    }
    return alloc_in_next_block(bytes, align);
  }

  Mark mark() const { return {current_, offset_}; }
  // Frees everything allocated after `m`; keeps the blocks for reuse.
  void rewind(Mark m) {
    current_ = m.block;
    offset_ = m.offset;
    enter_block();
  }
  void clear() { rewind({}); }

  // On an empty arena: one block of `bytes` now (or std::bad_alloc), so that
  // allocations adding up to `bytes`, each counted as its size rounded up to kAlign
  // plus kAlign, make no other block. What needs all its room before it starts
  // (Graph::compact) asks for it here.
  void reserve(std::size_t bytes);

  std::size_t bytes_reserved() const { return reserved_; }  // sum of block sizes
  std::size_t bytes_used() const;                           // up to the current position

 private:
  struct AlignedDelete {
    void operator()(std::byte* p) const;
  };
  struct Block {
    std::unique_ptr<std::byte[], AlignedDelete> data;
    std::size_t size;
  };
  // alloc() when the block being filled has no room: a later block kept from
  // before a rewind, or a new one.
  void* alloc_in_next_block(std::size_t bytes, std::size_t align);
  // Points block_ and block_size_ at block current_ (none: null and 0).
  void enter_block() {
    const bool in = current_ < blocks_.size();
    block_ = in ? blocks_[current_].data.get() : nullptr;
    block_size_ = in ? blocks_[current_].size : 0;
  }

  std::vector<Block> blocks_;
  std::size_t current_ = 0;     // block being filled
  std::size_t offset_ = 0;      // next free byte in it
  std::byte* block_ = nullptr;  // blocks_[current_].data, or null past the last block
  std::size_t block_size_ = 0;  // blocks_[current_].size, or 0
  std::size_t reserved_ = 0;    // the sum of blocks_[k].size
};

}  // namespace hinge
