// Shapes: construction checks, printing and numpy broadcasting.
#include "hinge/shape.hpp"

#include <fmt/format.h>

#include "hinge/errors.hpp"
#include "operand_errors.hpp"

namespace hinge {

Shape::Shape(std::initializer_list<int64_t> d) { *this = of({d.begin(), d.size()}); }

Shape Shape::of(std::span<const int64_t> d) {
  if (d.size() > static_cast<std::size_t>(kMaxRank))
    throw ShapeError(fmt::format("rank {} is above the maximum of {}", d.size(), kMaxRank));
  Shape s;
  s.rank = static_cast<int32_t>(d.size());
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (d[i] < 0 || d[i] > INT32_MAX) throw ShapeError(fmt::format("dimension {} of a shape is {}", i, d[i]));
    s.dims[i] = static_cast<int32_t>(d[i]);
  }
  return s;
}

std::string to_string(const Shape& s) {
  std::string out = "[";
  for (int i = 0; i < s.rank; ++i) out += fmt::format("{}{}", i ? ", " : "", s.dims[i]);
  return out + "]";
}

Shape broadcast_shapes(const Shape& a, const Shape& b, std::string_view op) {
  Shape out;
  out.rank = std::max(a.rank, b.rank);
  for (int i = 0; i < out.rank; ++i) {
    // Align from the right, as numpy does.
    int ia = a.rank - out.rank + i, ib = b.rank - out.rank + i;
    int32_t da = ia >= 0 ? a.dims[ia] : 1, db = ib >= 0 ? b.dims[ib] : 1;
    if (da != db && da != 1 && db != 1) detail::throw_broadcast_error(op, a, b);
    out.dims[i] = da == 1 ? db : da;
  }
  return out;
}

bool broadcasts_to(const Shape& from, const Shape& to) {
  if (from.rank > to.rank) return false;
  for (int i = 0; i < from.rank; ++i) {
    int32_t d = from.dims[i], t = to.dims[to.rank - from.rank + i];
    if (d != t && d != 1) return false;
  }
  return true;
}

int normalize_axis(int axis, int rank, std::string_view op) {
  int a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= std::max(rank, 1))
    throw DomainError(fmt::format("axis {} is out of range for '{}' on a rank-{} tensor", axis, op, rank));
  return a;
}

}  // namespace hinge
