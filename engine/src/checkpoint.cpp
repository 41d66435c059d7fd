// Checkpoint encoding, validation and decoding (Note [Checkpoint format]), and the
// atomic save / checked load around them.
#include "hinge/checkpoint.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <bit>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <unordered_set>

#include <fmt/format.h>

#include "hinge/atomic_file.hpp"
#include "hinge/errors.hpp"
#include "hinge/interrupt.hpp"

namespace hinge {

namespace {

constexpr std::size_t kHeaderBytes = 16;  // magic, version, count
constexpr std::size_t kCrcBytes = 4;
constexpr std::size_t kMaxFileBytes = std::size_t{1} << 36;

constexpr std::array<uint32_t, 256> make_crc_table() {
  std::array<uint32_t, 256> t{};
  for (uint32_t n = 0; n < 256; ++n) {
    uint32_t c = n;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[n] = c;
  }
  return t;
}
constexpr auto kCrcTable = make_crc_table();

// ---- little-endian writing and reading ----

template <class U>
void put(std::string& out, U v) {
  for (std::size_t k = 0; k < sizeof(U); ++k)
    out.push_back(static_cast<char>((static_cast<uint64_t>(v) >> (8 * k)) & 0xFF));
}

template <class U>
U get(std::string_view in, std::size_t at) {
  uint64_t v = 0;
  for (std::size_t k = 0; k < sizeof(U); ++k)
    v |= uint64_t{static_cast<unsigned char>(in[at + k])} << (8 * k);
  return static_cast<U>(v);
}

// Copies element bytes between native and little-endian order (the same on LE hosts).
void copy_elements(unsigned char* dst, const unsigned char* src, std::size_t bytes, std::size_t elem) {
  if (bytes == 0) return;  // an empty tensor's data() may be null
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(dst, src, bytes);
  } else {
    for (std::size_t i = 0; i < bytes; i += elem)
      for (std::size_t k = 0; k < elem; ++k) dst[i + k] = src[i + elem - 1 - k];
  }
}

// The first name that an earlier entry already has, if any. A set, not a pair of
// loops: a file of 200,000 one-number entries (3.6 MB) was 2 x 10^10 comparisons.
std::optional<std::string> repeated_name(std::span<const CheckpointEntry> entries) {
  std::unordered_set<std::string_view> seen;
  for (const CheckpointEntry& e : entries)
    if (!seen.insert(e.name).second) return e.name;
  return std::nullopt;
}

void check_unique(std::span<const CheckpointEntry> entries) {
  if (const auto name = repeated_name(entries))
    throw DomainError(fmt::format("checkpoint: the name '{}' is used twice", *name));
}

}  // namespace

// In pieces of 64 MiB with a poll between them: a file of gigabytes is seconds.
uint32_t crc32(std::string_view bytes) {
  constexpr std::size_t kPiece = std::size_t{64} << 20;
  uint32_t c = 0xFFFFFFFFu;
  for (std::size_t at = 0; at < bytes.size(); at += kPiece) {
    if (at > 0) throw_if_interrupted();
    for (char ch : bytes.substr(at, kPiece))
      c = kCrcTable[(c ^ static_cast<unsigned char>(ch)) & 0xFF] ^ (c >> 8);
  }
  return c ^ 0xFFFFFFFFu;
}

// ---- entries ----

std::vector<double> CheckpointEntry::values() const {
  std::vector<double> out(static_cast<std::size_t>(numel()));
  for (std::size_t k = 0; k < out.size(); ++k) {
    if (dtype == DType::f32) {
      float x;
      std::memcpy(&x, data.data() + 4 * k, 4);
      out[k] = x;
    } else {
      std::memcpy(&out[k], data.data() + 8 * k, 8);
    }
  }
  return out;
}

CheckpointEntry CheckpointEntry::of(std::string name, Tensor t) {
  if (!t.valid()) throw DomainError(fmt::format("checkpoint: '{}' is not a tensor", name));
  const Node& n = t.node();
  const auto* p = static_cast<const unsigned char*>(n.val);
  return {std::move(name), n.dtype, n.shape(),
          std::vector<unsigned char>(p, p + static_cast<std::size_t>(n.numel()) * dtype_size(n.dtype))};
}

// ---- encoding ----

std::string encode_checkpoint(std::span<const CheckpointEntry> entries) {
  check_unique(entries);
  std::string out(kCheckpointMagic);
  put<uint32_t>(out, kCheckpointVersion);
  put<uint32_t>(out, static_cast<uint32_t>(entries.size()));
  for (const CheckpointEntry& e : entries) {
    const std::size_t elem = dtype_size(e.dtype);
    if (e.data.size() != static_cast<std::size_t>(e.numel()) * elem)
      throw DomainError(fmt::format("checkpoint: '{}' holds {} bytes for shape {} of {}", e.name,
                                    e.data.size(), to_string(e.shape), dtype_name(e.dtype)));
    put<uint32_t>(out, static_cast<uint32_t>(e.name.size()));
    out += e.name;
    put<uint8_t>(out, e.dtype == DType::f32 ? 0 : 1);
    put<uint8_t>(out, static_cast<uint8_t>(e.shape.rank));
    for (int i = 0; i < e.shape.rank; ++i) put<uint64_t>(out, static_cast<uint64_t>(e.shape[i]));
    const std::size_t at = out.size();
    out.resize(at + e.data.size());
    copy_elements(reinterpret_cast<unsigned char*>(out.data() + at), e.data.data(), e.data.size(), elem);
  }
  put<uint32_t>(out, crc32(out));
  return out;
}

// ---- decoding: Note [Checkpoint format] ----

std::vector<CheckpointEntry> decode_checkpoint(std::string_view in, std::string_view what) {
  auto fail = [&](const std::string& msg) -> IoError { return IoError(fmt::format("{}: {}", what, msg)); };
  const std::size_t size = in.size();
  constexpr std::size_t kMinBytes = kHeaderBytes + kCrcBytes;

  if (in.substr(0, kCheckpointMagic.size()) !=
      kCheckpointMagic.substr(0, std::min(size, kCheckpointMagic.size())))
    throw fail("not a hinge checkpoint (bad magic)");
  if (size < 12) throw fail(fmt::format("truncated (expected at least {} bytes, found {})", kMinBytes, size));
  const uint32_t version = get<uint32_t>(in, 8);
  if (version > kCheckpointVersion)
    throw fail(fmt::format("format version {} is newer than this hinge ({})", version, kCheckpointVersion));
  if (version == 0) throw fail("unknown format version 0");
  if (size < kMinBytes)
    throw fail(fmt::format("truncated (expected at least {} bytes, found {})", kMinBytes, size));

  const uint32_t count = get<uint32_t>(in, 12);
  const std::size_t body_end = size - kCrcBytes;
  std::size_t off = kHeaderBytes;
  std::optional<std::string> problem;  // a structural error, reported if the checksum is fine
  std::vector<CheckpointEntry> out;
  out.reserve(std::min<std::size_t>(count, size / 6));

  // Throws "truncated" unless `n` more bytes fit before the checksum; `exact` when
  // nothing after them has an unknown size.
  auto need = [&](std::size_t n, bool exact) {
    if (n <= body_end - off) return;
    const std::size_t expected = off + n + kCrcBytes;  // n is bounded by 2^36 * 8, no overflow
    throw fail(
        fmt::format("truncated (expected {}{} bytes, found {})", exact ? "" : "at least ", expected, size));
  };

  for (uint32_t e = 0; e < count && !problem; ++e) {
    if (e % 4096 == 4095) throw_if_interrupted();
    const bool last = e + 1 == count;
    need(4, false);
    const uint32_t len = get<uint32_t>(in, off);
    off += 4;
    need(std::size_t{len} + 2, false);
    CheckpointEntry entry;
    entry.name.assign(in.substr(off, len));
    off += len;
    const uint8_t dt = get<uint8_t>(in, off);
    const uint8_t rank = get<uint8_t>(in, off + 1);
    off += 2;
    if (dt > 1) {
      problem = fmt::format("entry '{}' has unknown dtype code {}", entry.name, dt);
      break;
    }
    if (rank > kMaxRank) {
      problem = fmt::format("entry '{}' has rank {} (at most {})", entry.name, rank, kMaxRank);
      break;
    }
    entry.dtype = dt == 0 ? DType::f32 : DType::f64;
    entry.shape.rank = rank;
    need(8 * std::size_t{rank}, false);
    uint64_t numel = 1;
    for (int i = 0; i < rank; ++i) {
      const auto d = get<int64_t>(in, off);
      off += 8;
      if (d < 0 || d > INT32_MAX) {
        problem = fmt::format("entry '{}' has dimension {}", entry.name, d);
        break;
      }
      entry.shape.dims[i] = static_cast<int32_t>(d);
      // Bounded by the file size, so a corrupt shape cannot overflow or allocate much.
      const auto ud = static_cast<uint64_t>(d);
      numel = ud != 0 && numel > kMaxFileBytes / ud ? kMaxFileBytes + 1 : numel * ud;
    }
    if (problem) break;
    const std::size_t elem = dtype_size(entry.dtype);
    const uint64_t bytes = numel > kMaxFileBytes ? kMaxFileBytes * 8 : numel * elem;
    need(static_cast<std::size_t>(bytes), last);
    entry.data.resize(static_cast<std::size_t>(bytes));
    copy_elements(entry.data.data(), reinterpret_cast<const unsigned char*>(in.data() + off),
                  entry.data.size(), elem);
    off += entry.data.size();
    out.push_back(std::move(entry));
  }
  if (!problem)
    if (const auto name = repeated_name(out)) problem = fmt::format("the name '{}' appears twice", *name);

  if (crc32(in.substr(0, body_end)) != get<uint32_t>(in, body_end))
    throw fail("checksum mismatch (the file is corrupt)");
  if (problem) throw fail(fmt::format("corrupt ({})", *problem));
  if (off != body_end)
    throw fail(fmt::format("corrupt ({} unexpected bytes after the last entry)", body_end - off));
  return out;
}

// ---- files ----

WriteReport save_checkpoint(const std::string& path, std::span<const CheckpointEntry> entries) {
  return write_file_atomic(path, encode_checkpoint(entries));
}

WriteReport save_checkpoint(const std::string& path, std::span<const NamedTensor> tensors) {
  std::vector<CheckpointEntry> entries;
  entries.reserve(tensors.size());
  for (const auto& [name, t] : tensors) entries.push_back(CheckpointEntry::of(name, t));
  return save_checkpoint(path, entries);
}

std::vector<CheckpointEntry> load_checkpoint(const std::string& path) {
  return decode_checkpoint(read_file(path, kMaxFileBytes), path);
}

bool is_checkpoint_file(const std::string& path) {
  // O_NONBLOCK: opening a FIFO without a writer returns at once (and reads nothing).
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return false;
  std::string head(kCheckpointMagic.size(), '\0');
  std::size_t got = 0;
  while (got < head.size()) {
    const ssize_t n = ::read(fd, head.data() + got, head.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return got == head.size() && head == kCheckpointMagic;
}

void restore_checkpoint(const std::string& path, std::span<const NamedTensor> tensors) {
  const auto entries = load_checkpoint(path);
  std::vector<const CheckpointEntry*> found;
  for (const auto& [name, t] : tensors) {
    const CheckpointEntry* hit = nullptr;
    for (const CheckpointEntry& e : entries)
      if (e.name == name) hit = &e;
    if (!hit) {
      std::string names;
      for (const CheckpointEntry& e : entries) names += (names.empty() ? "" : ", ") + e.name;
      throw IoError(fmt::format("{}: no tensor named '{}' (the file holds {})", path, name,
                                names.empty() ? "nothing" : names));
    }
    if (!(hit->shape == t.shape()))
      throw IoError(fmt::format("{}: '{}' has shape {} in the file but {} here", path, name,
                                to_string(hit->shape), to_string(t.shape())));
    if (!t.node().is_leaf())
      throw DomainError(
          fmt::format("restore: '{}' is a computed value; only leaves can be loaded into", name));
    found.push_back(hit);
  }
  for (std::size_t k = 0; k < tensors.size(); ++k) {
    const Node& n = tensors[k].second.node();
    if (n.dtype == found[k]->dtype) {
      copy_elements(static_cast<unsigned char*>(n.val), found[k]->data.data(), found[k]->data.size(), 1);
      tensors[k].second.g->touch(tensors[k].second.id);  // Note [Live values]
    } else
      tensors[k].second.set_values(found[k]->values());
  }
}

}  // namespace hinge
