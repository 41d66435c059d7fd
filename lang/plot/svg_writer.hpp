// Low-level SVG text (user text is escaped by hinge::xml_escape, hinge/escape.hpp): the document frame, path
// data with compact numbers, and point markers. Knows nothing about axes or data.
#pragma once

#include <string>
#include <string_view>

#include "hinge/escape.hpp"

namespace hinge::lang::report {

// A rough width in pixels of `text` at `font_size` in a sans-serif font (0.6 em per
// character); used to leave room for labels, never to place them exactly.
double text_width(std::string_view text, double font_size);

// `text` cut to at most `max_chars` characters (with a trailing "…").
std::string truncate_label(std::string_view text, std::size_t max_chars);

// Builds one SVG document. Numbers are written with one decimal (0.1 px is finer
// than any screen), and non-finite coordinates must never reach it.
class SvgWriter {
 public:
  SvgWriter(double width, double height);

  // Appends raw markup (already escaped); use the helpers below where possible.
  void raw(std::string_view markup) { out_ += markup; }
  // <text x y attrs>escaped text</text>
  void text(double x, double y, std::string_view text, std::string_view attrs = {});
  // <rect x y width height attrs/>
  void rect(double x, double y, double w, double h, std::string_view attrs = {});
  // <line .../>
  void line(double x1, double y1, double x2, double y2, std::string_view attrs = {});

  // The finished document; the writer is left empty.
  std::string finish();

 private:
  std::string out_;
};

// Path data ("M1.0 2.0L3.0 4.0...") built point by point, skipping repeated points.
class PathData {
 public:
  void move_to(double x, double y);
  void line_to(double x, double y);
  // A lone point (a series of one point, or one between two gaps) as a small ring
  // of radius `r` around it: as a zero-length sub-path it was a dot as wide as the
  // line, 2 px, which a reader did not see.
  void ring(double x, double y, double r);
  // A closed axis-aligned rectangle as its own sub-path.
  void rect(double x, double y, double w, double h);
  // A point marker of the given shape (0 circle, 1 square, 2 triangle, 3 diamond;
  // taken mod 4) centred at (x, y) with "radius" r, as its own sub-path.
  void marker(int shape, double x, double y, double r);

  bool empty() const { return d_.empty(); }
  const std::string& str() const { return d_; }

 private:
  std::string d_;
  long last_x_ = 0, last_y_ = 0;  // last point in tenths of a pixel
  bool has_last_ = false;
};

// A number as SVG wants it: one decimal, no trailing ".0", no "-0".
std::string svg_num(double v);

}  // namespace hinge::lang::report
