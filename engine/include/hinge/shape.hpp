// Shape: rank 0 (a scalar) to kMaxRank, row-major, with numpy broadcasting.
#pragma once
#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>

namespace hinge {

inline constexpr int kMaxRank = 4;

struct Shape {
  std::array<int32_t, kMaxRank> dims{};  // only the first `rank` are meaningful
  int32_t rank = 0;

  Shape() = default;
  Shape(std::initializer_list<int64_t> d);
  static Shape of(std::span<const int64_t> d);  // checks rank and sizes

  int64_t numel() const {
    int64_t n = 1;
    for (int i = 0; i < rank; ++i) n *= dims[i];
    return n;
  }
  int64_t operator[](int i) const { return dims[i]; }
  bool is_scalar() const { return rank == 0; }
  friend bool operator==(const Shape& a, const Shape& b) {
    if (a.rank != b.rank) return false;
    for (int i = 0; i < a.rank; ++i)
      if (a.dims[i] != b.dims[i]) return false;
    return true;
  }
};

// "[3, 4]"; "[]" for a scalar.
std::string to_string(const Shape& s);

// numpy broadcasting of two shapes; throws ShapeError naming `op` when they don't fit.
Shape broadcast_shapes(const Shape& a, const Shape& b, std::string_view op);

// True when `from` broadcasts to `to` (every axis equal or 1, rank no larger).
bool broadcasts_to(const Shape& from, const Shape& to);

// Normalizes axis (negative counts from the end); throws DomainError naming `op`.
int normalize_axis(int axis, int rank, std::string_view op);

}  // namespace hinge
