// Session: one running hinge program or REPL — its graph, bindings, seeded RNG,
// limits and output streams — and the entry points that run scripts and entries.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "hinge/dtype.hpp"

namespace hinge {
class Graph;
}

namespace hinge::lang {

class Interpreter;

/// How a run ended. The `hinge` command maps these to exit codes (app/cli.cpp).
enum class Status {
  ok,             // every statement ran
  syntax_error,   // the program did not parse (nothing ran)
  runtime_error,  // a statement failed while running (a diagnostic was printed)
  interrupted,    // SIGINT stopped a train or loop at a step boundary
  cannot_read,    // the script file could not be read
};

/// Resource limits: each gives a clear error instead of a hang or crash.
struct Limits {
  int64_t max_elements = int64_t{1} << 28;  // largest tensor, in elements
  int64_t max_iterations = 100'000'000;     // loop iterations + user calls per run
  int max_call_depth = 200;                 // nested user-function calls
};

/// A picture, table or value for a host that shows rich output (the Jupyter
/// kernel), as MIME type -> content: {"image/svg+xml", "<svg ..."}, {"text/html",
/// "<table>..."}, always with a "text/plain" form first.
/// `trace` adds its graph as DOT under this type (kMaxDrawnNodes nodes at most); a
/// host that can draw it shows the picture, and no host shows the DOT text itself.
inline constexpr const char* kDotMime = "text/vnd.graphviz";
inline constexpr std::size_t kMaxDrawnNodes = 200;

struct Display {
  std::vector<std::pair<std::string, std::string>> data;
  bool result = false;  // the value of a bare expression (what the REPL echoes)
  std::string id;       // names a display that later ones with `update` replace ("" none)
  bool update = false;  // replaces the display `id` in place (training progress)
};

struct SessionOptions {
  DType dtype = DType::f64;  // of new tensors (`--dtype f32`)
  uint64_t seed = 0;         // of the session RNG (`--seed N`)
  Limits limits;
  std::FILE* out = stdout;        // print, reports, REPL echo
  std::FILE* err = stderr;        // diagnostics
  bool terminal = false;          // `out` is a terminal: progress bars, braille plots
  bool color = false;             // ANSI colours in `out` (a terminal, NO_COLOR unset)
  int columns = 0;                // the width of `out` in characters (0: not a terminal)
  std::vector<std::string> args;  // script arguments, bound to `args` as strings
  // Time source for training reports; empty means the steady clock. Golden tests
  // use a fake clock so "steps/s" reads the same on every run.
  std::function<std::chrono::steady_clock::time_point()> clock;
  // Set by a host that shows pictures (the Jupyter kernel): plots without `to` give
  // their SVG, `trace` its HTML table, echoed values their text and HTML, and
  // training its progress here, instead of drawing text on `out`.
  std::function<void(const Display&)> display;
};

/// **Example**
///     Session s({.seed = 1});
///     s.run_entry("param w = 0.5");          // prints "w = 0.5 (param)"
///     s.run_entry("w * 2");                  // prints "1"
///     Status st = s.run_file("fit.hinge");   // diagnostics go to options.err
class Session {
 public:
  explicit Session(SessionOptions options = {});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// Reads and runs a whole script; stops at the first error.
  Status run_file(const std::string& path);
  /// Runs `text` as a script called `name` (bare expressions print nothing).
  Status run_script(const std::string& name, std::string text);
  /// Runs one REPL entry: bare expressions print their value, `let`/`param`
  /// show what they bound. A failed entry keeps every earlier binding. Its lines
  /// are numbered from `first_line` in diagnostics.
  Status run_entry(std::string text, const std::string& name = "<repl>", uint32_t first_line = 1);
  /// True when `text` fails to parse only because it ended early (an open
  /// bracket or block): the REPL then asks for another line.
  bool is_incomplete(const std::string& text) const;

  /// Names bound in the session (globals), sorted: for `:vars` and completion.
  std::vector<std::string> names() const;
  Graph& graph();
  const SessionOptions& options() const;
  /// The interpreter behind the session (lang-internal: interpreter.hpp).
  Interpreter& interpreter() { return *impl_; }

 private:
  std::unique_ptr<Interpreter> impl_;
};

/// SIGINT: the handler only sets a flag; train and loops poll it at step boundaries.
void install_interrupt_handler();
bool interrupt_requested();
void clear_interrupt();
void request_interrupt();  // what the handler does (tests call it directly)

}  // namespace hinge::lang
