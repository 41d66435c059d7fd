// libFuzzer target: feeds arbitrary bytes to the REPL as piped input, line by line,
// `:commands` included (run_repl on a pipe, as `echo ... | hinge` does), in a
// Session with tight limits. Every run must end with an exit status: no crash, no
// sanitizer report, no hang.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <thread>

#include "eval/session.hpp"
#include "fuzz_session.hpp"
#include "repl/repl.hpp"

using namespace hinge::lang;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  if (fuzz::touches_files(text)) return -1;
  static fuzz::Watchdog dog;
  static const int stdout_sink = [] {
    std::signal(SIGPIPE, SIG_IGN);  // the input's writer sees EPIPE instead (below)
    // What the REPL prints straight to stdout (command output) goes to a file in
    // memory (no path, no device), emptied before each input.
    int sink = ::memfd_create("hinge-fuzz-stdout", MFD_CLOEXEC);
    if (sink >= 0) ::dup2(sink, 1);
    return sink;
  }();
  if (stdout_sink >= 0) {
    std::fflush(stdout);
    if (::ftruncate(1, 0) == 0) ::lseek(1, 0, SEEK_SET);
  }

  // The input becomes standard input through a pipe. A thread writes it: a replayed
  // regression can be larger than the pipe's buffer, and one write before reading would
  // block forever. When the REPL stops reading early (`:quit`), restoring stdin closes
  // the read end and the writer's next write fails with EPIPE (SIGPIPE is ignored).
  int fds[2];
  if (::pipe(fds) != 0) return 0;
  std::thread writer([fd = fds[1], &text] {
    std::size_t off = 0;
    while (off < text.size()) {
      ssize_t n = ::write(fd, text.data() + off, text.size() - off);
      if (n <= 0) break;
      off += static_cast<std::size_t>(n);
    }
    ::close(fd);
  });
  const int saved_stdin = ::dup(0);
  ::dup2(fds[0], 0);
  ::close(fds[0]);
  std::clearerr(stdin);

  dog.arm();
  {
    Session session(fuzz::fuzz_options());
    run_repl(session);
  }
  dog.disarm();
  ::dup2(saved_stdin, 0);
  ::close(saved_stdin);
  writer.join();
  std::clearerr(stdin);
  return 0;
}
