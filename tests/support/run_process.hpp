// Running the built `hinge` (or any program) from a test: a scratch directory,
// a child process with its output captured, a timeout, an optional Ctrl-C.
#pragma once
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "temp_dir.hpp"

namespace hinge::test {

namespace fs = std::filesystem;

struct RunResult {
  int status = -1;  // exit status, or 128 + signal
  std::string out, err;
  double seconds = 0;  // wall time
};

struct RunOptions {
  int timeout_s = 120;       // then the child is killed and the test fails
  int sigint_after_ms = -1;  // send SIGINT this long after the start (Ctrl-C)
  bool fake_clock = false;   // HINGE_FAKE_CLOCK=1: training reports read the same every run
  int signal = SIGINT;       // the signal sigint_after_ms sends (SIGTERM, say)
  long memory_limit = 0;     // RLIMIT_AS of the child in bytes (ulimit -v), 0 = none
  fs::path stdin_path;       // the child's standard input; empty: an empty file in cwd
};

// Runs `argv` (argv[0] is the program's path, or a name looked up in PATH) in `cwd`,
// stdin from an empty file in `cwd` (or opt.stdin_path), stdout and stderr captured
// through files in `cwd`.
inline RunResult run_process(const std::vector<std::string>& argv, const fs::path& cwd,
                             const RunOptions& opt = {}) {
  const fs::path out_path = cwd / ".stdout", err_path = cwd / ".stderr";
  const fs::path in_path = opt.stdin_path.empty() ? cwd / ".stdin" : opt.stdin_path;
  if (opt.stdin_path.empty()) std::ofstream(in_path).flush();  // created empty
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (chdir(cwd.c_str()) != 0) _exit(127);
    int o = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int e = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int n = open(in_path.c_str(), O_RDONLY);
    dup2(o, 1);
    dup2(e, 2);
    dup2(n, 0);
    if (opt.fake_clock) setenv("HINGE_FAKE_CLOCK", "1", 1);
    if (opt.memory_limit > 0) {
      rlimit lim{static_cast<rlim_t>(opt.memory_limit), static_cast<rlim_t>(opt.memory_limit)};
      if (setrlimit(RLIMIT_AS, &lim) != 0) _exit(126);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());  // a name without a slash is looked up in PATH
    _exit(127);
  }
  int wstatus = 0;
  bool sent = false;
  for (;;) {
    if (waitpid(pid, &wstatus, WNOHANG) == pid) break;
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start)
            .count();
    if (opt.sigint_after_ms >= 0 && !sent && ms >= opt.sigint_after_ms) {
      kill(pid, opt.signal);
      sent = true;
    }
    if (ms > opt.timeout_s * 1000) {
      kill(pid, SIGKILL);
      waitpid(pid, &wstatus, 0);
      FAIL("timed out: " << argv.back());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  RunResult res;
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  res.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
  res.out = slurp(out_path);
  res.err = slurp(err_path);
  return res;
}

}  // namespace hinge::test
