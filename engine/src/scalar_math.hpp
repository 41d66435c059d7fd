// Scalar formulas shared by the tensor kernels (unary.cpp) and the scalar
// program (scalar_program.cpp), so both compute bit-identical values.
#pragma once
#include <cmath>
#include <numbers>

namespace hinge::detail::math {

constexpr double kInvSqrt2 = 1.0 / std::numbers::sqrt2;                         // 1/sqrt(2)
constexpr double kInvSqrt2Pi = std::numbers::inv_sqrtpi / std::numbers::sqrt2;  // 1/sqrt(2 pi)
constexpr double kTwoOverSqrtPi = 2.0 * std::numbers::inv_sqrtpi;               // erf'(0)

// 1 / (1 + e^-a) without overflow: e^x is only taken of x <= 0.
template <class T>
T sigmoid(T a) {
  if (a >= T(0)) return T(1) / (T(1) + std::exp(-a));
  const T e = std::exp(a);
  return e / (T(1) + e);
}

// log(1 + e^a), stable for any a; its derivative is sigmoid(a).
template <class T>
T softplus(T a) {
  return std::max(a, T(0)) + std::log1p(std::exp(-std::abs(a)));
}

// a * Phi(a) in the erfc form, accurate in the left tail.
template <class T>
T gelu(T a) {
  return a * T(0.5) * std::erfc(-a * T(kInvSqrt2));
}
template <class T>
T gelu_slope(T a) {
  return T(0.5) * std::erfc(-a * T(kInvSqrt2)) + a * std::exp(T(-0.5) * a * a) * T(kInvSqrt2Pi);
}

template <class T>
T erf_slope(T a) {
  return T(kTwoOverSqrtPi) * std::exp(-a * a);
}

// a^c for a constant c; c = 2 is a*a so that it is exact at negative a.
template <class T>
T powc(T a, T c) {
  return c == T(2) ? a * a : std::pow(a, c);
}
template <class T>
T powc_slope(T a, T c) {
  if (c == T(0)) return T(0);
  return c == T(2) ? T(2) * a : c * std::pow(a, c - T(1));
}

}  // namespace hinge::detail::math
