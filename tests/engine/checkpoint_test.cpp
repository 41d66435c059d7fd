// Checkpoints: bit-exact round trips, rejection of truncated, corrupt, foreign
// and newer files with messages that name the file, and atomic replacement.
#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include <fmt/format.h>

#include "hinge/engine.hpp"
#include "hinge/interrupt.hpp"
#include "temp_dir.hpp"

using namespace hinge;
namespace fs = std::filesystem;
using hinge::test::slurp;
using hinge::test::TempDir;

namespace {

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Tensors of both dtypes and every rank 0..4, with awkward values.
std::vector<NamedTensor> sample_tensors(Graph& g) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<NamedTensor> out;
  out.emplace_back("scalar64", g.param(1.0 / 3));
  out.emplace_back("scalar32", g.param({}, std::vector<double>{0.1}, DType::f32));
  out.emplace_back("vec", g.param(Shape{5}, std::vector<double>{-0.0, inf, -inf, nan, 4.9e-324}, DType::f64));
  out.emplace_back(
      "mat32", g.param(Shape{2, 3}, std::vector<double>{1e-45, 3.4e38, -1.5, 2, 1.0 / 3, -7}, DType::f32));
  std::vector<double> v24(24), v48(48);
  for (int k = 0; k < 24; ++k) v24[k] = std::sin(k) * 1e3;
  for (int k = 0; k < 48; ++k) v48[k] = std::exp(-k) - 0.5;
  out.emplace_back("rank3", g.param(Shape{2, 3, 4}, v24, DType::f64));
  out.emplace_back("rank4 with spaces/and ünïcode", g.param(Shape{2, 2, 3, 4}, v48, DType::f32));
  out.emplace_back("empty", g.param(Shape{0, 3}, std::vector<double>{}, DType::f64));
  return out;
}

bool same_bits(Tensor a, const CheckpointEntry& e) {
  const Node& n = a.node();
  return n.dtype == e.dtype && n.shape() == e.shape &&
         e.data.size() == static_cast<std::size_t>(n.numel()) * dtype_size(n.dtype) &&
         (e.data.empty() || std::memcmp(n.val, e.data.data(), e.data.size()) == 0);
}

}  // namespace

TEST_CASE("crc32 is zlib's") {
  CHECK(crc32("123456789") == 0xCBF43926u);
  CHECK(crc32("") == 0u);
}

TEST_CASE("checkpoint round trip is bit-exact for f32 and f64, rank 0 to 4") {
  TempDir dir;
  Graph g;
  auto tensors = sample_tensors(g);
  const std::string path = dir.file("model.ckpt");
  save_checkpoint(path, tensors);
  auto entries = load_checkpoint(path);
  REQUIRE(entries.size() == tensors.size());
  for (std::size_t k = 0; k < tensors.size(); ++k) {
    INFO(tensors[k].first);
    CHECK(entries[k].name == tensors[k].first);
    CHECK(same_bits(tensors[k].second, entries[k]));
  }
  // Restoring into other leaves copies the same bits back.
  Graph h;
  auto fresh = sample_tensors(h);
  for (auto& [name, t] : fresh) {
    std::vector<double> zeros(static_cast<std::size_t>(t.numel()), 0.0);
    t.set_values(zeros);
  }
  restore_checkpoint(path, fresh);
  for (std::size_t k = 0; k < fresh.size(); ++k) CHECK(same_bits(fresh[k].second, entries[k]));
  CHECK(dir.listing() == std::vector<std::string>{"model.ckpt"});  // no temp files left behind
}

TEST_CASE("the file layout is the documented one") {
  Graph g;
  auto w = g.param(Shape{2}, std::vector<double>{1.0, -2.0}, DType::f32);
  const std::string bytes = encode_checkpoint(std::vector<CheckpointEntry>{CheckpointEntry::of("w", w)});
  // magic 8 + version 4 + count 4 + (len 4 + "w" 1 + dtype 1 + rank 1 + dim 8 + data 8) + crc 4
  REQUIRE(bytes.size() == 8 + 4 + 4 + 4 + 1 + 1 + 1 + 8 + 8 + 4);
  CHECK(bytes.substr(0, 8) == "HINGECKP");
  CHECK(bytes.substr(8, 4) == std::string("\x01\x00\x00\x00", 4));   // version 1
  CHECK(bytes.substr(12, 4) == std::string("\x01\x00\x00\x00", 4));  // one entry
  CHECK(bytes.substr(16, 4) == std::string("\x01\x00\x00\x00", 4));  // name length 1
  CHECK(bytes.substr(20, 1) == "w");
  CHECK(bytes[21] == 0);  // float32
  CHECK(bytes[22] == 1);  // rank 1
  CHECK(bytes.substr(23, 8) == std::string("\x02\0\0\0\0\0\0\0", 8));
  CHECK(bytes.substr(31, 8) == std::string("\x00\x00\x80\x3f\x00\x00\x00\xc0", 8));  // 1.0f, -2.0f
  const uint32_t crc = crc32(std::string_view(bytes).substr(0, 39));
  CHECK(bytes.substr(39) == std::string{static_cast<char>(crc & 0xFF), static_cast<char>((crc >> 8) & 0xFF),
                                        static_cast<char>((crc >> 16) & 0xFF), static_cast<char>(crc >> 24)});
}

TEST_CASE("is_checkpoint_file reads the magic only: a checkpoint, not a script, a short file or a FIFO") {
  TempDir dir;
  Graph g;
  const std::string ckpt = dir.file("model.ckpt");
  save_checkpoint(ckpt, {{"w", g.param(2.0)}});
  CHECK(is_checkpoint_file(ckpt));
  // A checkpoint cut after its magic is still one (loading it says what is wrong).
  write_bytes(ckpt, slurp(ckpt).substr(0, kCheckpointMagic.size()));
  CHECK(is_checkpoint_file(ckpt));
  write_bytes(ckpt, std::string(kCheckpointMagic.substr(0, 5)));
  CHECK_FALSE(is_checkpoint_file(ckpt));
  const std::string script = dir.file("fit.ckpt");
  write_bytes(script, "param w = 1\nprint w\n");
  CHECK_FALSE(is_checkpoint_file(script));
  CHECK_FALSE(is_checkpoint_file(dir.file("missing.ckpt")));
  CHECK_FALSE(is_checkpoint_file(dir.path.string()));
  // A FIFO without a writer: false at once, never a wait.
  const std::string fifo = dir.file("pipe");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_FALSE(is_checkpoint_file(fifo));
}

TEST_CASE("a missing file, a foreign file and a newer version are named clearly") {
  TempDir dir;
  const std::string path = dir.file("model.ckpt");
  CHECK_THROWS_MATCHES(load_checkpoint(path), IoError, Catch::Message(path + ": No such file or directory"));
  write_bytes(path, "P3\n2 2\n255\n0 0 0 0 0 0 0 0 0 0 0 0\n");
  CHECK_THROWS_MATCHES(load_checkpoint(path), IoError,
                       Catch::Message(path + ": not a hinge checkpoint (bad magic)"));

  Graph g;
  save_checkpoint(path, {{"w", g.param(2.0)}});
  std::string bytes = slurp(path);
  bytes[8] = 7;
  write_bytes(path, bytes);
  CHECK_THROWS_MATCHES(load_checkpoint(path), IoError,
                       Catch::Message(path + ": format version 7 is newer than this hinge (1)"));
}

TEST_CASE("a truncated file is rejected at every length") {
  TempDir dir;
  Graph g;
  const std::string path = dir.file("model.ckpt");
  save_checkpoint(path, sample_tensors(g));
  const std::string full = slurp(path);
  for (std::size_t n = 0; n < full.size(); ++n) {
    INFO("cut to " << n << " of " << full.size() << " bytes");
    CHECK_THROWS_AS(decode_checkpoint(std::string_view(full).substr(0, n), "model.ckpt"), IoError);
  }
  // Exact messages: a cut inside the last entry's values knows the full size
  // (16 header + 4 + 1 name + 2 + 8 dims + 8000 values + 4 checksum = 8035)...
  save_checkpoint(path, {{"w", g.param(Shape{1000}, std::vector<double>(1000, 0.5))}});
  write_bytes(path, slurp(path).substr(0, 8025));
  CHECK_THROWS_MATCHES(load_checkpoint(path), IoError,
                       Catch::Message(path + ": truncated (expected 8035 bytes, found 8025)"));
  // ...a cut before later sizes are known gives a lower bound: here the first
  // entry's name ends at byte 28 and its dtype and rank bytes are missing.
  CHECK_THROWS_MATCHES(decode_checkpoint(std::string_view(full).substr(0, 30), "model.ckpt"), IoError,
                       Catch::Message("model.ckpt: truncated (expected at least 34 bytes, found 30)"));
  CHECK_THROWS_MATCHES(decode_checkpoint("", "model.ckpt"), IoError,
                       Catch::Message("model.ckpt: truncated (expected at least 20 bytes, found 0)"));
}

TEST_CASE("a bit flipped anywhere is rejected") {
  Graph g;
  auto tensors = sample_tensors(g);
  std::vector<CheckpointEntry> entries;
  for (auto& [name, t] : tensors) entries.push_back(CheckpointEntry::of(name, t));
  const std::string good = encode_checkpoint(entries);
  REQUIRE_NOTHROW(decode_checkpoint(good, "m.ckpt"));
  for (std::size_t i = 0; i < good.size(); ++i)
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = good;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      INFO("byte " << i << " bit " << bit);
      CHECK_THROWS_AS(decode_checkpoint(bad, "m.ckpt"), IoError);
    }
  // A flipped value bit is a checksum failure.
  std::string bad = good;
  bad[good.size() - 6] ^= 1;
  CHECK_THROWS_MATCHES(decode_checkpoint(bad, "m.ckpt"), IoError,
                       Catch::Message("m.ckpt: checksum mismatch (the file is corrupt)"));
}

TEST_CASE("a failed save leaves the previous file intact and no temp file behind") {
  TempDir dir;
  Graph g;
  const std::string path = dir.file("model.ckpt");
  save_checkpoint(path, {{"w", g.param(1.5)}});
  const std::string before = slurp(path);

  std::vector<double> big(4096, 0.25);
  auto w = g.param(Shape{4096}, big);

  SECTION("the disk fills up mid-write (file size limit)") {
    // RLIMIT_FSIZE works even as root: the write fails with EFBIG part way.
    rlimit old{};
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &old) == 0);
    auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit small = old;
    small.rlim_cur = 1000;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
    CHECK_THROWS_AS(save_checkpoint(path, {{"w", w}}), IoError);
    ::setrlimit(RLIMIT_FSIZE, &old);
    std::signal(SIGXFSZ, old_handler);
  }
  SECTION("the directory cannot be written in") {
    // A path under a regular file: no one can create a file there, root included
    // (directory permissions would not stop root).
    CHECK_THROWS_AS(save_checkpoint(path + "/inner.ckpt", {{"w", w}}), IoError);
  }
  CHECK(slurp(path) == before);
  CHECK(dir.listing() == std::vector<std::string>{"model.ckpt"});
  CHECK(load_checkpoint(path)[0].values() == std::vector<double>{1.5});
}

TEST_CASE("restore checks names and shapes before writing anything") {
  TempDir dir;
  Graph g;
  const std::string path = dir.file("model.ckpt");
  auto w1 = g.param(Shape{1, 2}, std::vector<double>{1, 2});
  auto b1 = g.param(Shape{2}, std::vector<double>{3, 4}, DType::f32);
  save_checkpoint(path, {{"w1", w1}, {"b1", b1}});

  auto a = g.param(Shape{1, 2}, std::vector<double>{0, 0});
  auto b = g.param(Shape{3}, std::vector<double>{0, 0, 0});
  auto c = g.param(Shape{2}, std::vector<double>{0, 0});
  CHECK_THROWS_MATCHES(restore_checkpoint(path, {{"w1", a}, {"w3", c}}), IoError,
                       Catch::Message(path + ": no tensor named 'w3' (the file holds w1, b1)"));
  CHECK_THROWS_MATCHES(restore_checkpoint(path, {{"w1", a}, {"b1", b}}), IoError,
                       Catch::Message(path + ": 'b1' has shape [2] in the file but [3] here"));
  CHECK(a.values() == std::vector<double>{0, 0});    // all or nothing
  restore_checkpoint(path, {{"w1", a}, {"b1", c}});  // f32 in the file, f64 here: converted
  CHECK(a.values() == std::vector<double>{1, 2});
  CHECK(c.values() == std::vector<double>{3, 4});
  CHECK_THROWS_MATCHES(save_checkpoint(path, {{"w", a}, {"w", c}}), DomainError,
                       Catch::Message("checkpoint: the name 'w' is used twice"));
}

TEST_CASE("a checkpoint of many small entries: a repeated name found at the end, and Ctrl-C heard") {
  // 20,000 one-number entries, the last repeating the first name: a file of 360 KB
  // that compared each name with all before it (200,000 took minutes, deaf to Ctrl-C).
  std::vector<CheckpointEntry> entries;
  for (int k = 0; k < 20000; ++k) {
    CheckpointEntry e;
    e.name = fmt::format("a{:05}", k);
    e.dtype = DType::f32;
    e.data.assign(4, 0);
    entries.push_back(std::move(e));
  }
  std::string bytes = encode_checkpoint(entries);
  CHECK(decode_checkpoint(bytes, "m.ckpt").size() == 20000);
  // Saving refuses a repeated name; a file that holds one is corrupt. The last
  // name becomes the first's, and the checksum is made again.
  entries.push_back(entries.front());
  CHECK_THROWS_MATCHES(encode_checkpoint(entries), DomainError,
                       Catch::Message("checkpoint: the name 'a00000' is used twice"));
  std::string repeated = bytes;
  repeated.replace(repeated.rfind("a19999"), 6, "a00000");
  const uint32_t crc = crc32(std::string_view(repeated).substr(0, repeated.size() - 4));
  for (int k = 0; k < 4; ++k)  // little-endian, as the format
    repeated[repeated.size() - 4 + k] = static_cast<char>((crc >> (8 * k)) & 0xFF);
  CHECK_THROWS_MATCHES(decode_checkpoint(repeated, "m.ckpt"), IoError,
                       Catch::Message("m.ckpt: corrupt (the name 'a00000' appears twice)"));
  // The entries are read with polls between them: a stop is heard.
  volatile std::sig_atomic_t flag = 1;
  set_interrupt_flag(&flag);
  CHECK_THROWS_AS(decode_checkpoint(bytes, "m.ckpt"), Interrupted);
  set_interrupt_flag(nullptr);
}
