// Arena: a bump allocator over blocks that double in size. Tensor buffers are
// never freed one at a time; a graph rewinds to a mark or clears in one go.
#pragma once
#include <cstddef>
#include <memory>
#include <vector>

namespace hinge {

class Arena {
 public:
  struct Mark {
    std::size_t block = 0;   // index of the block in use
    std::size_t offset = 0;  // bytes used in that block
  };

  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  Arena(Arena&&) noexcept = default;
  Arena& operator=(Arena&&) noexcept = default;

  // `bytes` of storage aligned to 64 bytes (a cache line; also enough for AVX-512).
  void* alloc(std::size_t bytes);

  Mark mark() const { return {current_, offset_}; }
  // Frees everything allocated after `m`; keeps the blocks for reuse.
  void rewind(Mark m) {
    current_ = m.block;
    offset_ = m.offset;
  }
  void clear() { rewind({}); }

  std::size_t bytes_reserved() const;  // sum of block sizes
  std::size_t bytes_used() const;      // up to the current position

 private:
  struct AlignedDelete {
    void operator()(std::byte* p) const;
  };
  struct Block {
    std::unique_ptr<std::byte[], AlignedDelete> data;
    std::size_t size;
  };
  std::vector<Block> blocks_;
  std::size_t current_ = 0;  // block being filled
  std::size_t offset_ = 0;   // next free byte in it
};

}  // namespace hinge
