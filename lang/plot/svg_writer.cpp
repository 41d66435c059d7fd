// SVG document text: escaping, compact numbers, elements and path data.
#include "plot/svg_writer.hpp"

#include <cmath>
#include <cstdint>

#include <fmt/format.h>

// Note [fmt's formatting compiled once]
// fmt::format_to calls fmt's formatting loop, detail::vformat_to<char>, a template
// that fmt 9's headers define but do not declare extern (fmt 10 does), so this file
// compiled a copy of it and of everything it reaches (integers, floats, padding:
// 75 KB of code, about 4 of the plot unit's 13-17 CPU seconds). libfmt, and in the
// hinge command app/fmt_static.cpp, already hold that instantiation: declaring it
// extern uses theirs. Not with the header-only fmt, which has no such library, and
// not under clang: the declaration's parameter types are a dependent expression,
// which clang mangles differently from the GCC that built libfmt, so the symbol it
// names is not in libfmt (the fuzz build, tests/fuzz/run, failed to link).
#if !defined(FMT_HEADER_ONLY) && !defined(__clang__)
FMT_BEGIN_NAMESPACE
namespace detail {
extern template FMT_API void vformat_to(buffer<char>&, string_view,
                                        basic_format_args<FMT_BUFFER_CONTEXT(char)>, locale_ref);
}  // namespace detail
FMT_END_NAMESPACE
#endif

namespace hinge::lang::report {

double text_width(std::string_view text, double font_size) {
  std::size_t chars = 0;
  for (char c : text) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return 0.6 * font_size * static_cast<double>(chars);
}

std::string truncate_label(std::string_view text, std::size_t max_chars) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (chars == max_chars) return std::string(text.substr(0, i)) + "\xE2\x80\xA6";
    ++chars;
  }
  return std::string(text);
}

std::string svg_num(double v) {
  // Callers clip to the page; the clamp only keeps a stray value from overflowing.
  if (!(std::abs(v) < 1e7)) v = std::isnan(v) ? 0 : std::copysign(1e7, v);
  long tenths = std::lround(v * 10);
  if (tenths == 0) return "0";
  if (tenths % 10 == 0) return fmt::format("{}", tenths / 10);
  return fmt::format("{}{}.{}", tenths < 0 ? "-" : "", std::labs(tenths) / 10, std::labs(tenths) % 10);
}

SvgWriter::SvgWriter(double width, double height) {
  out_ = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" "
      "font-size=\"12\">\n"
      "<rect width=\"{0}\" height=\"{1}\" fill=\"#ffffff\"/>\n",
      svg_num(width), svg_num(height));
}

void SvgWriter::text(double x, double y, std::string_view text, std::string_view attrs) {
  fmt::format_to(std::back_inserter(out_), "<text x=\"{}\" y=\"{}\"{}{}>{}</text>\n", svg_num(x), svg_num(y),
                 attrs.empty() ? "" : " ", attrs, xml_escape(text));
}

void SvgWriter::rect(double x, double y, double w, double h, std::string_view attrs) {
  fmt::format_to(std::back_inserter(out_), "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"{}{}/>\n",
                 svg_num(x), svg_num(y), svg_num(w), svg_num(h), attrs.empty() ? "" : " ", attrs);
}

void SvgWriter::line(double x1, double y1, double x2, double y2, std::string_view attrs) {
  fmt::format_to(std::back_inserter(out_), "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"{}{}/>\n",
                 svg_num(x1), svg_num(y1), svg_num(x2), svg_num(y2), attrs.empty() ? "" : " ", attrs);
}

std::string SvgWriter::finish() {
  out_ += "</svg>\n";
  return std::move(out_);
}

void PathData::move_to(double x, double y) {
  last_x_ = std::lround(x * 10);
  last_y_ = std::lround(y * 10);
  has_last_ = true;
  fmt::format_to(std::back_inserter(d_), "M{} {}", svg_num(x), svg_num(y));
}

void PathData::line_to(double x, double y) {
  long tx = std::lround(x * 10), ty = std::lround(y * 10);
  if (has_last_ && tx == last_x_ && ty == last_y_) return;  // invisible at 0.1 px
  last_x_ = tx;
  last_y_ = ty;
  has_last_ = true;
  fmt::format_to(std::back_inserter(d_), "L{} {}", svg_num(x), svg_num(y));
}

void PathData::ring(double x, double y, double r) {
  move_to(x - r, y);  // two half circles: one arc cannot end where it starts
  fmt::format_to(std::back_inserter(d_), "a{} {} 0 1 0 {} 0a{} {} 0 1 0 {} 0", svg_num(r), svg_num(r),
                 svg_num(2 * r), svg_num(r), svg_num(r), svg_num(-2 * r));
  has_last_ = false;
}

void PathData::rect(double x, double y, double w, double h) {
  fmt::format_to(std::back_inserter(d_), "M{} {}h{}v{}h{}Z", svg_num(x), svg_num(y), svg_num(w), svg_num(h),
                 svg_num(-w));
  has_last_ = false;
}

void PathData::marker(int shape, double x, double y, double r) {
  switch (((shape % 4) + 4) % 4) {
    case 0:  // circle: two half arcs
      fmt::format_to(std::back_inserter(d_), "M{} {}a{} {} 0 1 0 {} 0a{} {} 0 1 0 {} 0Z", svg_num(x - r),
                     svg_num(y), svg_num(r), svg_num(r), svg_num(2 * r), svg_num(r), svg_num(r),
                     svg_num(-2 * r));
      break;
    case 1: {  // square, a little smaller so that its area matches the circle's
      double s = r * 0.9;
      rect(x - s, y - s, 2 * s, 2 * s);
      break;
    }
    case 2: {  // triangle, pointing up
      double s = r * 1.25;
      fmt::format_to(std::back_inserter(d_), "M{} {}L{} {}L{} {}Z", svg_num(x), svg_num(y - s),
                     svg_num(x + s * 0.866), svg_num(y + s * 0.5), svg_num(x - s * 0.866),
                     svg_num(y + s * 0.5));
      break;
    }
    default: {  // diamond
      double s = r * 1.25;
      fmt::format_to(std::back_inserter(d_), "M{} {}L{} {}L{} {}L{} {}Z", svg_num(x), svg_num(y - s),
                     svg_num(x + s), svg_num(y), svg_num(x), svg_num(y + s), svg_num(x - s), svg_num(y));
      break;
    }
  }
  has_last_ = false;
}

}  // namespace hinge::lang::report
