// Crash safety: a process killed with SIGKILL in the middle of a checkpoint save
// leaves the previous file loadable and intact (never a torn or mixed file).
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "hinge/engine.hpp"

using namespace hinge;
namespace fs = std::filesystem;

namespace {

// A fresh directory under the system temp dir, removed at the end of the test.
struct ScratchDir {
  fs::path path;
  explicit ScratchDir(const std::string& tag) {
    path = fs::temp_directory_path() / fmt::format("hinge_crash_{}_{}", tag, ::getpid());
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
  std::vector<std::string> listing() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(path)) out.push_back(e.path().filename().string());
    return out;
  }
};

// Generation `gen` of the file: a scalar "gen" and a large "w" whose every element
// equals gen, so a file mixing two generations (or a torn write) is detectable.
std::vector<CheckpointEntry> generation(double gen, int64_t n) {
  std::vector<CheckpointEntry> out(2);
  out[0].name = "gen";
  out[0].dtype = DType::f64;
  out[0].data.resize(sizeof(double));
  std::memcpy(out[0].data.data(), &gen, sizeof gen);
  out[1].name = "w";
  out[1].dtype = DType::f64;
  out[1].shape = Shape{n};
  std::vector<double> values(static_cast<std::size_t>(n), gen);
  out[1].data.resize(values.size() * sizeof(double));
  std::memcpy(out[1].data.data(), values.data(), out[1].data.size());
  return out;
}

// Loads the file and checks it is one whole generation; returns that generation.
double load_whole_generation(const std::string& path, int64_t n) {
  auto entries = load_checkpoint(path);  // throws on a torn or corrupt file
  REQUIRE(entries.size() == 2);
  REQUIRE(entries[0].name == "gen");
  REQUIRE(entries[1].name == "w");
  REQUIRE(entries[1].numel() == n);
  double gen = entries[0].values()[0];
  auto w = entries[1].values();
  for (double v : w) {
    if (v != gen) FAIL(fmt::format("generation {} holds a value {} of another generation", gen, v));
  }
  return gen;
}

// The child: saves generation start, start+1, ... forever (until killed). It only
// touches the engine's file code, never a Graph or BLAS, so forking is safe.
[[noreturn]] void save_forever(const std::string& path, double start, int64_t n) {
  for (double gen = start;; gen += 1) {
    try {
      save_checkpoint(path, generation(gen, n));
    } catch (...) {
      ::_exit(3);
    }
  }
}

}  // namespace

TEST_CASE("kill -9 during a checkpoint save leaves the previous file intact") {
  ScratchDir dir("ckpt");
  const std::string path = dir.file("model.ckpt");
  const int64_t n = 1 << 18;  // 2 MB of values: a write takes long enough to be hit
  save_checkpoint(path, generation(1, n));

  std::mt19937 rng(12345);
  double last_gen = 1;
  int killed_mid_write = 0;
  std::vector<std::string> allowed_leftovers;
  constexpr int kRounds = 16;
  for (int round = 0; round < kRounds; ++round) {
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) save_forever(path, last_gen + 1, n);
    const std::string tmp = fmt::format("{}.tmp.{}", path, static_cast<long>(child));
    allowed_leftovers.push_back(fs::path(tmp).filename().string());

    if (round % 2 == 0) {
      // Wait for the child's temp file to appear, then kill it: certainly mid-write.
      struct stat st {};
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (::stat(tmp.c_str(), &st) != 0 && std::chrono::steady_clock::now() < deadline) {
      }
      ::kill(child, SIGKILL);
      ++killed_mid_write;
    } else {
      // A random moment: before, during or between saves.
      std::uniform_int_distribution<int> us(0, 60'000);
      std::this_thread::sleep_for(std::chrono::microseconds(us(rng)));
      ::kill(child, SIGKILL);
    }
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(WIFSIGNALED(status));  // the child never stops on its own
    REQUIRE(WTERMSIG(status) == SIGKILL);

    double gen = 0;
    REQUIRE_NOTHROW(gen = load_whole_generation(path, n));
    CHECK(gen >= last_gen);  // either the old file or a newer whole one
    last_gen = gen;
  }
  CHECK(killed_mid_write == kRounds / 2);

  // Documented leftovers: each killed writer may leave its own temp file
  // ("model.ckpt.tmp.<pid>"); nothing else appears in the directory.
  for (const auto& name : dir.listing()) {
    if (name == "model.ckpt") continue;
    CHECK(std::find(allowed_leftovers.begin(), allowed_leftovers.end(), name) != allowed_leftovers.end());
  }

  // A later save still works over the leftovers and replaces the file.
  save_checkpoint(path, generation(last_gen + 1, n));
  CHECK(load_whole_generation(path, n) == last_gen + 1);
}
