// A PNG encoder for small RGB rasters (a value map's cells), written as a data: URI
// for an SVG <image>: the viewer scales it up smoothly, where one rectangle per
// cell would show the grid as pixel steps.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "plot/color.hpp"

namespace hinge::lang::report {

// `pixels` holds w * h colours, row by row from the top. The PNG is stored
// uncompressed (deflate's stored blocks): no zlib needed, and a 200 x 200 map is
// 120 kB, about what the rectangles it replaces took.
// Example: png_data_uri({{255, 0, 0}}, 1, 1) starts "data:image/png;base64,iVBORw0KGgo".
std::string png_data_uri(const std::vector<Rgb>& pixels, std::size_t w, std::size_t h);

}  // namespace hinge::lang::report
