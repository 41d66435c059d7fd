// The words of the language in one table: the grammar (parser_def.hpp), the pre-pass,
// the parser's messages and REPL completion all read it.
#pragma once

#include <span>
#include <string_view>

namespace hinge::lang::syntax {

// Note [Keywords]
// A reserved word can never be a name (`let let = 1` is an error). A contextual word
// means something only where the grammar expects it (`steps` after a train count,
// `line` after `plot`) and is an ordinary name anywhere else. The grammar's keyword
// parser kw() accepts only words of this table (checked when the grammar compiles),
// so a word the grammar uses cannot be missing here.
struct Keyword {
  std::string_view word;
  bool reserved;  // never a name (Note [Keywords])
  bool operand;   // a value itself (true, false): a '-' after it is binary
  bool starts;    // begins a statement (let, print, ...): a misspelling of it gets a hint
};

// Alphabetical.
inline constexpr Keyword kKeywords[] = {
    {"and", true, false, false},     {"as", false, false, false},      {"at", false, false, false},
    {"batch", false, false, false},  {"check", false, false, false},   {"def", true, false, true},
    {"else", true, false, false},    {"every", false, false, false},   {"false", true, true, false},
    {"for", true, false, true},      {"from", false, false, false},    {"full", false, false, false},
    {"grad", true, false, true},     {"gradcheck", true, false, true}, {"grads", false, false, false},
    {"hist", false, false, false},   {"if", true, false, true},        {"import", true, false, true},
    {"in", true, false, false},      {"let", true, false, true},       {"line", false, false, false},
    {"load", true, false, true},     {"log", false, false, false},     {"not", true, false, false},
    {"or", true, false, false},      {"param", true, false, true},     {"pattern", true, false, true},
    {"plot", true, false, true},     {"print", true, false, true},     {"quiet", false, false, false},
    {"record", false, false, false}, {"regions", false, false, false}, {"return", true, false, true},
    {"save", true, false, true},     {"scatter", false, false, false}, {"steps", false, false, false},
    {"to", false, false, false},     {"trace", true, false, true},     {"train", true, false, true},
    {"true", true, true, false},     {"with", true, false, false},     {"wrt", true, false, false},
};

/// The entry of `word`, or nullptr when it is no keyword at all.
constexpr const Keyword* find_keyword(std::string_view word) {
  for (const Keyword& k : kKeywords)
    if (k.word == word) return &k;
  return nullptr;
}

/// A word that can never be a name.
constexpr bool is_reserved(std::string_view word) {
  const Keyword* k = find_keyword(word);
  return k != nullptr && k->reserved;
}

}  // namespace hinge::lang::syntax
