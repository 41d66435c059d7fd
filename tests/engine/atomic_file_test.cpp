// Atomic writes on hostile ground: planted symlinks at temp names, special files and
// symlinks as targets, hard links, kept modes, and the sweep of dead writers' temps.
// Every special file is made here, inside the test's own temporary directory.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "hinge/atomic_file.hpp"
#include "hinge/errors.hpp"
#include "hinge/interrupt.hpp"

using namespace hinge;
namespace fs = std::filesystem;

namespace {

struct Scratch {
  fs::path path;
  Scratch() {
    std::string tmpl = (fs::temp_directory_path() / "hinge-atomic-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
  std::vector<std::string> listing() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(path)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
};

std::string slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

mode_t mode_of(const std::string& p) {
  struct stat st {};
  REQUIRE(::lstat(p.c_str(), &st) == 0);
  return st.st_mode;
}

std::string error_of(const std::string& path, const std::string& contents) {
  try {
    write_file_atomic(path, contents);
  } catch (const IoError& e) {
    return e.what();
  }
  return "";
}

std::string error_of_read(const std::string& path, std::size_t max_bytes) {
  try {
    read_file(path, max_bytes);
  } catch (const IoError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a symlink planted at a predictable temp name is never followed") {
  Scratch dir;
  const std::string victim = dir.file("victim");
  std::ofstream(victim) << "secret";
  ::chmod(victim.c_str(), 0600);
  // The names a writer of this pid could have used before: PATH.tmp.PID.
  const std::string target = dir.file("out.txt");
  fs::create_symlink(victim, fmt::format("{}.tmp.{}", target, static_cast<long>(::getpid())));
  write_file_atomic(target, "new contents");
  CHECK(slurp(victim) == "secret");
  CHECK((mode_of(victim) & 07777) == 0600);
  CHECK(slurp(target) == "new contents");
  // Nothing but the target, the victim and the planted link.
  CHECK(dir.listing().size() == 3);
}

TEST_CASE("only a regular file is replaced: FIFOs, directories and devices are refused") {
  Scratch dir;
  SECTION("a FIFO") {
    const std::string fifo = dir.file("pipe");
    REQUIRE(::mkfifo(fifo.c_str(), 0644) == 0);
    CHECK_THAT(error_of(fifo, "x"), Catch::Contains("is a FIFO; hinge replaces only regular files"));
    CHECK(S_ISFIFO(mode_of(fifo)));
  }
  SECTION("a directory") {
    const std::string sub = dir.file("sub");
    fs::create_directory(sub);
    CHECK_THAT(error_of(sub, "x"), Catch::Contains("is a directory"));
    CHECK(S_ISDIR(mode_of(sub)));
  }
  SECTION("a symlink to a FIFO is refused too (the link is followed first)") {
    const std::string fifo = dir.file("pipe");
    REQUIRE(::mkfifo(fifo.c_str(), 0644) == 0);
    fs::create_symlink("pipe", dir.file("link"));
    CHECK_THAT(error_of(dir.file("link"), "x"), Catch::Contains("is a FIFO"));
    CHECK(S_ISLNK(mode_of(dir.file("link"))));
    CHECK(S_ISFIFO(mode_of(fifo)));
  }
  SECTION("a character device (made here, as /dev/null is: 1,3)") {
    if (::geteuid() != 0) {
      WARN("not root: mknod of a device is not allowed, skipped");
      return;
    }
    const std::string dev = dir.file("null");
    REQUIRE(::mknod(dev.c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0);
    CHECK_THAT(error_of(dev, "x"),
               Catch::Contains("is a character device; hinge replaces only regular files"));
    CHECK(S_ISCHR(mode_of(dev)));
  }
  // Nothing else appeared: no temp file, no regular file in place of the special one.
  for (const auto& name : dir.listing()) CHECK(name.find(".tmp.") == std::string::npos);
}

TEST_CASE("a symlink target is written through to the real file, beside it") {
  Scratch dir;
  fs::create_directory(dir.file("real"));
  const std::string real = dir.file("real/model.ckpt");
  std::ofstream(real) << "old";
  SECTION("a relative link") { fs::create_symlink("real/model.ckpt", dir.file("link")); }
  SECTION("an absolute link to a link") {
    fs::create_symlink(real, dir.file("hop"));
    fs::create_symlink(dir.file("hop"), dir.file("link"));
  }
  write_file_atomic(dir.file("link"), "new");
  CHECK(S_ISLNK(mode_of(dir.file("link"))));
  CHECK(S_ISREG(mode_of(real)));
  CHECK(slurp(real) == "new");
  std::vector<std::string> in_real;
  for (const auto& e : fs::directory_iterator(dir.file("real"))) in_real.push_back(e.path().filename());
  CHECK(in_real == std::vector<std::string>{"model.ckpt"});
}

TEST_CASE("a dangling symlink creates the file it names") {
  Scratch dir;
  fs::create_symlink("made.txt", dir.file("link"));
  write_file_atomic(dir.file("link"), "hello");
  CHECK(S_ISLNK(mode_of(dir.file("link"))));
  CHECK(slurp(dir.file("made.txt")) == "hello");
}

TEST_CASE("a file with several hard links is refused, both names intact") {
  Scratch dir;
  std::ofstream(dir.file("a")) << "shared";
  fs::create_hard_link(dir.file("a"), dir.file("b"));
  CHECK_THAT(error_of(dir.file("a"), "x"), Catch::Contains("has 2 hard links"));
  CHECK(fs::hard_link_count(dir.file("a")) == 2);
  CHECK(slurp(dir.file("b")) == "shared");
  CHECK(dir.listing() == std::vector<std::string>{"a", "b"});
}

TEST_CASE("a file with no write bit is refused whoever runs it, root included") {
  // access(W_OK) says yes to root for any file; the mode says the file is read-only.
  Scratch dir;
  std::ofstream(dir.file("ro")) << "kept";
  REQUIRE(::chmod(dir.file("ro").c_str(), 0444) == 0);
  CHECK_THAT(error_of(dir.file("ro"), "x"), Catch::Contains("is read-only"));
  CHECK(slurp(dir.file("ro")) == "kept");
  CHECK(dir.listing() == std::vector<std::string>{"ro"});
  // One write bit, the owner's, is enough: the file is written, its mode kept.
  REQUIRE(::chmod(dir.file("ro").c_str(), 0644) == 0);
  write_file_atomic(dir.file("ro"), "new");
  CHECK(slurp(dir.file("ro")) == "new");
}

TEST_CASE("the target's mode is kept; a new file gets 0666 less the umask") {
  Scratch dir;
  const std::string p = dir.file("private");
  std::ofstream(p) << "old";
  REQUIRE(::chmod(p.c_str(), 0600) == 0);
  write_file_atomic(p, "new");
  CHECK((mode_of(p) & 07777) == 0600);
  REQUIRE(::chmod(p.c_str(), 0640) == 0);
  write_file_atomic(p, "newer");
  CHECK((mode_of(p) & 07777) == 0640);
  CHECK(slurp(p) == "newer");

  const mode_t mask = ::umask(022);
  ::umask(mask);
  write_file_atomic(dir.file("fresh"), "x");
  CHECK((mode_of(dir.file("fresh")) & 07777) == (0666 & ~mask));
}

TEST_CASE("a new file can be made private: its mode is the one asked for, less the umask") {
  Scratch dir;
  const mode_t mask = ::umask(022);
  ::umask(mask);
  write_file_atomic(dir.file("history"), "x", 0600);
  CHECK((mode_of(dir.file("history")) & 07777) == (0600 & ~mask));
}

// Runs `body` as user and group nobody (65534) in a child process when this one is
// root, else in this process; returns what it returned (a child reports it in its
// exit status).
int as_another_user(const std::function<int()>& body) {
  if (::geteuid() != 0) return body();
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(100);
    ::_exit(body());
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  return WEXITSTATUS(status);
}

TEST_CASE("a file the process may not write, or whose owner it cannot keep, is left as it is") {
  Scratch dir;
  REQUIRE(::chmod(dir.path.c_str(), 0777) == 0);  // another user may make its temporaries here
  const bool root = ::geteuid() == 0;
  auto refused = [&](const std::string& p, const std::string& why) {
    return as_another_user([&] {
      try {
        write_file_atomic(p, "new");
      } catch (const IoError& e) {
        return std::string(e.what()).find(why) != std::string::npos ? 0 : 2;
      }
      return 1;
    });
  };
  SECTION("made read-only by its owner") {
    const std::string p = dir.file("ro");
    std::ofstream(p) << "old";
    if (root) REQUIRE(::chown(p.c_str(), 65534, 65534) == 0);
    REQUIRE(::chmod(p.c_str(), 0444) == 0);
    CHECK(refused(p, "hinge replaces only files it may write") == 0);
    CHECK(slurp(p) == "old");
    CHECK((mode_of(p) & 07777) == 0444);
  }
  SECTION("another user's file, writable by all: its owner could not be kept") {
    if (!root) {
      WARN("not root: no file of another user to make, skipped");
      return;
    }
    const std::string p = dir.file("theirs");
    std::ofstream(p) << "old";
    REQUIRE(::chmod(p.c_str(), 0666) == 0);
    CHECK(refused(p, "belongs to user 0, whom its replacement could not keep as its owner") == 0);
    CHECK(slurp(p) == "old");
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    CHECK(st.st_uid == 0);
  }
  for (const auto& name : dir.listing()) CHECK(name.find(".tmp.") == std::string::npos);
}

TEST_CASE("the temps of dead writers are swept and counted; live writers' stay") {
  Scratch dir;
  pid_t gone = ::fork();
  REQUIRE(gone >= 0);
  if (gone == 0) ::_exit(0);
  int status = 0;
  REQUIRE(::waitpid(gone, &status, 0) == gone);
  std::ofstream(dir.file(fmt::format("f.tmp.{}.00000000000000ff", long{gone}))) << "12345";
  std::ofstream(dir.file(fmt::format("f.tmp.{}.00000000000000fe", long{gone}))) << "678";
  std::ofstream(dir.file("f.tmp.1.00000000000000ff")) << "live";  // init runs
  const WriteReport r = write_file_atomic(dir.file("f"), "data");
  CHECK(r.stale_temps_removed == 2);
  CHECK(r.stale_bytes_removed == 8);
  CHECK(dir.listing() == std::vector<std::string>{"f", "f.tmp.1.00000000000000ff"});
  CHECK(write_file_atomic(dir.file("f"), "again").stale_temps_removed == 0);
}

TEST_CASE("a read stops at a stop request, and a file above the limit is refused by its size") {
  Scratch dir;
  const std::string p = dir.file("data");
  std::ofstream(p) << std::string(100000, 'x');
  volatile std::sig_atomic_t flag = 1;
  set_interrupt_flag(&flag);
  CHECK_THROWS_AS(read_file(p), Interrupted);
  flag = 0;
  CHECK(read_file(p).size() == 100000);
  set_interrupt_flag(nullptr);
  CHECK_THAT(error_of_read(p, 99999), Catch::Contains("file is larger than the limit of 99999 bytes"));
}
