// Source text of one script or REPL entry, and byte spans into it.
// Line and column lookup for diagnostics (1-based, columns in UTF-8 code points).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hinge::lang {

/// A half-open range of byte offsets [begin, end) into Source::text.
struct Span {
  uint32_t begin = 0;
  uint32_t end = 0;

  uint32_t size() const { return end - begin; }
  bool operator==(const Span&) const = default;
};

/// A 1-based position for humans: `line` counts '\n', `column` counts code points.
struct Location {
  uint32_t line = 1;
  uint32_t column = 1;
};

/// One named text. Build it with make_source() so line_starts is filled.
///
/// **Example**
///     auto src = make_source("model.hinge", "let x = 1\nprint x\n");
///     src.location(14);   // {2, 5}
struct Source {
  std::string name;                   // shown in diagnostics: "model.hinge", "<repl>"
  std::string text;                   // the bytes as read (UTF-8 expected, not required)
  std::vector<uint32_t> line_starts;  // offset of the first byte of each line; [0] == 0
  uint32_t first_line = 1;            // the number of the text's first line (a piped REPL
                                      // entry continues the numbering of the input)

  /// Line and column of a byte offset (offsets past the end clamp to the end).
  Location location(uint32_t offset) const;
  /// The text of a line numbered as location() numbers it, without its '\n' (nor a
  /// trailing '\r').
  std::string_view line_text(uint32_t line) const;
  /// Offset of the first byte of a line numbered as location() numbers it.
  uint32_t line_start(uint32_t line) const;
};

/// Makes a Source and computes its line table; its lines are numbered from
/// `first_line`.
Source make_source(std::string name, std::string text, uint32_t first_line = 1);

}  // namespace hinge::lang
