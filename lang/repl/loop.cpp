// The REPL loop: gathers lines into entries (continuing while an entry is
// incomplete), sends `:commands` to repl/commands.cpp and everything else to the
// session, times entries, and picks the exit status.
#include "repl/repl.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <unistd.h>

#include "eval/session.hpp"
#include "repl/commands.hpp"
#include "repl/line.hpp"

namespace hinge::lang {

namespace {

constexpr int kExitFailed = 70;        // a piped session in which an entry failed
constexpr int kExitInterrupted = 130;  // a piped session stopped by Ctrl-C
constexpr std::size_t kMaxEntry = std::size_t{16} << 20;

bool blank(const std::string& s) { return s.find_first_not_of(" \t\r") == std::string::npos; }

std::string trimmed(const std::string& s) {
  const std::size_t a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t\r") - a + 1);
}

// Note [Bare help, quit and exit]
// Python's REPL answers `help`, `quit` and `exit` typed without parentheses, and
// people type them here too. A line that is only one of these words (or the word
// with `()`, or `help NAME`), while the word is not a bound name, runs the command
// it means (`:help`, `:quit`). Anything else is an ordinary entry.
std::string bare_command(const std::string& line, const Session& session) {
  const std::string t = trimmed(line);
  std::string word = t.substr(0, t.find_first_of(" \t("));
  if (word != "help" && word != "quit" && word != "exit") return "";
  const std::vector<std::string> names = session.names();
  if (std::find(names.begin(), names.end(), word) != names.end()) return "";
  std::string rest = trimmed(t.substr(word.size()));
  if (rest == "()") rest.clear();
  if (rest.size() >= 2 && rest.front() == '(' && rest.back() == ')')
    rest = trimmed(rest.substr(1, rest.size() - 2));
  if (rest.size() >= 2 && (rest.front() == '"' || rest.front() == '\'') && rest.back() == rest.front())
    rest = rest.substr(1, rest.size() - 2);
  if (word != "help" && !rest.empty()) return "";
  // `help NAME` only for a plain name: `help + 1` stays an expression (and an error).
  for (char ch : rest)
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == ':')) return "";
  return word == "help" ? (rest.empty() ? ":help" : ":help " + rest) : ":quit";
}

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

  // Lines are numbered across the whole input, as in a script, when it comes from a
  // pipe; on a terminal each entry starts at line 1 (the person sees the entry).
  uint32_t line_no = 0;     // lines read so far
  uint32_t entry_line = 1;  // the number of the current entry's first line
  auto first_line = [&] { return terminal ? 1u : entry_line; };
  while (!interrupted) {
    std::string line;
    const ReadResult r = reader->read(entry.empty() ? "> " : "... ", line);
    if (r == ReadResult::interrupted) {
      if (!terminal) {
        interrupted = true;
        break;
      }
      // Ctrl-C at a prompt abandons the entry, continuation lines and the line
      // being typed all; the history keeps them, to recall and finish.
      if (!blank(entry + line)) reader->remember(entry + line);
      entry.clear();
      continue;
    }
    if (r == ReadResult::eof) {
      if (!entry.empty() && terminal) {
        // Ctrl-D in an unfinished block cancels the block, as Ctrl-C does; only
        // Ctrl-D at an empty prompt ends the session.
        fmt::print("(the unfinished entry was dropped; Ctrl-D at an empty prompt quits)\n");
        std::fflush(stdout);
        reader->remember(entry);
        entry.clear();
        continue;
      }
      if (!entry.empty()) run([&] { return st.current().run_entry(entry, "<repl>", first_line()); });
      break;
    }
    ++line_no;
    if (entry.empty()) entry_line = line_no;

    if (entry.empty()) {
      if (blank(line)) continue;
      std::string command =
          line.substr(line.find_first_not_of(" \t")).front() == ':' ? line : bare_command(line, st.current());
      if (!command.empty()) {
        reader->remember(line);
        st.line_no = first_line();
        // Only the commands that run statements are timed (not :time itself).
        const bool timed =
            command.find(":grad") != std::string::npos || command.find(":trace") != std::string::npos ||
            command.find(":load") != std::string::npos || command.find(":save") != std::string::npos;
        run([&] { return run_command(st, command); }, timed);
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
    reader->remember(entry);
    run([&] { return st.current().run_entry(entry, "<repl>", first_line()); });
    entry.clear();
  }
  std::fflush(stdout);
  if (terminal) return 0;
  if (interrupted) return kExitInterrupted;
  return failed ? kExitFailed : 0;
}

}  // namespace hinge::lang
