// Rendering of diagnostics: the header line, the source line and the caret line.
#include "syntax/diagnostics.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace hinge::lang {

Error::Error(Diagnostic diagnostic)
    : std::runtime_error(diagnostic.message), diagnostic_(std::move(diagnostic)) {}

namespace {

constexpr uint32_t tab_width = 4;

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

std::string render(const Source& source, const Diagnostic& diagnostic) {
  Location loc = source.location(diagnostic.span.begin);
  std::string out =
      fmt::format("{}:{}:{}: error: {}\n", source.name, loc.line, loc.column, diagnostic.message);

  std::string_view line = source.line_text(loc.line);
  uint32_t line_begin = source.line_start(loc.line);
  uint32_t begin = std::clamp<uint32_t>(diagnostic.span.begin, line_begin,
                                        line_begin + static_cast<uint32_t>(line.size()));
  uint32_t end =
      std::clamp<uint32_t>(diagnostic.span.end, begin, line_begin + static_cast<uint32_t>(line.size()));

  // Walk the line once, expanding tabs, and note the display columns of the span.
  std::string shown;
  uint32_t caret_col = 0, tilde_end = 0;
  bool caret_set = false;
  for (uint32_t i = 0; i <= line.size(); ++i) {
    uint32_t offset = line_begin + i;
    if (offset == begin && !caret_set) {
      caret_col = static_cast<uint32_t>(shown.size());
      caret_set = true;
    }
    if (i == line.size()) break;
    char c = line[i];
    if (c == '\t') {
      shown.append(tab_width - shown.size() % tab_width, ' ');
    } else {
      shown.push_back(c);
    }
    // Display width counts code points, not bytes; track the columns in `cols`.
    if (offset < end) tilde_end = static_cast<uint32_t>(shown.size());
  }
  // Convert byte positions in `shown` into code-point columns.
  auto columns = [&](uint32_t bytes) {
    uint32_t n = 0;
    for (uint32_t i = 0; i < bytes && i < shown.size(); ++i)
      if (!is_continuation(shown[i])) ++n;
    return n;
  };
  uint32_t caret = columns(caret_col);
  uint32_t width = end > begin ? std::max<uint32_t>(columns(tilde_end), caret + 1) - caret : 1;

  out += fmt::format("    {}\n", shown);
  out += fmt::format("    {}^{}\n", std::string(caret, ' '), std::string(width - 1, '~'));
  return out;
}

std::string escape_for_message(std::string_view text, std::size_t max) {
  std::string r;
  for (unsigned char ch : text.substr(0, max)) {
    if (ch == '\\')
      r += "\\\\";
    else if (ch == '\'')
      r += "\\'";
    else if (ch < 0x20 || ch == 0x7f)
      r += fmt::format("\\x{:02x}", ch);
    else
      r += static_cast<char>(ch);
  }
  return text.size() > max ? r + "..." : r;
}

}  // namespace hinge::lang
