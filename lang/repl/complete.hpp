// Completion for the interactive front ends (the REPL's Tab, the Jupyter kernel's
// complete_request): which words can finish the one under the cursor — bound
// names, builtins, constants, keywords, and `:commands` — independent of libedit.
#pragma once
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hinge::lang {

// One REPL command, for `:help`, completion and did-you-mean.
struct ReplCommand {
  std::string_view name;     // "help" (typed ":help")
  std::string_view args;     // "[NAME]"
  std::string_view summary;  // one line
};
std::span<const ReplCommand> repl_commands();

// Characters that end a word for completion: whitespace, brackets, operators.
inline constexpr const char* kCompletionBreaks = " \t\n()[]{},;+-*/^@<>=!%&|\"";

// What completion offers for the word line[start, end) (the cursor is at `end`),
// sorted and unique. Builtin functions come with their '(' ("linspace("), so a
// unique match leaves the cursor inside the call. `names` are the session's
// bound names. `files` is set when the word is a path (after `:load`/`:save`):
// the caller then completes file names instead.
struct Completion {
  std::vector<std::string> words;
  bool files = false;
};
Completion complete_word(std::string_view line, std::size_t start, std::size_t end,
                         std::span<const std::string> names);

}  // namespace hinge::lang
