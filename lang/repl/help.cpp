// `:help` (REPL and Jupyter kernel): the overview of statements, commands and builtins, and the
// help of one builtin (signature, doc, example run in a scratch session), one
// statement keyword or one command.
#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "builtins/builtin.hpp"
#include "eval/session.hpp"
#include "repl/commands.hpp"
#include "repl/complete.hpp"

namespace hinge::lang {

namespace {

struct StatementHelp {
  std::string_view keyword;
  std::string_view syntax;
  std::string_view text;
  std::string_view example;
};

// One row per statement; contextual words (`wrt`, `steps`) point at theirs.
constexpr StatementHelp kStatements[] = {
    {"let", "let NAME = EXPR", "binds a name (the REPL shows what was bound)", "let xs = linspace(-3, 3, 7)"},
    {"param", "param NAME = EXPR", "makes a trainable leaf holding a copy of the value",
     "param w = normal([2, 16], std=0.5)"},
    {"def", "def NAME(ARGS) = EXPR   or   def NAME(ARGS) { ... return EXPR }",
     "a user function; it sees the globals when called", "def f(x) = relu(x @ w1 + b1) @ w2 + b2"},
    {"return", "return EXPR", "ends a def body with a value", "def sq(x) { return x * x }"},
    {"if", "if COND { ... } else if COND { ... } else { ... }",
     "the condition is a bool or a one-element tensor",
     "if loss < 0.01 { print \"good\" } else { print \"more steps\" }"},
    {"for", "for NAME in LIST|TENSOR|range(...) { ... }", "a loop; Ctrl-C stops it",
     "for n in [3, 10, 100] { print n }"},
    {"print", "print EXPR, ...", "prints values separated by spaces; strings interpolate {expr:spec}",
     "print \"loss {loss:.4f}\""},
    {"train",
     "train LOSS with OPTIMIZER for N steps [log every K] [batch B from X, Y] [record grads to PATH] [quiet]",
     "replays the loss's graph N times; Ctrl-C stops at the next step and keeps the last completed step",
     "train loss with adam(lr=0.01) for 2000 steps"},
    {"grad", "grad Y [wrt X, ...]",
     "the gradient of a one-element Y (by default for every param it depends on), with its norm and fraction "
     "of "
     "zeros",
     "grad loss wrt w1, b1"},
    {"gradcheck", "gradcheck Y [wrt X, ...]", "reverse-mode gradients against central finite differences",
     "gradcheck loss"},
    {"trace", "trace Y [check] [full] [to PATH]",
     "the graph behind Y, a node a line: op, value, local partials, gradient, notes on blocked, saturated, "
     "vanishing or exploding gradients, and a per-layer summary; `check` adds finite differences for the "
     "params, `full` every field and element unfolded; PATH ending in .dot is Graphviz, .json JSON",
     "trace loss to \"loss.dot\""},
    {"plot", "plot [scatter|regions|hist] XS: YS [as LABEL], ... [to PATH] [with OPTION=VALUE, ...]",
     "an SVG file with `to`, else a plot in the terminal. Options: title, xlabel, ylabel, clabel (the "
     "colour bar's title), logx, logy (true/false), bins, resolution (a region map's grid points per side), "
     "x0, x1, y0, y1 (the box), width, height (the page, in pixels), panels (series per panel, "
     "[2, 2]; ylabel then takes a list)",
     "plot xs: sin(xs), relu(xs) to \"fit.svg\" with title=\"sin\", logy=false"},
    {"pattern", "pattern MODEL at X", "which ReLU units are open for input X", "pattern hidden at [0.5, -1]"},
    {"save", "save NAME, ... to PATH", "writes params to a checkpoint (atomically)",
     "save w1, b1 to \"model.ckpt\""},
    {"load", "load PATH",
     "restores the params a checkpoint holds (the same names and shapes; a session without params gets new "
     "ones)",
     "load \"model.ckpt\""},
    {"import", "import PATH", "runs another script in this session", "import \"lib.hinge\""},
};

constexpr std::pair<std::string_view, std::string_view> kContextual[] = {
    {"else", "if"},      {"in", "for"},     {"with", "train"},   {"steps", "train"}, {"every", "train"},
    {"batch", "train"},  {"from", "train"}, {"record", "train"}, {"grads", "train"}, {"quiet", "train"},
    {"wrt", "grad"},     {"to", "save"},    {"at", "pattern"},   {"as", "plot"},     {"scatter", "plot"},
    {"regions", "plot"}, {"hist", "plot"},  {"check", "trace"},
};

// Runs a builtin's example in a throwaway session and returns what it printed,
// so `:help` shows a real result; "" when it prints nothing or fails.
std::string example_output(std::string_view example, const SessionOptions& like) {
  std::FILE* out = std::tmpfile();
  std::FILE* err = std::tmpfile();
  if (!out || !err) {
    if (out) std::fclose(out);
    if (err) std::fclose(err);
    return "";
  }
  std::string text;
  {
    SessionOptions o;
    o.dtype = like.dtype;
    o.seed = like.seed;
    o.out = out;
    o.err = err;
    Session scratch(o);
    if (scratch.run_entry(std::string(example), "<example>") == Status::ok) {
      std::fflush(out);
      std::rewind(out);
      char buf[4096];
      std::size_t n;
      while ((n = std::fread(buf, 1, sizeof buf, out)) > 0 && text.size() < 4000) text.append(buf, n);
    }
  }
  std::fclose(out);
  std::fclose(err);
  return text;
}

std::string indent(std::string_view text, std::string_view by) {
  std::string r;
  bool at_start = true;
  for (char c : text) {
    if (at_start) r += by;
    r += c;
    at_start = c == '\n';
  }
  return r;
}

}  // namespace

void print_help_overview(std::FILE* out) {
  fmt::print(out,
             "Type a statement or an expression; an expression's value is shown, `let` and `param` show\n"
             "what they bound. An unfinished entry (open bracket, block or string, trailing operator)\n"
             "continues on the next line. An error keeps every binding.\n\n"
             "statements (:help KEYWORD for one)\n");
  for (const StatementHelp& s : kStatements) fmt::print(out, "  {:<10} {}\n", s.keyword, s.example);
  fmt::print(out, "\ncommands\n");
  for (const ReplCommand& c : repl_commands()) {
    const std::string head = fmt::format(":{} {}", c.name, c.args);
    fmt::print(out, "  {:<22} {}\n", head, c.summary);
  }
  fmt::print(out, "\nbuiltins (:help NAME for one)\n");
  for (std::string_view cat : builtin_categories()) {
    std::string line = fmt::format("  {:<12}", cat);
    std::size_t width = line.size();
    bool first = true;
    for (const Builtin& b : builtins()) {
      if (b.category != cat) continue;
      const std::string item = fmt::format("{}{}", first ? "" : ", ", b.name);
      if (width + item.size() > 88) {
        line += ",\n" + std::string(14, ' ');
        width = 14;
        line += b.name;
        width += b.name.size();
      } else {
        line += item;
        width += item.size();
      }
      first = false;
    }
    fmt::print(out, "{}\n", line);
  }
  fmt::print(out, "  {:<12}", "constants");
  bool first = true;
  for (const auto& [name, value] : constants()) {
    fmt::print(out, "{}{}", first ? "" : ", ", name);
    first = false;
  }
  fmt::print(
      out,
      "\n\nkeys: Tab completes names, Up/Down recall history, Ctrl-C clears the line or stops a train,\n"
      "Ctrl-D on an empty line quits.\n");
}

bool print_help_topic(std::FILE* out, std::string_view name, const SessionOptions& options) {
  if (name.size() > 1 && name.front() == ':') name.remove_prefix(1);
  if (const Builtin* b = find_builtin(name)) {
    fmt::print(out, "{}({})  [{}]\n  {}\n", b->name, b->params, b->category, b->doc);
    if (!b->example.empty()) {
      fmt::print(out, "example:\n  > {}\n", b->example);
      const std::string shown = example_output(b->example, options);
      if (!shown.empty()) fmt::print(out, "{}", indent(shown, "  "));
    }
    return true;
  }
  for (const auto& [word, statement] : kContextual)
    if (word == name) name = statement;
  for (const StatementHelp& s : kStatements) {
    if (s.keyword != name) continue;
    fmt::print(out, "{}\n  {}\nexample:\n  {}\n", s.syntax, s.text, s.example);
    return true;
  }
  for (const ReplCommand& c : repl_commands()) {
    if (c.name != name) continue;
    fmt::print(out, ":{} {}\n  {}\n", c.name, c.args, c.summary);
    return true;
  }
  for (const auto& [cname, value] : constants()) {
    if (cname != name) continue;
    fmt::print(out, "{}  [constant]\n  {}\n", cname, value);
    return true;
  }
  return false;
}

std::vector<std::string> help_topics() {
  std::vector<std::string> all;
  for (const Builtin& b : builtins()) all.emplace_back(b.name);
  for (const StatementHelp& s : kStatements) all.emplace_back(s.keyword);
  for (const auto& [word, statement] : kContextual) all.emplace_back(word);
  for (const ReplCommand& c : repl_commands()) all.emplace_back(c.name);
  for (const auto& [name, value] : constants()) all.emplace_back(name);
  return all;
}

}  // namespace hinge::lang
