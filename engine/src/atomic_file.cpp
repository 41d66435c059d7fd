// Atomic writes (temp file + fsync + rename + directory fsync) and whole-file reads.
#include "hinge/atomic_file.hpp"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "hinge/errors.hpp"
#include "hinge/interrupt.hpp"

namespace hinge {

namespace {

[[noreturn]] void fail(const std::string& path, int err) {
  throw IoError(fmt::format("{}: {}", path, std::strerror(err)));
}

[[noreturn]] void refuse(const std::string& path, const std::string& why) {
  throw IoError(fmt::format("{}: {}", path, why));
}

std::string directory_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

// The file `path` names once every symlink on its last component is followed
// (a dangling link names the file to create). Links in the directories above are
// left to the kernel, which follows them anyway.
std::string follow_links(const std::string& path) {
  std::string p = path;
  for (int hops = 0;; ++hops) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return p;
    if (hops == 40) fail(path, ELOOP);
    char buf[PATH_MAX];
    ssize_t n = ::readlink(p.c_str(), buf, sizeof buf - 1);
    if (n < 0) fail(path, errno);
    std::string target(buf, static_cast<std::size_t>(n));
    p = target.front() == '/' ? target : directory_of(p) + "/" + target;
  }
}

// The temporary of the write in progress, for abandon_atomic_write() in a signal
// handler: the name is complete before `g_live` says so.
char g_temp[PATH_MAX + 64];
std::atomic<int> g_live{0};

void publish_temp(const std::string& tmp) {
  if (tmp.size() >= sizeof g_temp) return;  // then a killed write leaves it for the sweep
  int expected = 0;
  if (!g_live.compare_exchange_strong(expected, 2)) return;  // another write holds the slot
  std::memcpy(g_temp, tmp.c_str(), tmp.size() + 1);
  g_live.store(1);
}

void retract_temp(const std::string& tmp) {
  if (g_live.load() == 1 && tmp == g_temp) g_live.store(0);
}

// Creates PATH.tmp.PID.RANDOM exclusively (never following or reusing what is
// there) with `mode` (the umask applies). Returns the descriptor and sets `tmp`.
int create_temp(const std::string& path, mode_t mode, std::string& tmp) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    uint64_t r = 0;
    if (::getrandom(&r, sizeof r, 0) != static_cast<ssize_t>(sizeof r))
      r = static_cast<uint64_t>(::getpid()) * 0x9E3779B97F4A7C15ull ^ static_cast<uint64_t>(attempt);
    tmp = fmt::format("{}.tmp.{}.{:016x}", path, static_cast<long>(::getpid()), r);
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd >= 0) return fd;
    if (errno != EEXIST) fail(path, errno);
  }
  fail(path, EEXIST);
}

// Removes the temp files earlier writers of `path` left when they were killed
// mid-save (PATH.tmp.PID or PATH.tmp.PID.RANDOM, a regular file of ours whose
// process no longer exists). A live writer's file stays. Best effort.
WriteReport remove_dead_writers_temps(const std::string& path) {
  namespace fs = std::filesystem;
  WriteReport report;
  const std::string prefix = fs::path(path).filename().string() + ".tmp.";
  const std::string dir = directory_of(path);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    long pid = 0;
    const char* first = name.data() + prefix.size();
    const char* last = name.data() + name.size();
    const auto [end, err] = std::from_chars(first, last, pid);
    if (err != std::errc() || pid <= 0 || pid == static_cast<long>(::getpid())) continue;
    if (end != last) {  // the random part: a dot and 16 hex digits
      if (last - end != 17 || *end != '.') continue;
      bool hex = true;
      for (const char* c = end + 1; c != last; ++c)
        hex = hex && std::isxdigit(static_cast<unsigned char>(*c));
      if (!hex) continue;
    }
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    struct stat st {};
    const std::string full = dir + "/" + name;
    if (::lstat(full.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid()) continue;
    if (::unlink(full.c_str()) == 0) {
      ++report.stale_temps_removed;
      report.stale_bytes_removed += static_cast<std::uintmax_t>(st.st_size);
    }
  }
  return report;
}

}  // namespace

WriteReport write_file_atomic(const std::string& path, std::string_view contents, unsigned new_file_mode) {
  if (path.empty()) fail(path, ENOENT);
  const std::string target = follow_links(path);
  struct stat old {};
  const bool exists = ::stat(target.c_str(), &old) == 0;
  if (!exists && errno != ENOENT) fail(path, errno);
  if (exists && !S_ISREG(old.st_mode))
    refuse(path, fmt::format("is {}; hinge replaces only regular files", kind_of(old.st_mode)));
  if (exists && old.st_nlink > 1)
    refuse(path, fmt::format("has {} hard links; replacing it would split it from the others", old.st_nlink));
  // A rename needs only the directory's permission: without these checks a file
  // made read-only (chmod 444), or another user's, was replaced all the same.
  if (exists && ::access(target.c_str(), W_OK) != 0)
    refuse(path, fmt::format("{}; hinge replaces only files it may write", std::strerror(errno)));
  // access() grants root every file: a file with no write bit at all is read-only
  // for whoever runs hinge.
  if (exists && (old.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)) == 0)
    refuse(path, "is read-only (no write permission in its mode); hinge replaces only files it may write");

  std::string tmp;
  // An existing file's mode is set on the empty temporary before any byte is in it.
  int fd = create_temp(target, exists ? 0600 : static_cast<mode_t>(new_file_mode & 0777), tmp);
  publish_temp(tmp);
  // The temporary removed, then the error: with a reason of the system's, or ours.
  auto abandon = [&] {
    ::close(fd);
    ::unlink(tmp.c_str());
    retract_temp(tmp);
  };
  auto give_up = [&](int err) {
    abandon();
    fail(path, err);
  };
  if (exists) {
    // Another user's file that this process may write (group-writable) would become
    // this process's file: it is left as it is. A group this process cannot give
    // (its own file in a setgid directory, say) is left to the system, as before.
    if (::fchown(fd, old.st_uid, old.st_gid) != 0) {
      if (errno != EPERM) give_up(errno);
      if (old.st_uid != ::geteuid()) {
        abandon();
        refuse(path, fmt::format("belongs to user {}, whom its replacement could not keep as its owner",
                                 old.st_uid));
      }
    }
    if (::fchmod(fd, old.st_mode & 07777) != 0) give_up(errno);
  }
  // In pieces of kWriteChunk: the kernel delivers a signal only when a write()
  // returns, and one write() of a 270 MB trace took a second, so a second Ctrl-C
  // (which removes the temporary and ends the process) waited for the whole file.
  constexpr std::size_t kWriteChunk = std::size_t{1} << 20;
  const char* p = contents.data();
  std::size_t left = contents.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, std::min(left, kWriteChunk));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) give_up(n < 0 ? errno : EIO);
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) give_up(errno);
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    retract_temp(tmp);
    fail(path, err);
  }
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    retract_temp(tmp);
    fail(path, err);
  }
  retract_temp(tmp);
  // Make the rename itself durable.
  int dir = ::open(directory_of(target).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return remove_dead_writers_temps(target);
}

void abandon_atomic_write() noexcept {
  if (g_live.load() == 1) ::unlink(g_temp);
}

// A FIFO, a terminal or a pipe can keep open() or read() waiting for as long as
// its writer likes. A signal ends the wait (EINTR: the program's SIGINT handler is
// installed without SA_RESTART); the read stops there when it was the stop
// request, and waits again for any other signal.
std::string read_file(const std::string& path, std::size_t max_bytes) {
  int fd = -1;
  while ((fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC)) < 0 && errno == EINTR) throw_if_interrupted();
  if (fd < 0) fail(path, errno);
  std::string out;
  // A regular file says its size: one too large is refused before a byte is read,
  // and the rest is read into room made once (growing by doubling, a 1.1 GB file
  // took 2.1 GB to be found corrupt).
  if (struct stat st{}; ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    if (static_cast<std::uintmax_t>(st.st_size) > max_bytes) {
      ::close(fd);
      throw IoError(fmt::format("{}: file is larger than the limit of {} bytes", path, max_bytes));
    }
    try {
      out.reserve(static_cast<std::size_t>(st.st_size));
    } catch (...) {
      ::close(fd);
      throw;
    }
  }
  char buf[1 << 16];
  for (;;) {
    // Polled at every piece as well: a large file on a slow disk reads for seconds.
    if (interrupt_pending()) {
      ::close(fd);
      throw Interrupted();
    }
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      fail(path, err);
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > max_bytes) {
      ::close(fd);
      throw IoError(fmt::format("{}: file is larger than the limit of {} bytes", path, max_bytes));
    }
  }
  ::close(fd);
  return out;
}

}  // namespace hinge
