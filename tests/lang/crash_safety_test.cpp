// Crash safety, through real processes: SIGKILL in the middle of a checkpoint save
// leaves the previous file whole; SIGINT during `train` in a script exits 130 after
// the report so far and leaves no half-written file; a NaN stops a script clearly.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "hinge/engine.hpp"
#include "temp_dir.hpp"

using namespace hinge;
namespace fs = std::filesystem;
using hinge::test::slurp;
using hinge::test::TempDir;

namespace {

// Generation `gen` of the file: a scalar "gen" and a large "w" whose every element
// equals gen, so a file mixing two generations (or a torn write) is detectable.
std::vector<CheckpointEntry> generation(double gen, int64_t n) {
  std::vector<CheckpointEntry> out(2);
  out[0].name = std::string("gen");  // not = "...": GCC 12 -Wrestrict false positive
  out[0].dtype = DType::f64;
  const auto* gen_bytes = reinterpret_cast<const unsigned char*>(&gen);
  out[0].data.assign(gen_bytes, gen_bytes + sizeof gen);
  out[1].name = std::string("w");
  out[1].dtype = DType::f64;
  out[1].shape = Shape{n};
  for (int64_t k = 0; k < n; ++k) out[1].data.insert(out[1].data.end(), gen_bytes, gen_bytes + sizeof gen);
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

// A running `hinge SCRIPT` in `dir`, its stdout read through a pipe.
struct HingeProcess {
  pid_t pid = -1;
  int out_fd = -1;
  std::string out;

  HingeProcess(const fs::path& dir, const std::string& script) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(fds[0]);
      ::dup2(fds[1], 1);
      int err = ::open((dir / "stderr.txt").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(err, 2);
      if (::chdir(dir.c_str()) != 0) ::_exit(120);
      ::execl(HINGE_EXE, "hinge", script.c_str(), static_cast<char*>(nullptr));
      ::_exit(121);
    }
    ::close(fds[1]);
    out_fd = fds[0];
  }
  ~HingeProcess() {
    if (out_fd >= 0) ::close(out_fd);
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
  // Reads stdout until it holds `text` (true) or the process closes it (false).
  bool read_until(const std::string& text) {
    char buf[4096];
    while (out.find(text) == std::string::npos) {
      ssize_t n = ::read(out_fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      out.append(buf, static_cast<std::size_t>(n));
    }
    return true;
  }
  // Reads the rest of stdout and returns the exit status (-signal when killed).
  int finish() {
    read_until(std::string(1, '\0'));  // never printed: reads to the end
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }
};

}  // namespace

TEST_CASE("kill -9 during a checkpoint save leaves the previous file intact") {
  TempDir dir("hinge-crash-ckpt");
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
    // The child's temp files are model.ckpt.tmp.<pid>.<random>.
    const std::string tmp_prefix = fmt::format("model.ckpt.tmp.{}.", static_cast<long>(child));
    allowed_leftovers.push_back(tmp_prefix);
    auto temp_exists = [&] {
      for (const auto& name : dir.listing())
        if (name.rfind(tmp_prefix, 0) == 0) return true;
      return false;
    };

    if (round % 2 == 0) {
      // Wait for the child's temp file to appear, then kill it: certainly mid-write.
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (!temp_exists() && std::chrono::steady_clock::now() < deadline) {
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
  // ("model.ckpt.tmp.<pid>.<random>"); nothing else appears in the directory.
  for (const auto& name : dir.listing()) {
    if (name == "model.ckpt") continue;
    CHECK(std::any_of(allowed_leftovers.begin(), allowed_leftovers.end(),
                      [&](const std::string& prefix) { return name.rfind(prefix, 0) == 0; }));
  }

  // A later save still works over the leftovers, replaces the file and removes
  // the dead writers' temp files.
  save_checkpoint(path, generation(last_gen + 1, n));
  CHECK(load_whole_generation(path, n) == last_gen + 1);
  CHECK(dir.listing() == std::vector<std::string>{"model.ckpt"});
}

TEST_CASE("a save removes the temp files of dead writers of the same file, and only those") {
  TempDir dir("hinge-crash-leftovers");
  pid_t gone = ::fork();
  REQUIRE(gone >= 0);
  if (gone == 0) ::_exit(0);
  int status = 0;
  REQUIRE(::waitpid(gone, &status, 0) == gone);  // its pid now names no process
  const std::vector<std::string> kept = {
      "model.ckpt.tmp.1",                                      // a live process (init)
      "model.ckpt.tmp.x12",                                    // not a pid
      fmt::format("other.ckpt.tmp.{}", long{gone}),            // another file's writer
      fmt::format("model.ckpt.tmp.{}.notrandom", long{gone}),  // not a temp name of ours
  };
  for (const std::string& name : kept) std::ofstream(dir.path / name) << "partial";
  // Both forms of a dead writer's temp: the old PATH.tmp.PID and PATH.tmp.PID.RANDOM.
  std::ofstream(dir.file(fmt::format("model.ckpt.tmp.{}", long{gone}))) << "partial";
  std::ofstream(dir.file(fmt::format("model.ckpt.tmp.{}.0123456789abcdef", long{gone}))) << "partial!";

  const WriteReport report = save_checkpoint(dir.file("model.ckpt"), generation(1, 4));
  CHECK(report.stale_temps_removed == 2);
  CHECK(report.stale_bytes_removed == 15);
  std::vector<std::string> want = kept, got = dir.listing();
  want.push_back("model.ckpt");
  std::sort(want.begin(), want.end());
  std::sort(got.begin(), got.end());
  CHECK(got == want);
}

TEST_CASE("a script's save says how many dead writers' temp files it removed") {
  TempDir dir("hinge-crash-note");
  pid_t gone = ::fork();
  REQUIRE(gone >= 0);
  if (gone == 0) ::_exit(0);
  REQUIRE(::waitpid(gone, nullptr, 0) == gone);
  std::ofstream(dir.file(fmt::format("model.ckpt.tmp.{}.0123456789abcdef", long{gone}))) << "partial";
  std::ofstream(dir.path / "save.hinge")
      << "param w = 2\nsave w to \"model.ckpt\"\nsave w to \"model.ckpt\"\n";
  HingeProcess hinge(dir.path, "save.hinge");
  const int status = hinge.finish();
  const std::string err = slurp(dir.path / "stderr.txt");
  INFO("stdout:\n" << hinge.out << "\nstderr:\n" << err);
  CHECK(status == 0);
  // Once, at the first save: the second finds nothing left to remove.
  const std::string note = "note: removed 1 temporary file (7 bytes) that killed saves of ";
  REQUIRE(err.find(note) != std::string::npos);
  CHECK(err.find(note) == err.rfind(note));
  CHECK(err.find("model.ckpt left\n") != std::string::npos);
  CHECK(load_checkpoint(dir.file("model.ckpt"))[0].values()[0] == 2);
  for (const auto& name : dir.listing()) CHECK(name.find(".tmp.") == std::string::npos);
}

TEST_CASE("SIGINT during train in a script exits 130 with the report so far and no half-written file") {
  TempDir dir("hinge-crash-sigint");
  std::ofstream(dir.path / "fit.hinge") << R"(param w = normal([1, 16], std=0.5)
param b = zeros([16])
param v = normal([16, 1], std=0.5)
let xs = col(linspace(-3, 3, 100))
let loss = mse(relu(xs @ w + b) @ v, sin(xs))
train loss with adam(lr=0.001) for 1000000 steps log every 50 record grads to "norms.csv"
save w, b, v to "model.ckpt"
plot xs: sin(xs) to "fit.svg"
)";
  HingeProcess hinge(dir.path, "fit.hinge");
  // Interrupt once training is under way (its first log line).
  REQUIRE(hinge.read_until("\n"));
  REQUIRE(::kill(hinge.pid, SIGINT) == 0);
  const int status = hinge.finish();
  INFO("stdout:\n" << hinge.out << "\nstderr:\n" << slurp(dir.path / "stderr.txt"));
  CHECK(status == 130);
  const auto at = hinge.out.find("training interrupted after step ");
  REQUIRE(at != std::string::npos);
  const long done = std::stol(hinge.out.substr(at + std::strlen("training interrupted after step ")));
  CHECK(done > 0);
  CHECK(hinge.out.find("of 1000000; the parameters are those of step") != std::string::npos);

  // The script stopped at the train: nothing after it wrote a file.
  CHECK_FALSE(fs::exists(dir.path / "model.ckpt"));
  CHECK_FALSE(fs::exists(dir.path / "fit.svg"));
  // The gradient record holds exactly the steps done, whole (header + one row each).
  const std::string csv = slurp(dir.path / "norms.csv");
  CHECK(csv.rfind("step,w,b,v\n", 0) == 0);
  CHECK(std::count(csv.begin(), csv.end(), '\n') == done + 1);
  CHECK(csv.find(fmt::format("\n{},", done)) != std::string::npos);
  for (const auto& name : dir.listing()) CHECK(name.find(".tmp.") == std::string::npos);
}

TEST_CASE("a second SIGINT during a long write removes its temporary and ends hinge at once") {
  // A trace of a 100,000-node chain: about 90 MB of JSON, long enough to be hit
  // mid-write. The first SIGINT lets a write finish; the second must not wait for
  // it (one write() of the whole file held both signals until its end).
  TempDir dir("hinge-crash-second-sigint");
  std::ofstream(dir.path / "trace.hinge") << "param w = 1\n"
                                             "let y = w\n"
                                             "for i in range(100000) { y = sin(y) }\n"
                                             "trace y to \"big.json\"\n";
  HingeProcess hinge(dir.path, "trace.hinge");
  auto temp = [&] {
    for (const auto& name : dir.listing())
      if (name.rfind("big.json.tmp.", 0) == 0) return true;
    return false;
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!temp() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  REQUIRE(temp());
  REQUIRE(::kill(hinge.pid, SIGINT) == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  REQUIRE(::kill(hinge.pid, SIGINT) == 0);
  const int status = hinge.finish();
  INFO("stdout:\n" << hinge.out << "\nstderr:\n" << slurp(dir.path / "stderr.txt"));
  CHECK(status == 130);
  CHECK_FALSE(fs::exists(dir.path / "big.json"));
  for (const auto& name : dir.listing()) CHECK(name.find(".tmp.") == std::string::npos);
}

TEST_CASE("a NaN during training stops a script with the place, status 70, and nothing saved") {
  TempDir dir("hinge-crash-nan");
  // sgd on w^4 with a large rate: w grows as w - 40 w^3 until the loss overflows.
  std::ofstream(dir.path / "blowup.hinge") << "param w = 1\n"
                                              "let loss = w^4\n"
                                              "train loss with sgd(lr=10) for 100 steps quiet\n"
                                              "save w to \"model.ckpt\"\n";
  HingeProcess hinge(dir.path, "blowup.hinge");
  const int status = hinge.finish();
  const std::string err = slurp(dir.path / "stderr.txt");
  INFO("stdout:\n" << hinge.out << "\nstderr:\n" << err);
  CHECK(status == 70);
  // The steps by hand: step k evaluates the loss at w after k-1 updates.
  double w = 1;
  int stop_step = 0;
  for (int step = 1; step <= 100; ++step) {
    if (!std::isfinite(w * w * w * w)) {
      stop_step = step;
      break;
    }
    w -= 10 * 4 * w * w * w;
  }
  REQUIRE(stop_step > 1);
  CHECK(err.rfind("blowup.hinge:", 0) == 0);
  CHECK(err.find(fmt::format("training stopped at step {}: the loss is", stop_step)) != std::string::npos);
  CHECK(err.find(fmt::format("(step {})", stop_step - 1)) != std::string::npos);
  CHECK(err.find('^') != std::string::npos);  // the caret under the place
  CHECK_FALSE(fs::exists(dir.path / "model.ckpt"));
}
