// The REPL loop: gathers lines into entries (continuing while an entry is
// incomplete), sends `:commands` to repl/commands.cpp and everything else to the
// session, times entries, and picks the exit status.
#include "repl/repl.hpp"

#include <chrono>
#include <cstdio>
#include <string>

#include <fmt/format.h>
#include <unistd.h>

#include "eval/commands.hpp"
#include "eval/session.hpp"
#include "repl/line.hpp"

namespace hinge::lang {

namespace {

constexpr int kExitFailed = 70;        // a piped session in which an entry failed
constexpr int kExitInterrupted = 130;  // a piped session stopped by Ctrl-C
constexpr std::size_t kMaxEntry = std::size_t{16} << 20;

bool blank(const std::string& s) { return s.find_first_not_of(" \t\r") == std::string::npos; }

std::string format_wall(double seconds) {
  if (seconds < 1e-3) return fmt::format("{:.0f} us", seconds * 1e6);
  if (seconds < 1) return fmt::format("{:.2f} ms", seconds * 1e3);
  return fmt::format("{:.3f} s", seconds);
}

}  // namespace

int run_repl(Session& session) {
  // Editing needs a terminal on both sides: with output redirected, prompts and
  // escape codes would end up in the file.
  const bool terminal = isatty(fileno(stdin)) != 0 && isatty(fileno(stdout)) != 0;
  ReplState st(session);
  std::unique_ptr<LineReader> reader =
      terminal ? make_edit_reader([&st] { return st.current().names(); }, default_history_file(), stderr)
               : make_pipe_reader(stdin);
  if (terminal) fmt::print("hinge: type :help for statements and commands, Ctrl-D to quit\n");

  bool failed = false;       // some entry failed (a pipe exits 70)
  bool interrupted = false;  // Ctrl-C in a piped session (exits 130)
  std::string entry;
  auto run = [&](auto&& body, bool timed = true) {
    const auto start = std::chrono::steady_clock::now();
    const Status s = body();
    clear_interrupt();  // a Ctrl-C that arrived outside train is spent with its entry
    std::FILE* out = st.current().options().out;
    if (st.timing && timed) {
      const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - start;
      fmt::print(out, "time {}\n", format_wall(wall.count()));
    }
    std::fflush(out);
    if (s != Status::ok) failed = true;
    // Ctrl-C stopped a train or loop: a person at a terminal gets the prompt back;
    // a piped session stops there, like a script (status 130).
    if (s == Status::interrupted && !terminal) interrupted = true;
  };

  while (!interrupted) {
    std::string line;
    const ReadResult r = reader->read(entry.empty() ? "> " : "... ", line);
    if (r == ReadResult::interrupted) {
      if (!terminal) {
        interrupted = true;
        break;
      }
      entry.clear();  // Ctrl-C at a prompt abandons the entry, continuation lines and all
      continue;
    }
    if (r == ReadResult::eof) {
      if (!entry.empty()) run([&] { return st.current().run_entry(entry); });  // says what was left open
      break;
    }

    reader->remember(line);
    if (entry.empty()) {
      if (blank(line)) continue;
      const std::size_t first = line.find_first_not_of(" \t");
      if (line[first] == ':') {
        // Only the commands that run statements are timed (not :time itself).
        const bool timed = line.find(":grad") != std::string::npos ||
                           line.find(":trace") != std::string::npos ||
                           line.find(":load") != std::string::npos || line.find(":save") != std::string::npos;
        run([&] { return run_command(st, line); }, timed);
        if (st.quit) break;
        continue;
      }
    }
    entry += line;
    entry += '\n';
    if (entry.size() > kMaxEntry) {
      fmt::print(st.current().options().err, "error: entry longer than {} MiB; dropped\n", kMaxEntry >> 20);
      failed = true;
      entry.clear();
      continue;
    }
    if (st.current().is_incomplete(entry)) continue;
    run([&] { return st.current().run_entry(entry); });
    entry.clear();
  }
  std::fflush(stdout);
  if (terminal) return 0;
  if (interrupted) return kExitInterrupted;
  return failed ? kExitFailed : 0;
}

}  // namespace hinge::lang
