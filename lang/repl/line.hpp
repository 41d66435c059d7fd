// Reading the REPL's lines: from a terminal through libedit (prompts, editing,
// history file, tab completion, Ctrl-C clears the line), or plainly from a pipe.
#pragma once
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace hinge::lang {

enum class ReadResult {
  line,         // a line was read (without its '\n')
  eof,          // end of input (Ctrl-D on an empty line)
  interrupted,  // Ctrl-C at the prompt: the line was discarded
};

class LineReader {
 public:
  virtual ~LineReader() = default;
  // Shows `prompt` (a terminal only) and reads one line into `line`. Ctrl-C
  // (ReadResult::interrupted) leaves in `line` what was typed of it, if anything.
  virtual ReadResult read(const std::string& prompt, std::string& line) = 0;
  // Adds an entry to the history (and the history file), if there is one. An entry
  // of several lines is one item: Up recalls it whole.
  virtual void remember(const std::string& entry) { (void)entry; }
};

// Lines from `in`, no prompts, no escape codes.
std::unique_ptr<LineReader> make_pipe_reader(std::FILE* in);

// The session's names, for completion (asked afresh at each Tab).
using NameSource = std::function<std::vector<std::string>()>;

// libedit on the terminal at stdin/stdout. History is read from and written to
// `history_file` (unless empty); a file that cannot be written gives one warning
// on `err`. Only one editing reader may exist at a time (libedit's readline
// interface is global).
std::unique_ptr<LineReader> make_edit_reader(NameSource names, std::string history_file, std::FILE* err);

// $XDG_STATE_HOME/hinge/history, else $HOME/.local/state/hinge/history, else "".
std::string default_history_file();

// Entries kept in the history file.
inline constexpr int kHistoryEntries = 1000;

}  // namespace hinge::lang
