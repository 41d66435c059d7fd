// Shift-Tab in a notebook (inspect_request): what the word under the cursor is.
// Bindings shadow builtins, as they do when the code runs.
#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "builtins/builtin.hpp"
#include "eval/interpreter.hpp"
#include "jupyter/kernel.hpp"

namespace hinge::lang::jupyter {

namespace {

bool word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// The identifier around byte `at`, or the one just before an opening bracket
// ("relu(|" asks about relu).
std::string word_at(std::string_view code, std::size_t at) {
  at = std::min(at, code.size());
  if ((at == code.size() || !word_char(code[at])) && at > 0 && code[at - 1] == '(') --at;
  std::size_t b = at, e = at;
  while (b > 0 && word_char(code[b - 1])) --b;
  while (e < code.size() && word_char(code[e])) ++e;
  return std::string(code.substr(b, e - b));
}

// What print_help_topic writes, as a string ("" when it knows no such topic).
std::string help_of(const std::string& name, const SessionOptions& options) {
  char* buffer = nullptr;
  std::size_t size = 0;
  std::FILE* f = open_memstream(&buffer, &size);
  if (!f) return "";
  const bool known = print_help_topic(f, name, options);
  std::fclose(f);
  std::string text = known && buffer ? std::string(buffer, size) : "";
  std::free(buffer);
  return text;
}

}  // namespace

std::string inspect_text(ReplState& state, std::string_view code, std::size_t at) {
  const std::string word = word_at(code, at);
  if (word.empty()) return "";
  Interpreter& in = state.current().interpreter();
  const Scope& globals = in.globals();
  if (auto it = globals.find(word); it != globals.end()) {
    const VarRow r = describe_binding(word, it->second);
    std::string text = fmt::format("{}: {}", word, r.kind);
    if (!r.shape.empty()) text += " " + r.shape;
    if (!r.value.empty()) text += "\n" + r.value;
    return text + "\n";
  }
  if (const Builtin* b = find_builtin(word)) {
    std::string text = fmt::format("{}({})\n\n{}\n", b->name, b->params, b->doc);
    if (!b->example.empty()) text += fmt::format("\nexample: {}\n", b->example);
    return text;
  }
  return help_of(word, state.current().options());
}

}  // namespace hinge::lang::jupyter
