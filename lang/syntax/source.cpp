// Line tables and offset -> line:column lookup for Source.
#include "syntax/source.hpp"

#include <algorithm>

namespace hinge::lang {

namespace {

std::vector<uint32_t> compute_line_starts(std::string_view text) {
  std::vector<uint32_t> starts{0};
  for (size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') starts.push_back(static_cast<uint32_t>(i + 1));
  return starts;
}

// A UTF-8 continuation byte (10xxxxxx) does not start a code point.
bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

Source make_source(std::string name, std::string text, uint32_t first_line) {
  Source src{std::move(name), std::move(text), {}, std::max<uint32_t>(first_line, 1)};
  src.line_starts = compute_line_starts(src.text);
  return src;
}

Location Source::location(uint32_t offset) const {
  // A Source built by aggregate initialisation may lack its table: compute one.
  std::vector<uint32_t> local;
  const std::vector<uint32_t>* starts = &line_starts;
  if (starts->empty()) {
    local = compute_line_starts(text);
    starts = &local;
  }
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text.size()));
  auto it = std::upper_bound(starts->begin(), starts->end(), offset);
  auto line = static_cast<uint32_t>(it - starts->begin());  // 1-based
  uint32_t column = 1;
  for (uint32_t i = (*starts)[line - 1]; i < offset; ++i)
    if (!is_continuation(text[i])) ++column;
  return {line + first_line - 1, column};
}

uint32_t Source::line_start(uint32_t line) const {
  if (line_starts.empty()) return make_source(name, text, first_line).line_start(line);
  if (line < first_line) return 0;
  line -= first_line - 1;  // 1-based within the text
  if (line > line_starts.size()) return static_cast<uint32_t>(text.size());
  return line_starts[line - 1];
}

std::string_view Source::line_text(uint32_t line) const {
  uint32_t begin = line_start(line);
  std::string_view rest = std::string_view(text).substr(begin);
  std::string_view out = rest.substr(0, rest.find('\n'));
  if (!out.empty() && out.back() == '\r') out.remove_suffix(1);
  return out;
}

}  // namespace hinge::lang
