// Shared by the builtin families (math.cpp, tensor.cpp, ...) (not for the interpreter): each file's table,
// and small helpers for describing values, building results and suggesting names.
#pragma once
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "builtins/builtin.hpp"

namespace hinge::lang::detail {

// Each category file exports its rows; table.cpp merges and sorts them.
std::span<const Builtin> math_builtins();
std::span<const Builtin> tensor_builtins();
std::span<const Builtin> train_builtins();
std::span<const Builtin> data_builtins();
std::span<const Builtin> models_builtins();
std::span<const Builtin> analysis_builtins();

// "the number 2.5", "true", "a string", "a tensor [3, 4]", "a list", "the function f",
// "the builtin relu", "an optimizer (adam)", "none": a value in "..., got X" messages.
std::string describe(const Value& v);

// A new List value.
Value make_list(std::vector<Value> items);

// A constant tensor of the graph's dtype.
Tensor make_constant(BuiltinContext& ctx, std::span<const int64_t> dims, std::span<const double> values);

// Note [Numbers stay numbers]
// A builtin applied to plain numbers returns a plain number (relu(-2) is 0, not a
// tensor), so arithmetic in loops builds no graph. The number is still computed
// by the engine, on scalar constants of the graph's dtype, so relu(x) for a
// number and relu of a one-element tensor agree to the last bit. The scratch
// nodes are rewound away afterwards.
// True when every named argument is a plain number.
bool all_numbers(const Args& args, std::initializer_list<std::string_view> names);
// Runs `build` (which makes scalar constants and ops on ctx.graph) and returns the
// item of the tensor it builds, leaving the graph as it was.
template <class F>
double on_scalars(BuiltinContext& ctx, F build) {
  const auto mark = ctx.graph.mark();
  try {
    const double v = build().item();
    ctx.graph.rewind(mark);
    return v;
  } catch (...) {
    ctx.graph.rewind(mark);
    throw;
  }
}

}  // namespace hinge::lang::detail
