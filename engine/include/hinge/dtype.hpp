// Element types. The language computes in f64 by default; benchmarks use f32.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

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

}  // namespace hinge
