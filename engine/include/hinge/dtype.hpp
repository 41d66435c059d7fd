// Element types. The language computes in f64 by default; benchmarks use f32.
#pragma once
#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

namespace hinge {

enum class DType : uint8_t { f32, f64 };

constexpr std::size_t dtype_size(DType t) { return t == DType::f32 ? 4 : 8; }
constexpr std::string_view dtype_name(DType t) { return t == DType::f32 ? "f32" : "f64"; }

// Calls f.template operator()<T>() with T = float or double, matching `t`.
//   dispatch(t, [&]<class T>() { ... });
template <class F>
decltype(auto) dispatch(DType t, F&& f) {
  if (t == DType::f32) return f.template operator()<float>();
  return f.template operator()<double>();
}

// True when x and y are the same number bit for bit. Unlike ==, -0 is not 0 and a
// NaN is itself (payload included): the sense of "holds the same number" for a
// cache of constants or a check for default values.
template <class T>
constexpr bool same_bits(T x, T y) {
  static_assert(std::is_floating_point_v<T>);
  using Bits = std::conditional_t<sizeof(T) == sizeof(uint32_t), uint32_t, uint64_t>;
  static_assert(sizeof(Bits) == sizeof(T));
  return std::bit_cast<Bits>(x) == std::bit_cast<Bits>(y);
}

}  // namespace hinge
