// Hostile input, through the real `hinge` (lang/README.md "Security"): writes that
// never clobber, paths as documented, signals that end cleanly, depth that never
// crashes, hangs that stop, numbers that are never silently wrong, echoes that are
// escaped and cut. Every test runs in its own temporary directory.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <fmt/format.h>

#include "hinge/checkpoint.hpp"
#include "run_process.hpp"

using namespace hinge::test;
namespace fs = std::filesystem;

namespace {

RunResult hinge_script(const TempDir& dir, const std::string& script, const RunOptions& opt = {}) {
  std::ofstream(dir.path / "s.hinge") << script;
  return run_process({HINGE_EXE, "s.hinge"}, dir.path, opt);
}

bool has_temp_files(const fs::path& dir) {
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.path().filename().string().find(".tmp.") != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("paths: outputs and load are relative to the working directory, import and csv to the script") {
  TempDir dir;
  fs::create_directory(dir.path / "sub");
  std::ofstream(dir.path / "sub" / "lib.hinge") << "def two() = 2\n";
  std::ofstream(dir.path / "sub" / "points.csv") << "x\n1\n2\n";
  std::ofstream(dir.path / "sub" / "s.hinge") << R"(import "lib.hinge"
param w = two() * sum(csv("points.csv", column="x"))
save w to "out.ckpt"
load "out.ckpt"
print w
)";
  RunResult r = run_process({HINGE_EXE, "sub/s.hinge"}, dir.path);
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(fs::exists(dir.path / "out.ckpt"));
  CHECK_FALSE(fs::exists(dir.path / "sub" / "out.ckpt"));
  CHECK(r.out.find('6') != std::string::npos);
  // A file of the same name beside the script is not what load reads.
  fs::rename(dir.path / "out.ckpt", dir.path / "sub" / "out.ckpt");
  r = run_process({HINGE_EXE, "-e", "load \"out.ckpt\""}, dir.path / "sub");
  CHECK(r.status == 0);
  std::ofstream(dir.path / "sub" / "t.hinge") << "load \"out.ckpt\"\n";
  r = run_process({HINGE_EXE, "sub/t.hinge"}, dir.path);
  CHECK(r.status == 70);
  CHECK(r.err.find("out.ckpt: No such file or directory") != std::string::npos);
}

TEST_CASE("SIGTERM during saves exits 143, leaves no temp file and the last whole checkpoint") {
  TempDir dir;
  RunOptions opt;
  opt.sigint_after_ms = 1500;
  opt.signal = SIGTERM;
  // 32 MB per save: most of the time goes to writing the temporary.
  RunResult r = hinge_script(dir, R"(param w = ones([4000000])
for i in range(1000000) { save w to "w.ckpt" }
)",
                             opt);
  INFO(r.out << r.err);
  CHECK(r.status == 143);
  CHECK_FALSE(has_temp_files(dir.path));
  if (fs::exists(dir.path / "w.ckpt")) {
    auto entries = hinge::load_checkpoint((dir.path / "w.ckpt").string());
    REQUIRE(entries.size() == 1);
    CHECK(entries[0].numel() == 4000000);
  }
}

TEST_CASE("saving over a symlink writes the real file; over a FIFO is an error that leaves it") {
  TempDir dir;
  std::ofstream(dir.path / "real.ckpt") << "old";
  REQUIRE(::chmod((dir.path / "real.ckpt").c_str(), 0600) == 0);
  fs::create_symlink("real.ckpt", dir.path / "link.ckpt");
  REQUIRE(::mkfifo((dir.path / "pipe").c_str(), 0644) == 0);
  RunResult r = hinge_script(dir, "param w = 1.5\nsave w to \"link.ckpt\"\nsave w to \"pipe\"\n");
  INFO(r.out << r.err);
  CHECK(r.status == 70);
  CHECK(r.err.find("s.hinge:3:11: error: pipe: is a FIFO; hinge replaces only regular files") !=
        std::string::npos);
  CHECK(fs::is_symlink(dir.path / "link.ckpt"));
  CHECK(hinge::load_checkpoint((dir.path / "real.ckpt").string())[0].values()[0] == 1.5);
  struct stat st {};
  REQUIRE(::stat((dir.path / "real.ckpt").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
  REQUIRE(::lstat((dir.path / "pipe").c_str(), &st) == 0);
  CHECK(S_ISFIFO(st.st_mode));
}
