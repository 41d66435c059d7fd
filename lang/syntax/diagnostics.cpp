// Rendering of diagnostics: the header line, the source line and the caret line.
#include "syntax/diagnostics.hpp"

#include <algorithm>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "hinge/escape.hpp"

namespace hinge::lang {

Error::Error(Diagnostic diagnostic)
    : std::runtime_error(diagnostic.message), diagnostic_(std::move(diagnostic)) {}

void Error::add_note(std::string_view note) {
  if (diagnostic_.note.ends_with(note)) return;  // a recursion's calls, one note for them all
  if (diagnostic_.added_notes++ < kMaxAddedNotes) diagnostic_.note += note;
}

namespace {

constexpr uint32_t tab_width = 4;
// The widest source line shown; a longer one is cut to a window around the caret.
constexpr uint32_t max_shown_columns = 160;

// One source character as shown: tabs expanded, the rest as terminal_escape shows
// it (hinge/escape.hpp: control characters, bidirectional controls and bytes that
// are not UTF-8 as escapes), so a binary file or an escape sequence in a script
// never reaches the terminal raw.
struct Cell {
  uint32_t offset;  // byte offset in the line
  std::string text;
  uint32_t columns;
};

std::vector<Cell> cells_of(std::string_view line) {
  std::vector<Cell> cells;
  uint32_t column = 0;
  for (std::size_t i = 0; i < line.size();) {
    Cell c{static_cast<uint32_t>(i), {}, 1};
    std::size_t n = 1;
    if (line[i] == '\t') {
      c.columns = tab_width - column % tab_width;
      c.text.assign(c.columns, ' ');
    } else {
      n = append_terminal_char(c.text, line, i);
      // An escape takes a column per character; a character shown as it is, one.
      if (c.text.size() > 1 && c.text[0] == '\\') c.columns = static_cast<uint32_t>(c.text.size());
    }
    column += c.columns;
    cells.push_back(std::move(c));
    i += n;
  }
  return cells;
}

// text with its control characters and non-UTF-8 bytes escaped, cut after
// max_bytes with "..."; with `quotes`, backslash and quote escaped too.
std::string escaped(std::string_view text, std::size_t max_bytes, bool quotes) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    if (out.size() >= max_bytes) return out + "...";
    const char b = text[i];
    if (quotes && (b == '\\' || b == '\'')) {
      out += b == '\\' ? "\\\\" : "\\'";
      ++i;
    } else {
      i += append_terminal_char(out, text, i);
    }
  }
  return out;
}

}  // namespace

std::string escape_for_message(std::string_view text, std::size_t max_bytes) {
  return escaped(text, max_bytes, true);
}

namespace {

// render and render_note: the header says `label` ("error" or "note").
std::string render_as(const Source& source, const Diagnostic& diagnostic, std::string_view label) {
  Location loc = source.location(diagnostic.span.begin);
  // The message as well as the name: a message may quote a path or a value as it
  // came (an error of the system, a file's contents), and must not drive the
  // terminal.
  std::string out = fmt::format("{}:{}:{}: {}: {}\n", escape_for_message(source.name, 200), loc.line,
                                loc.column, label, escaped(diagnostic.message, std::string::npos, false));

  std::string_view line = source.line_text(loc.line);
  uint32_t line_begin = source.line_start(loc.line);
  uint32_t begin = std::clamp<uint32_t>(diagnostic.span.begin, line_begin,
                                        line_begin + static_cast<uint32_t>(line.size())) -
                   line_begin;
  uint32_t end = std::clamp<uint32_t>(diagnostic.span.end, begin + line_begin,
                                      line_begin + static_cast<uint32_t>(line.size())) -
                 line_begin;

  // A long line (a csv row of a gigabyte) is cut to the bytes around the caret
  // before its cells are made: a cell per character would be 48 bytes of it. Each
  // side keeps enough characters for the widest window (4 bytes each at most).
  constexpr uint32_t kKeptBytes = 4 * max_shown_columns;
  bool cut_left = false, cut_right = false;
  if (line.size() > 4 * kKeptBytes) {
    auto starts_char = [&](uint32_t at) { return (static_cast<unsigned char>(line[at]) & 0xC0) != 0x80; };
    uint32_t lo = begin > kKeptBytes ? begin - kKeptBytes : 0;
    while (lo < begin && !starts_char(lo)) ++lo;
    uint32_t hi = std::min(static_cast<uint32_t>(line.size()), begin + kKeptBytes);
    while (hi < line.size() && !starts_char(hi)) ++hi;
    cut_left = lo > 0;
    cut_right = hi < line.size();
    line = line.substr(lo, hi - lo);
    begin -= lo;
    end = std::min(end, hi) - lo;
  }

  // The columns of the span: the caret under its first character, tildes to its end.
  const std::vector<Cell> cells = cells_of(line);
  std::vector<uint32_t> column_at(cells.size() + 1, 0);
  for (std::size_t k = 0; k < cells.size(); ++k) column_at[k + 1] = column_at[k] + cells[k].columns;
  std::size_t first = cells.size(), last = cells.size();  // the span's cells [first, last)
  for (std::size_t k = 0; k < cells.size(); ++k) {
    if (first == cells.size() && cells[k].offset >= begin) first = k;
    if (cells[k].offset < end) last = k + 1;
  }
  if (last < first) last = first;
  const uint32_t total = column_at[cells.size()];
  const uint32_t caret = column_at[first];
  const uint32_t width = std::max<uint32_t>(column_at[last] - caret, 1);

  // A long line shows a window around the caret, "..." where it was cut.
  uint32_t from = 0, to = total;
  if (total > max_shown_columns) {
    from = caret > max_shown_columns / 2 ? caret - max_shown_columns / 2 : 0;
    to = std::min(total, from + max_shown_columns);
    if (to == total) from = total - max_shown_columns;
  }
  std::string shown = from > 0 || cut_left ? "..." : "";
  const uint32_t lead = static_cast<uint32_t>(shown.size());
  uint32_t shown_from = from;
  for (std::size_t k = 0; k < cells.size(); ++k) {
    if (column_at[k] < from) {
      if (column_at[k + 1] > from) shown_from = column_at[k + 1];  // a cell cut in two is left out
      continue;
    }
    if (column_at[k + 1] > to) break;
    shown += cells[k].text;
  }
  const bool cut_after = to < total || cut_right;
  if (cut_after) shown += "...";
  const uint32_t caret_shown = caret >= shown_from ? lead + caret - shown_from : lead;
  const uint32_t tildes = std::min(width, to >= caret ? to - caret + (cut_after ? 3 : 0) : 1);

  out += fmt::format("    {}\n", shown);
  out += fmt::format("    {}^{}\n", std::string(caret_shown, ' '),
                     std::string(std::max<uint32_t>(tildes, 1) - 1, '~'));
  return out;
}

}  // namespace

// The note was rendered by render_note, escaped and cut there.
std::string render(const Source& source, const Diagnostic& diagnostic) {
  return render_as(source, diagnostic, "error") + diagnostic.note;
}

std::string render_note(const Source& source, const Diagnostic& diagnostic) {
  return render_as(source, diagnostic, "note");
}

}  // namespace hinge::lang
