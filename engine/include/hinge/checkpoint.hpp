// Checkpoints: named tensors saved to and loaded from a versioned, checksummed
// binary file, written atomically.
//   save_checkpoint("model.ckpt", {{"w1", w1}, {"b1", b1}});
//   restore_checkpoint("model.ckpt", {{"w1", w1}, {"b1", b1}});  // values back into the leaves
#pragma once
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hinge/atomic_file.hpp"
#include "hinge/tensor.hpp"

namespace hinge {

// Note [Checkpoint format], version 1. All integers little-endian, no padding.
//
//   offset  size        field
//   0       8           magic, the ASCII bytes "HINGECKP"
//   8       4           u32 format version (1)
//   12      4           u32 count: number of entries
//   16      ...         `count` entries, each:
//             4           u32 name length L (bytes)
//             L           name, UTF-8, no terminator; names are unique in a file
//             1           u8 dtype: 0 = float32, 1 = float64
//             1           u8 rank R, 0..4
//             8 R         R x i64 dims, each 0..2^31-1, outermost first
//             numel x s   values, row-major, IEEE 754 little-endian (s = 4 or 8);
//                         numel = product of dims (1 for rank 0)
//   end-4   4           u32 CRC-32 (IEEE 802.3: reflected polynomial 0xEDB88320,
//                       initial value and final xor 0xFFFFFFFF; zlib's crc32) of
//                       every byte before it
//
// Writing goes to a temporary file beside the target, which is fsynced and then
// renamed over it (and the directory fsynced), so a crash at any moment leaves
// either the old file or the new one. Loading reads the whole file and checks
// magic, version, every size against the file length, and the checksum before
// returning anything; a problem throws IoError naming the file:
//   "model.ckpt: No such file or directory"
//   "model.ckpt: not a hinge checkpoint (bad magic)"
//   "model.ckpt: format version 7 is newer than this hinge (1)"
//   "model.ckpt: truncated (expected 120 bytes, found 100)"   ("at least" when the
//                                                              cut hides later sizes)
//   "model.ckpt: checksum mismatch (the file is corrupt)"
inline constexpr uint32_t kCheckpointVersion = 1;
// The first bytes of every checkpoint.
inline constexpr std::string_view kCheckpointMagic = "HINGECKP";

// True when the file at `path` starts with kCheckpointMagic: how a caller that
// takes either a script or a checkpoint (the REPL's `:load`) tells them apart.
// False when it does not or cannot be read (reading it again says why). Reads only
// the magic's bytes and never waits on a FIFO without a writer.
bool is_checkpoint_file(const std::string& path);

// One saved tensor, its values as raw bytes exactly as stored (native order).
struct CheckpointEntry {
  std::string name;
  DType dtype = DType::f64;
  Shape shape;
  std::vector<unsigned char> data;  // numel * dtype_size(dtype) bytes

  int64_t numel() const { return shape.numel(); }
  // The values converted to double (exact for both dtypes).
  std::vector<double> values() const;
  // Value bits of a tensor (any node: leaf or computed).
  static CheckpointEntry of(std::string name, Tensor t);
};

using NamedTensor = std::pair<std::string, Tensor>;

// Writes the tensors' current values to `path` atomically. Names must be unique
// (DomainError otherwise); IoError ("PATH: reason") when the file cannot be written,
// in which case any previous file at `path` is untouched.
WriteReport save_checkpoint(const std::string& path, std::span<const NamedTensor> tensors);
WriteReport save_checkpoint(const std::string& path, std::span<const CheckpointEntry> entries);
inline WriteReport save_checkpoint(const std::string& path, std::initializer_list<NamedTensor> tensors) {
  return save_checkpoint(path, std::span<const NamedTensor>(tensors.begin(), tensors.size()));
}

// Every entry of the file, in the saved order, after full validation.
std::vector<CheckpointEntry> load_checkpoint(const std::string& path);

// Loads `path` and copies the entry of each name into its tensor (a leaf),
// converting dtype if they differ. All-or-nothing: nothing is written unless every
// name exists in the file with the tensor's shape; otherwise IoError, e.g.
// "model.ckpt: no tensor named 'w3' (the file holds w1, b1)" or
// "model.ckpt: 'w1' has shape [1, 16] in the file but [1, 32] here".
void restore_checkpoint(const std::string& path, std::span<const NamedTensor> tensors);
inline void restore_checkpoint(const std::string& path, std::initializer_list<NamedTensor> tensors) {
  restore_checkpoint(path, std::span<const NamedTensor>(tensors.begin(), tensors.size()));
}

// The file format in memory: what save writes and load reads. `what` names the
// source in error messages (the path).
std::string encode_checkpoint(std::span<const CheckpointEntry> entries);
std::vector<CheckpointEntry> decode_checkpoint(std::string_view bytes, std::string_view what);

// CRC-32 (IEEE, as zlib's crc32) of `bytes`.
uint32_t crc32(std::string_view bytes);

}  // namespace hinge
