// libFuzzer target: feeds arbitrary bytes to the REPL as piped input, line by line,
// `:commands` included (run_repl on a pipe, as `echo ... | hinge` does), in a
// Session with tight limits. Every run must end with an exit status: no crash, no
// sanitizer report, no hang.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <thread>

#include "eval/session.hpp"
#include "repl/repl.hpp"

using namespace hinge::lang;

namespace {

// As in fuzz_interpreter.cpp: inputs that could touch the file system are skipped
// (`:save` and `:load` contain the words too). `:quit` is harmless; `:help` is not
// a file.
bool touches_files(std::string_view text) {
  std::size_t i = 0;
  auto ident = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  };
  while (i < text.size()) {
    if (!ident(text[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && ident(text[j])) ++j;
    std::string_view w = text.substr(i, j - i);
    if (w == "to" || w == "save" || w == "load" || w == "import" || w == "csv") return true;
    i = j;
  }
  return false;
}

// A watchdog presses Ctrl-C one second into an input (see fuzz_interpreter.cpp).
using Clock = std::chrono::steady_clock;
std::atomic<int64_t> g_deadline{0};

void watchdog() {
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    int64_t d = g_deadline.load();
    if (d != 0 && Clock::now().time_since_epoch().count() > d) request_interrupt();
  }
}

std::FILE* null_stream() {
  static std::FILE* f = std::fopen("/dev/null", "w");
  return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  if (touches_files(text)) return -1;
  static std::thread dog = [] {
    std::signal(SIGPIPE, SIG_IGN);  // the input's writer sees EPIPE instead (below)
    // What the REPL prints straight to stdout (command output) goes nowhere.
    int devnull = ::open("/dev/null", O_WRONLY);
    if (devnull >= 0) ::dup2(devnull, 1);
    std::thread t(watchdog);
    t.detach();
    return t;
  }();

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

  SessionOptions options;
  options.seed = 1;
  options.limits.max_elements = 1 << 14;
  options.limits.max_iterations = 20'000;
  options.limits.max_call_depth = 40;
  options.out = null_stream();
  options.err = null_stream();
  clear_interrupt();
  g_deadline = (Clock::now() + std::chrono::seconds(1)).time_since_epoch().count();
  {
    Session session(std::move(options));
    run_repl(session);
  }
  g_deadline = 0;
  clear_interrupt();
  ::dup2(saved_stdin, 0);
  ::close(saved_stdin);
  writer.join();
  std::clearerr(stdin);
  return 0;
}
