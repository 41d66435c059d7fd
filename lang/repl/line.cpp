// Reading the REPL's lines: the plain reader for pipes, and the libedit glue for
// terminals (callback interface, history file, completion, Ctrl-C at the prompt).
#include "repl/line.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include <editline/readline.h>
#include <fmt/format.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "eval/session.hpp"
#include "hinge/atomic_file.hpp"
#include "hinge/errors.hpp"
#include "hinge/escape.hpp"
#include "repl/complete.hpp"
#include "syntax/keywords.hpp"

namespace hinge::lang {

namespace fs = std::filesystem;

// ---------------------------------------------------------------- pipes

namespace {

class PipeReader final : public LineReader {
 public:
  explicit PipeReader(std::FILE* in) : in_(in) {}

  ReadResult read(const std::string&, std::string& line) override {
    // Byte by byte rather than fgets: a NUL stays in the line (where the parser
    // reports it) instead of cutting the line and merging it with the next one.
    line.clear();
    for (;;) {
      const int c = std::getc(in_);
      if (c == EOF) {
        // SIGINT while waiting on a pipe: the person wants out, not a fresh prompt.
        if (interrupt_requested()) return ReadResult::interrupted;
        if (std::ferror(in_) && errno == EINTR) {
          std::clearerr(in_);
          continue;
        }
        if (line.empty()) return ReadResult::eof;
        return ReadResult::line;  // a last line without '\n'
      }
      if (c == '\n') {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return ReadResult::line;
      }
      line += static_cast<char>(c);
    }
  }

 private:
  std::FILE* in_;
};

}  // namespace

std::unique_ptr<LineReader> make_pipe_reader(std::FILE* in) { return std::make_unique<PipeReader>(in); }

// ---------------------------------------------------------------- history file

std::string default_history_file() {
  fs::path dir;
  if (const char* state = std::getenv("XDG_STATE_HOME"); state && *state == '/') {
    dir = fs::path(state) / "hinge";
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    dir = fs::path(home) / ".local" / "state" / "hinge";
  } else {
    return "";
  }
  return (dir / "history").string();
}

// ---------------------------------------------------------------- libedit

// Note [libedit's callback interface]
// libedit's blocking readline() swallows the first SIGINT (its read loop retries
// once on EINTR) and re-raises signals to the whole process group. So, like
// Python's readline module, we use the callback interface: we wait for input with
// poll() (which SIGINT interrupts, our handler having no SA_RESTART) and feed
// libedit one character at a time. Ctrl-C at the prompt then simply removes the
// handler (restoring the terminal) and the next read installs it again, which
// clears the line and draws a fresh prompt. rl_catch_signals = 0 keeps libedit's
// own handlers out of the way.

namespace {

struct EditState {
  bool done = false;
  bool eof = false;
  std::string line;
  std::vector<std::string> matches;  // of the completion in progress
  NameSource names;
};
EditState* g_edit = nullptr;  // the live EditReader's state (libedit's interface is global)

extern "C" void on_line(char* line) {
  g_edit->done = true;
  if (line) {
    g_edit->line = line;
    std::free(line);
  } else {
    g_edit->eof = true;
  }
  rl_callback_handler_remove();
}

extern "C" char* next_match(const char*, int state) {
  static std::size_t i = 0;
  if (state == 0) i = 0;
  if (i < g_edit->matches.size()) return strdup(g_edit->matches[i++].c_str());
  return nullptr;
}

extern "C" char** on_complete(const char* text, int start, int end) {
  rl_attempted_completion_over = 1;  // never fall back to file names unless asked
  const std::string line(rl_line_buffer ? rl_line_buffer : "",
                         rl_line_buffer ? static_cast<std::size_t>(rl_end) : 0);
  std::vector<std::string> names;
  if (g_edit->names) names = g_edit->names();
  Completion c = complete_word(line, static_cast<std::size_t>(std::max(start, 0)),
                               static_cast<std::size_t>(std::max(end, 0)), names);
  if (c.files) {
    rl_attempted_completion_over = 0;
    rl_completion_append_character = '\0';
    return nullptr;
  }
  g_edit->matches = std::move(c.words);
  if (g_edit->matches.empty()) return nullptr;
  // A unique call completes to `name(` with the cursor inside; a command or
  // keyword gets the space that must follow it; a name gets nothing (an operator,
  // an index or a call may come next).
  const std::string& only = g_edit->matches.front();
  const bool word_like = only.front() == ':' || (g_edit->matches.size() == 1 && only.back() != '(' &&
                                                 std::find(names.begin(), names.end(), only) == names.end() &&
                                                 syntax::find_keyword(only) != nullptr);
  rl_completion_append_character = word_like ? int{' '} : 0;
  return rl_completion_matches(text, next_match);
}

class EditReader final : public LineReader {
 public:
  EditReader(NameSource names, std::string history_file, std::FILE* err)
      : history_file_(std::move(history_file)), err_(err) {
    state_.names = std::move(names);
    g_edit = &state_;
    rl_readline_name = "hinge";
    rl_catch_signals = 0;
    rl_attempted_completion_function = on_complete;
    rl_basic_word_break_characters = kCompletionBreaks;  // what libedit's rl_complete reads
    rl_completer_word_break_characters = const_cast<char*>(kCompletionBreaks);
    using_history();
    stifle_history(kHistoryEntries);
    load();
  }

  ~EditReader() override {
    if (installed_) rl_callback_handler_remove();
    g_edit = nullptr;
  }

  ReadResult read(const std::string& prompt, std::string& line) override {
    state_.done = state_.eof = false;
    state_.line.clear();
    rl_callback_handler_install(prompt.c_str(), on_line);
    installed_ = true;
    const int fd = fileno(rl_instream ? rl_instream : stdin);
    // SIGINT is blocked except inside ppoll, so a Ctrl-C that lands between the
    // check of the flag and the wait still interrupts the wait. But the signal is
    // process-wide: while this thread blocks it, another thread (OpenBLAS keeps
    // some) may take it, set the flag and leave ppoll asleep. Hence the timeout:
    // the flag is looked at every 100 ms at worst.
    sigset_t block, waiting;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    pthread_sigmask(SIG_BLOCK, &block, &waiting);
    sigdelset(&waiting, SIGINT);
    struct Unblock {
      sigset_t* set;
      ~Unblock() { pthread_sigmask(SIG_UNBLOCK, set, nullptr); }
    } unblock{&block};
    static constexpr timespec kTick{0, 100'000'000};
    while (!state_.done) {
      pollfd p{fd, POLLIN, 0};
      const int r = interrupt_requested() ? -1 : ::ppoll(&p, 1, &kTick, &waiting);
      if (r == 0) continue;  // the tick: look at the flag again
      if (r < 0 && (interrupt_requested() || errno == EINTR)) {
        if (!interrupt_requested()) continue;  // another signal (a resize)
        clear_interrupt();
        if (rl_line_buffer) line = rl_line_buffer;  // what was typed: kept in the history
        rl_callback_handler_remove();               // back to cooked mode; the next install clears the line
        installed_ = false;
        std::fputs("^C\n", stdout);  // the abandoned line stays visible, marked as not run
        std::fflush(stdout);
        return ReadResult::interrupted;
      }
      if (r < 0 || (p.revents & (POLLERR | POLLNVAL))) break;
      rl_callback_read_char();
    }
    if (!state_.done) {  // the terminal went away
      rl_callback_handler_remove();
      installed_ = false;
      return ReadResult::eof;
    }
    installed_ = false;  // on_line removed the handler
    if (state_.eof) {
      std::fputs("\n", stdout);  // leave the shell's prompt on a line of its own
      std::fflush(stdout);
      return ReadResult::eof;
    }
    line = std::move(state_.line);
    return ReadResult::line;
  }

  void remember(const std::string& entry) override {
    std::string item = entry;
    while (!item.empty() && (item.back() == '\n' || item.back() == '\r')) item.pop_back();
    if (item.find_first_not_of(" \t\n") == std::string::npos) return;
    if (item == last_) return;  // a recalled entry run again is not a new item
    last_ = item;
    add_history(item.c_str());
    save();
  }

 private:
  // Reads the history file when it is a regular file (links followed). A FIFO
  // there kept the REPL from starting until a Ctrl-C; anything but a regular file
  // is neither read nor written.
  void load() {
    if (history_file_.empty()) return;
    std::error_code ec;
    const fs::file_status st = fs::status(history_file_, ec);
    if (ec || st.type() == fs::file_type::not_found) return;
    if (st.type() != fs::file_type::regular) {
      give_up(fmt::format("{}: not a regular file", history_file_));
      return;
    }
    read_history(history_file_.c_str());
  }

  // Rewrites the history file after every entry, so a killed session keeps its
  // history. libedit writes its format (a cookie line, entries escaped with vis(3))
  // only to a path: to one in a private directory of this process's own, whose
  // text then replaces the file as every file hinge writes is replaced
  // (write_file_atomic: only a regular file, links followed, hard links refused,
  // the mode kept, a new file private, a crash never truncating it).
  void save() {
    if (history_file_.empty() || warned_) return;
    std::error_code ec;
    fs::create_directories(fs::path(history_file_).parent_path(), ec);
    std::string dir = (fs::temp_directory_path(ec) / "hinge-history-XXXXXX").string();
    if (ec || ::mkdtemp(dir.data()) == nullptr) {
      give_up(fmt::format("{}: cannot make a private directory to write it: {}", history_file_,
                          std::strerror(errno)));
      return;
    }
    const std::string scratch = dir + "/history";
    std::string text;
    bool written = write_history(scratch.c_str()) == 0;
    if (written) {
      try {
        text = read_file(scratch);
      } catch (const hinge::Error&) {
        written = false;
      }
    }
    fs::remove_all(dir, ec);
    if (!written) {
      give_up(fmt::format("{}: libedit could not write it", history_file_));
      return;
    }
    try {
      write_file_atomic(history_file_, text, 0600);
    } catch (const hinge::Error& e) {
      give_up(e.what());
    }
  }

  // Says once why the history is not kept ("PATH: reason"), and stops trying.
  void give_up(const std::string& why) {
    fmt::print(err_, "warning: cannot keep the history: {}; it is kept for this session only\n",
               terminal_escape(why));
    warned_ = true;
  }

  EditState state_;
  std::string last_;  // the newest history item of this session
  std::string history_file_;
  std::FILE* err_;
  bool installed_ = false;
  bool warned_ = false;
};

}  // namespace

std::unique_ptr<LineReader> make_edit_reader(NameSource names, std::string history_file, std::FILE* err) {
  return std::make_unique<EditReader>(std::move(names), std::move(history_file), err);
}

}  // namespace hinge::lang
