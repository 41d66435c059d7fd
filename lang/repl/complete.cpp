// Completion (REPL and Jupyter kernel): the candidate words for the word under the cursor, chosen
// by where it sits (a `:command`, its argument, or an ordinary expression).
#include "repl/complete.hpp"

#include <algorithm>

#include "builtins/builtin.hpp"
#include "syntax/keywords.hpp"

namespace hinge::lang {

namespace {

constexpr ReplCommand kCommands[] = {
    {"help", "[NAME]", "statements and commands; a builtin's signature, doc and example"},
    {"vars", "", "the bound names with their kinds and shapes"},
    {"grad", "Y [wrt X, ...]", "gradient of Y (default: with respect to every param it depends on)"},
    {"trace", "Y", "the graph behind Y: values, local partials, gradients"},
    {"time", "on|off", "show the wall time of each entry"},
    {"load", "FILE", "load a checkpoint, or run a script in this session (its names stay bound)"},
    {"save", "FILE", "save every param of the session to a checkpoint"},
    {"reset", "", "start a fresh session (same seed and dtype)"},
    {"quit", "", "leave (Ctrl-D on an empty line does too)"},
};

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::string_view trim_left(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

}  // namespace

std::span<const ReplCommand> repl_commands() { return kCommands; }

Completion complete_word(std::string_view line, std::size_t start, std::size_t end,
                         std::span<const std::string> names) {
  Completion c;
  end = std::min(end, line.size());
  start = std::min(start, end);
  const std::string_view word = line.substr(start, end - start);
  auto offer = [&](std::string_view candidate, std::string_view suffix = {}) {
    if (starts_with(candidate, word)) c.words.push_back(std::string(candidate) + std::string(suffix));
  };

  // `:command ARG`: what the command takes.
  const std::string_view before = trim_left(line.substr(0, start));
  if (!before.empty() && before.front() == ':') {
    std::string_view cmd = before.substr(1);
    cmd = cmd.substr(0, cmd.find_first_of(" \t"));
    if (cmd == "load" || cmd == "save") {
      c.files = true;
      return c;
    }
    if (cmd == "time") {
      offer("on");
      offer("off");
    } else if (cmd == "help") {
      for (const Builtin& b : builtins()) offer(b.name);
      for (const syntax::Keyword& k : syntax::kKeywords) offer(k.word);
      for (const ReplCommand& rc : kCommands) offer(std::string(":") + std::string(rc.name));
    } else if (cmd == "grad" || cmd == "trace") {
      for (const std::string& n : names) offer(n);
      offer("wrt");
    }
  } else if (before.empty() && starts_with(word, ":")) {
    // The command itself (the break characters leave ':' in the word).
    for (const ReplCommand& rc : kCommands) offer(std::string(":") + std::string(rc.name));
  } else {
    for (const std::string& n : names) offer(n);
    for (const Builtin& b : builtins())
      if (std::find(names.begin(), names.end(), b.name) == names.end()) offer(b.name, "(");
    for (const auto& [name, value] : constants()) offer(name);
    for (const syntax::Keyword& k : syntax::kKeywords) offer(k.word);
  }
  std::sort(c.words.begin(), c.words.end());
  c.words.erase(std::unique(c.words.begin(), c.words.end()), c.words.end());
  return c;
}

}  // namespace hinge::lang
