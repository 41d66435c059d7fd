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
};

// Alphabetical.
inline constexpr Keyword kKeywords[] = {
    {"and", true, false},    {"as", false, false},       {"at", false, false},      {"batch", false, false},
    {"check", false, false}, {"def", true, false},       {"else", true, false},     {"every", false, false},
    {"false", true, true},   {"for", true, false},       {"from", false, false},    {"full", false, false},
    {"grad", true, false},   {"gradcheck", true, false}, {"grads", false, false},   {"hist", false, false},
    {"if", true, false},     {"import", true, false},    {"in", true, false},       {"let", true, false},
    {"line", false, false},  {"load", true, false},      {"log", false, false},     {"not", true, false},
    {"or", true, false},     {"param", true, false},     {"pattern", true, false},  {"plot", true, false},
    {"print", true, false},  {"quiet", false, false},    {"record", false, false},  {"regions", false, false},
    {"return", true, false}, {"save", true, false},      {"scatter", false, false}, {"steps", false, false},
    {"to", false, false},    {"trace", true, false},     {"train", true, false},    {"true", true, true},
    {"with", true, false},   {"wrt", true, false},
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
