// Tensor builtins: constructors (zeros, linspace, eye...), seeded random tensors,
// shape changes (col, reshape, concat...), reductions, matmul, softmax, and
// questions about a value (shape, numel, item, len).
#include <algorithm>
#include <bit>
#include <charconv>
#include <climits>
#include <cmath>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "builtins/family.hpp"
#include "hinge/errors.hpp"
#include "hinge/format.hpp"
#include "hinge/init.hpp"
#include "hinge/rng.hpp"
#include "syntax/diagnostics.hpp"

namespace hinge::lang::detail {

namespace {

// A limit as people set it: 2^28 rather than 268435456.
std::string limit_text(int64_t limit) {
  if (limit > 1 && (limit & (limit - 1)) == 0)
    return fmt::format("2^{}", std::countr_zero(static_cast<uint64_t>(limit)));
  return fmt::format("{}", limit);
}

// The element count of a shape argument, refused at the argument when it exceeds
// the graph's tensor limit (before anything is allocated).
int64_t checked_numel(const Args& args, std::string_view name, std::span<const int64_t> dims,
                      BuiltinContext& ctx) {
  double n = 1;
  for (int64_t d : dims) n *= static_cast<double>(d);
  if (n > static_cast<double>(ctx.graph.max_elements()))
    args.fail(name,
              fmt::format("{}: a tensor of {} elements is too large (limit {} elements, --max-elements)",
                          args.builtin().name, n, limit_text(ctx.graph.max_elements())));
  return static_cast<int64_t>(n);
}

// A count argument (linspace's n, eye's n): a whole number in [lo, the tensor limit].
int64_t count_arg(const Args& args, std::string_view name, int64_t lo, BuiltinContext& ctx) {
  const int64_t n = args.integer(name);
  if (n < lo)
    args.fail(name, fmt::format("{}: '{}' must be at least {}, got {}", args.builtin().name, name, lo, n));
  const int64_t dims[] = {n};
  checked_numel(args, name, dims, ctx);
  return n;
}

Value tensor_of(BuiltinContext& ctx, std::vector<int64_t> dims, const std::vector<double>& values) {
  return Value(make_constant(ctx, dims, values));
}

// ---- constructors ----

Value filled(BuiltinContext& ctx, const Args& args, double v) {
  const auto dims = args.shape("shape");
  checked_numel(args, "shape", dims, ctx);
  return Value(ctx.graph.full(Shape::of(dims), v, ctx.graph.dtype()));
}

Value zeros_fn(BuiltinContext& ctx, const Args& args) { return filled(ctx, args, 0.0); }
Value ones_fn(BuiltinContext& ctx, const Args& args) { return filled(ctx, args, 1.0); }
Value full_fn(BuiltinContext& ctx, const Args& args) { return filled(ctx, args, args.number("v")); }

Value eye_fn(BuiltinContext& ctx, const Args& args) {
  const int64_t n = args.integer("n");
  if (n < 0) args.fail("n", fmt::format("eye: 'n' must be at least 0, got {}", n));
  const int64_t dims[] = {n, n};
  checked_numel(args, "n", dims, ctx);
  std::vector<double> v(static_cast<std::size_t>(n * n), 0.0);
  for (int64_t i = 0; i < n; ++i) v[static_cast<std::size_t>(i * n + i)] = 1.0;
  return tensor_of(ctx, {n, n}, v);
}

// numpy's linspace: start + i * step, with the last point exactly `stop`.
Value linspace_fn(BuiltinContext& ctx, const Args& args) {
  const double start = args.number("start"), stop = args.number("stop");
  const int64_t n = count_arg(args, "n", 1, ctx);
  std::vector<double> v(static_cast<std::size_t>(n));
  const double step = n > 1 ? (stop - start) / static_cast<double>(n - 1) : 0.0;
  for (int64_t i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = start + static_cast<double>(i) * step;
  if (n > 1) v.back() = stop;
  return tensor_of(ctx, {n}, v);
}

// start, start + step, ... stopping before `stop` (Python's range, in doubles).
// arange(n) means arange(0, n).
std::vector<double> range_values(const Args& args, double limit) {
  double start = args.number("start");
  double stop = 0;
  if (args.value("stop").is_none()) {
    std::swap(start, stop);
  } else {
    stop = args.number("stop");
  }
  const double step = args.number("step");
  if (step == 0 || !std::isfinite(step))
    args.fail("step", fmt::format("{}: 'step' must not be 0", args.builtin().name));
  const double count = std::max(0.0, std::ceil((stop - start) / step));
  if (!(count <= limit))
    args.fail("start",
              fmt::format("{}: {} elements is above the limit of {}", args.builtin().name, count, limit));
  std::vector<double> v(static_cast<std::size_t>(count));
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = start + static_cast<double>(i) * step;
  return v;
}

Value arange_fn(BuiltinContext& ctx, const Args& args) {
  auto v = range_values(args, static_cast<double>(ctx.graph.max_elements()));
  return tensor_of(ctx, {static_cast<int64_t>(v.size())}, v);
}

// A List of numbers (for loops): no tensor, no graph.
Value range_fn(BuiltinContext&, const Args& args) {
  const double start = args.number("start");
  const double stop = args.value("stop").is_none() ? start : args.number("stop");
  const double from = args.value("stop").is_none() ? 0 : start;
  const double count = std::max(0.0, std::ceil((stop - from) / args.number("step")));
  if (count > 1e7 && std::isfinite(count))
    args.fail("start",
              fmt::format("range: {} numbers is above the list limit of 10000000; `for i in range(n)` "
                          "with whole numbers counts without a list, arange(n) makes a tensor",
                          count));
  const auto v = range_values(args, 1e7);
  std::vector<Value> items(v.begin(), v.end());
  return make_list(std::move(items));
}

// ---- random (ctx.rng, so seed(N) reproduces a run) ----

// Plain constants drawn in the same order as hinge::init (Note [Reproducible
// randomness]): `param w = normal(...)` makes them trainable, and the numbers equal
// those of init::normal on an Rng in the same state.
template <class Draw>
Value random_tensor(BuiltinContext& ctx, const Args& args, Draw draw) {
  const auto dims = args.shape("shape");
  const int64_t n = checked_numel(args, "shape", dims, ctx);
  return tensor_of(ctx, dims, init::draws(n, draw));
}

Value normal_fn(BuiltinContext& ctx, const Args& args) {
  const double mean = args.number("mean"), sd = args.number("std");
  if (!(sd >= 0)) args.fail("std", fmt::format("normal: 'std' must be at least 0, got {}", sd));
  return random_tensor(ctx, args, [&] { return ctx.rng.normal(mean, sd); });
}

Value uniform_fn(BuiltinContext& ctx, const Args& args) {
  const double lo = args.number("lo"), hi = args.number("hi");
  if (!(lo <= hi)) args.fail("lo", fmt::format("uniform: 'lo' ({}) must not exceed 'hi' ({})", lo, hi));
  return random_tensor(ctx, args, [&] { return ctx.rng.uniform(lo, hi); });
}

// The engine's fan rule, with its "needs a weight matrix shape" error at the shape.
template <class Bound>
double fan_bound(const Args& args, Bound bound) {
  const auto dims = args.shape("shape");
  try {
    return bound(Shape::of(dims));
  } catch (const hinge::Interrupted&) {
    throw;
  } catch (const hinge::Error& e) {
    args.fail("shape", e.what());
  }
}

Value xavier_fn(BuiltinContext& ctx, const Args& args) {
  const double a = fan_bound(args, [](const Shape& s) { return init::xavier_bound(s); });
  return random_tensor(ctx, args, [&] { return ctx.rng.uniform(-a, a); });
}

Value kaiming_fn(BuiltinContext& ctx, const Args& args) {
  const double sd = fan_bound(args, [](const Shape& s) { return init::kaiming_std(s); });
  return random_tensor(ctx, args, [&] { return ctx.rng.normal(0.0, sd); });
}

Value seed_fn(BuiltinContext& ctx, const Args& args) {
  const int64_t n = args.integer("n");
  if (n < 0) args.fail("n", fmt::format("seed: 'n' must be at least 0, got {}", n));
  ctx.rng.seed_with(static_cast<uint64_t>(n));
  return {};
}

// ---- shape ----

// col: [n] -> [n, 1] (a number becomes [1, 1]; a column stays as it is).
Value col_or_row(BuiltinContext& ctx, const Args& args, bool column) {
  const Tensor x = args.tensor("x", ctx);
  const Shape& s = x.shape();
  if (s.rank == 2 && s[column ? 1 : 0] == 1) return Value(x);
  if (s.rank > 1)
    args.fail("x", fmt::format("{}: 'x' must be 1-D, got a tensor {}", args.builtin().name, to_string(s)));
  const int64_t n = x.numel();
  return Value(column ? hinge::reshape(x, {n, 1}) : hinge::reshape(x, {1, n}));
}

Value col_fn(BuiltinContext& ctx, const Args& args) { return col_or_row(ctx, args, true); }
Value row_fn(BuiltinContext& ctx, const Args& args) { return col_or_row(ctx, args, false); }

// reshape's shape may hold one -1 (inferred), unlike the shapes of constructors.
Value reshape_fn(BuiltinContext& ctx, const Args& args) {
  const Value& sv = args.value("shape");
  std::vector<double> raw;
  if (sv.is_number())
    raw.push_back(sv.number());
  else if (sv.is_tensor() && sv.tensor().rank() <= 1)
    raw = sv.tensor().values();
  else if (sv.is_list())
    for (const Value& item : sv.list()) raw.push_back(item.is_number() ? item.number() : 0.5);
  else
    args.fail("shape", fmt::format("reshape: 'shape' must be a shape like [2, 3], got {}", describe(sv)));
  std::vector<int64_t> dims;
  for (double d : raw) {
    if (d != std::floor(d) || d < -1)
      args.fail("shape",
                fmt::format("reshape: sizes in 'shape' must be whole numbers >= 0 (or one -1), got {}",
                            describe(sv)));
    if (d > INT32_MAX)  // whole, but above what a dimension holds
      args.fail("shape", fmt::format("reshape: size {} in 'shape' is above the largest dimension, {}",
                                     format_number(d), INT32_MAX));
    dims.push_back(static_cast<int64_t>(d));
  }
  if (dims.size() > static_cast<std::size_t>(kMaxRank))
    args.fail("shape", fmt::format("reshape: 'shape' has {} dimensions; tensors have at most {}", dims.size(),
                                   kMaxRank));
  if (std::count(dims.begin(), dims.end(), -1) > 1) args.fail("shape", "reshape: at most one size can be -1");
  const Tensor x = args.tensor("x", ctx);
  try {
    return Value(hinge::reshape(x, dims));
  } catch (const hinge::ShapeError& e) {
    args.fail("shape", e.what());
  }
}

Value transpose_fn(BuiltinContext& ctx, const Args& args) {
  const auto perm = args.axes("perm");
  return Value(hinge::transpose(args.tensor("x", ctx), perm));
}

// The tensors of a *parts argument; a single List argument stands for its items.
std::vector<Tensor> parts_of(BuiltinContext& ctx, const Args& args) {
  const Value& pv = args.value("parts");
  const std::vector<Value>* items = &pv.list();
  if (items->size() == 1 && (*items)[0].is_list()) items = &(*items)[0].list();
  if (items->empty()) args.fail("parts", fmt::format("{}: needs at least one tensor", args.builtin().name));
  std::vector<Tensor> out;
  for (std::size_t i = 0; i < items->size(); ++i) {
    const Value& v = (*items)[i];
    if (v.is_tensor())
      out.push_back(v.tensor());
    else if (v.is_number())
      out.push_back(ctx.graph.scalar(v.number()));
    else
      args.fail("parts",
                fmt::format("{}: part {} must be a tensor, got {}", args.builtin().name, i + 1, describe(v)));
  }
  return out;
}

Value concat_fn(BuiltinContext& ctx, const Args& args) {
  const auto parts = parts_of(ctx, args);
  return Value(hinge::concat(parts, static_cast<int>(args.integer("axis"))));
}

Value stack_fn(BuiltinContext& ctx, const Args& args) {
  const auto parts = parts_of(ctx, args);
  return Value(hinge::stack(parts, static_cast<int>(args.integer("axis"))));
}

Value cast_fn(BuiltinContext& ctx, const Args& args) {
  const std::string& name = args.string("dtype");
  if (name != "f32" && name != "f64")
    args.fail("dtype",
              fmt::format("cast: 'dtype' must be \"f32\" or \"f64\", got \"{}\"", escape_for_message(name)));
  return Value(hinge::cast(args.tensor("x", ctx), name == "f32" ? DType::f32 : DType::f64));
}

Value detach_fn(BuiltinContext& ctx, const Args& args) {
  if (args.value("x").is_number()) return args.value("x");
  return Value(hinge::detach(args.tensor("x", ctx)));
}

// ---- questions about a value ----

Value shape_fn(BuiltinContext& ctx, const Args& args) {
  const Tensor x = args.tensor("x", ctx);
  std::vector<Value> dims;
  for (int i = 0; i < x.rank(); ++i) dims.emplace_back(static_cast<double>(x.shape()[i]));
  return make_list(std::move(dims));
}

Value numel_fn(BuiltinContext& ctx, const Args& args) {
  return Value(static_cast<double>(args.tensor("x", ctx).numel()));
}

Value item_fn(BuiltinContext& ctx, const Args& args) {
  const Tensor x = args.tensor("x", ctx);
  if (x.numel() != 1)
    args.fail("x",
              fmt::format("item: 'x' must have exactly one element, got a tensor {}", to_string(x.shape())));
  return Value(x.item());
}

Value len_fn(BuiltinContext&, const Args& args) {
  const Value& v = args.value("x");
  if (v.is_list()) return Value(static_cast<double>(v.list().size()));
  if (v.is_string()) {  // characters (code points), not bytes: len("héllo") is 5
    const std::string& s = v.string();
    const auto starts = std::count_if(s.begin(), s.end(),
                                      [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
    return Value(static_cast<double>(starts));
  }
  if (v.is_tensor() && v.tensor().rank() >= 1) return Value(static_cast<double>(v.tensor().shape()[0]));
  args.fail("x", fmt::format("len: 'x' must be a list, a string or a tensor of rank 1 or more, got {}",
                             describe(v)));
}

// ---- numbers from text ----

// The number a string spells ("3", " -2.5e-3 "), as Python's float() reads it but
// finite only; nullopt when it spells none.
std::optional<double> parse_number_text(const std::string& s) {
  const std::size_t a = s.find_first_not_of(" \t\r\n");
  if (a == std::string::npos) return std::nullopt;
  const std::size_t b = s.find_last_not_of(" \t\r\n") + 1;
  const char* first = s.data() + a;
  if (*first == '+') ++first;  // from_chars takes no '+'
  double v = 0;
  const auto [end, ec] = std::from_chars(first, s.data() + b, v, std::chars_format::general);
  if (ec != std::errc() || end != s.data() + b || !std::isfinite(v)) return std::nullopt;
  return v;
}

Value number_fn(BuiltinContext&, const Args& args) {
  const Value& v = args.value("x");
  if (v.is_number()) return v;
  if (v.is_string()) {
    if (auto n = parse_number_text(v.string())) return Value(*n);
    args.fail("x",
              fmt::format("number: '{}' is not a number (write digits, as in \"3\", \"-0.5\" or \"1e-3\")",
                          escape_for_message(v.string())));
  }
  args.fail("x", fmt::format("number: 'x' must be a string or a number, got {}", describe(v)));
}

Value int_fn(BuiltinContext&, const Args& args) {
  const Value& v = args.value("x");
  if (v.is_number()) return Value(std::trunc(v.number()));  // toward zero, as Python's int()
  if (v.is_string()) {
    const auto n = parse_number_text(v.string());
    if (n && *n == std::trunc(*n)) return Value(*n);
    args.fail("x", n ? fmt::format("int: '{}' is not a whole number (number() reads fractions)",
                                   escape_for_message(v.string()))
                     : fmt::format("int: '{}' is not a number (write digits, as in \"3\")",
                                   escape_for_message(v.string())));
  }
  args.fail("x", fmt::format("int: 'x' must be a string or a number, got {}", describe(v)));
}

// ---- reductions ----

// An axis given for one number is an error, not ignored: `max(-3, 0)` reads as
// "the larger of -3 and 0" and gave -3 (the 0 was the axis). Its message points
// to maximum / minimum, the elementwise pair.
[[noreturn]] void fail_axis_of_number(const Args& args, int axis) {
  const std::string_view name = args.builtin().name;
  const std::string hint = name == "max"   ? "; the larger of two values is maximum(a, b)"
                           : name == "min" ? "; the smaller of two values is minimum(a, b)"
                                           : "";
  args.fail("axis", fmt::format("{}: one number has no axis {}{}", name, axis, hint));
}

// min: -max(-x), so that ties split the gradient as max's do; the trace shows
// the two negations around the max.
Tensor smallest(Tensor x, std::span<const int> axes, bool keepdims) {
  return hinge::neg(hinge::max(hinge::neg(x), axes, keepdims));
}

template <Tensor (*Op)(Tensor, std::span<const int>, bool)>
Value reduce(BuiltinContext& ctx, const Args& args) {
  const auto axes = args.axes("axis");
  const bool keepdims = args.boolean("keepdims");
  if (all_numbers(args, {"x"})) {
    if (!axes.empty()) fail_axis_of_number(args, axes[0]);
    const double x = args.number("x");
    return Value(on_scalars(ctx, [&] { return Op(ctx.graph.scalar(x), {}, false); }));
  }
  const Tensor x = args.tensor("x", ctx);
  if (x.rank() == 0 && !axes.empty()) fail_axis_of_number(args, axes[0]);
  return Value(Op(x, axes, keepdims));
}

// The L2 norm sqrt(sum(x^2)), differentiable (its gradient at x = 0 is NaN).
// Note [norm at zero]
// sqrt(sum(x ^ 2)) has a kink at the zero vector, where the chain rule gives
// 0 * inf = NaN (`train` on a loss with 0.1 * norm(b) from b = zeros([3]) stopped
// at step 1). As in PyTorch the gradient there is 0: the square root is taken of
// sum(x ^ 2) where it is positive and of 1 elsewhere, and `where` picks 0 for the
// zero vector, so no infinite slope is ever multiplied (second derivatives too).
Value norm_fn(BuiltinContext& ctx, const Args& args) {
  auto build = [](Tensor x) {
    const Tensor s = hinge::sum(hinge::pow(x, 2.0));
    const Tensor zero = s.g->scalar(0, s.dtype()), one = s.g->scalar(1, s.dtype());
    const Tensor positive = hinge::gt(s, zero);
    return hinge::where(positive, hinge::sqrt(hinge::where(positive, s, one)), zero);
  };
  if (all_numbers(args, {"x"})) {
    const double x = args.number("x");
    return Value(on_scalars(ctx, [&] { return build(ctx.graph.scalar(x)); }));
  }
  return Value(build(args.tensor("x", ctx)));
}

// Index of the largest element: of the flattened tensor (a number) when axis is
// none, else along `axis` (a tensor of indices, no gradient). Ties: the first.
Value argmax_fn(BuiltinContext& ctx, const Args& args) {
  const Tensor x = args.tensor("x", ctx);
  if (x.numel() == 0) args.fail("x", "argmax: 'x' is empty");
  const auto v = x.values();
  if (args.value("axis").is_none())
    return Value(static_cast<double>(std::max_element(v.begin(), v.end()) - v.begin()));
  const Shape& s = x.shape();
  int axis = static_cast<int>(args.integer("axis"));
  if (s.rank == 0 || axis < -s.rank || axis >= s.rank)
    args.fail("axis", fmt::format("argmax: axis {} is out of range for a tensor {}", axis, to_string(s)));
  if (axis < 0) axis += s.rank;
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < axis; ++i) outer *= s[i];
  for (int i = axis + 1; i < s.rank; ++i) inner *= s[i];
  const int64_t len = s[axis];
  std::vector<double> out(static_cast<std::size_t>(outer * inner));
  std::vector<int64_t> dims;
  for (int i = 0; i < s.rank; ++i)
    if (i != axis) dims.push_back(s[i]);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t in = 0; in < inner; ++in) {
      int64_t best = 0;
      for (int64_t k = 1; k < len; ++k)
        if (v[static_cast<std::size_t>((o * len + k) * inner + in)] >
            v[static_cast<std::size_t>((o * len + best) * inner + in)])
          best = k;
      out[static_cast<std::size_t>(o * inner + in)] = static_cast<double>(best);
    }
  return tensor_of(ctx, dims, out);
}

Value matmul_fn(BuiltinContext& ctx, const Args& args) {
  return Value(hinge::matmul(args.tensor("a", ctx), args.tensor("b", ctx)));
}

template <Tensor (*Op)(Tensor, int)>
Value softmax_like(BuiltinContext& ctx, const Args& args) {
  return Value(Op(args.tensor("x", ctx), static_cast<int>(args.integer("axis"))));
}

using R = Tensor (*)(Tensor, std::span<const int>, bool);
using S = Tensor (*)(Tensor, int);

// constinit: Note [Constant builtin tables] in builtins/table.cpp.
constinit const Builtin kTensor[] = {
    {"arange", "start, stop=none, step=1", "start, start + step, ... before stop (arange(n): 0 to n - 1)",
     "arange(0, 1, 0.25)", arange_fn, "tensor"},
    {"eye", "n", "the n x n identity matrix", "eye(3)", eye_fn, "tensor"},
    {"full", "shape, v", "a tensor of the shape with every element v", "full([2, 3], 0.5)", full_fn,
     "tensor"},
    {"linspace", "start, stop, n", "n evenly spaced numbers from start to stop, both included",
     "linspace(-3, 3, 7)", linspace_fn, "tensor"},
    {"ones", "shape", "a tensor of ones", "ones([2, 3])", ones_fn, "tensor"},
    {"range", "start, stop=none, step=1", "a list of numbers for loops: range(3) is [0, 1, 2]",
     "for i in range(3) { print i }", range_fn, "tensor"},
    {"zeros", "shape", "a tensor of zeros", "zeros([2, 3])", zeros_fn, "tensor"},

    {"kaiming", "shape", "He normal init for relu layers: std sqrt(2 / fan_in), shape [in, out]",
     "kaiming([2, 16])", kaiming_fn, "random"},
    {"normal", "shape, mean=0, std=1", "Gaussian random numbers (seeded: see seed)",
     "normal([2, 3], std=0.5)", normal_fn, "random"},
    {"seed", "n", "restarts the random generator: the same seed gives the same numbers", "seed(42)", seed_fn,
     "random"},
    {"uniform", "shape, lo=-1, hi=1", "uniform random numbers in [lo, hi)", "uniform([2, 3], lo=0, hi=1)",
     uniform_fn, "random"},
    {"xavier", "shape", "Glorot uniform init for tanh/sigmoid layers, shape [in, out]", "xavier([2, 16])",
     xavier_fn, "random"},

    {"cast", "x, dtype", "x converted to \"f32\" or \"f64\"", "cast(linspace(0, 1, 3), \"f32\")", cast_fn,
     "shape"},
    {"col", "x", "a 1-D tensor [n] as a column [n, 1]", "col(linspace(0, 1, 3))", col_fn, "shape"},
    {"concat", "*parts, axis=0", "tensors joined along an existing axis", "concat(ones([2]), zeros([3]))",
     concat_fn, "shape"},
    {"detach", "x", "the same values with no gradient path back", "detach(linspace(0, 1, 3))", detach_fn,
     "shape"},
    {"int", "x", "a whole number from a string (\"3\"), or a number cut toward 0; script args are strings",
     "int(\"12\") + 1", int_fn, "shape"},
    {"item", "x", "the number in a one-element tensor", "item(sum(ones([3])))", item_fn, "shape"},
    {"len", "x", "length of a list or string, or a tensor's first dimension", "len(zeros([4, 2]))", len_fn,
     "shape"},
    {"number", "x", "the number a string spells (\"0.5\", \"1e-3\"); script args are strings",
     "number(\"0.5\") * 2", number_fn, "shape"},
    {"numel", "x", "the number of elements of a tensor", "numel(zeros([4, 2]))", numel_fn, "shape"},
    {"reshape", "x, shape", "the same elements in a new shape (one size may be -1)",
     "reshape(linspace(1, 6, 6), [2, -1])", reshape_fn, "shape"},
    {"row", "x", "a 1-D tensor [n] as a row [1, n]", "row(linspace(0, 1, 3))", row_fn, "shape"},
    {"shape", "x", "the shape of a tensor, as a list of numbers", "shape(zeros([4, 2]))", shape_fn, "shape"},
    {"stack", "*parts, axis=0", "same-shape tensors stacked along a new axis", "stack(ones([2]), zeros([2]))",
     stack_fn, "shape"},
    {"transpose", "x, perm=none", "axes reversed (a matrix's transpose) or permuted by perm",
     "transpose(reshape(linspace(1, 6, 6), [2, 3]))", transpose_fn, "shape"},

    {"argmax", "x, axis=none", "index of the largest element (flattened), or along axis; no gradient",
     "argmax(reshape(linspace(1, 6, 6), [2, 3]), axis=1)", argmax_fn, "reduction"},
    {"max", "x, axis=none, keepdims=false", "the largest element, or along the given axes",
     "max(reshape(linspace(1, 6, 6), [2, 3]), axis=0)", reduce<static_cast<R>(&hinge::max)>, "reduction"},
    {"mean", "x, axis=none, keepdims=false", "the mean of all elements, or along the given axes",
     "mean(linspace(1, 4, 4))", reduce<static_cast<R>(&hinge::mean)>, "reduction"},
    {"min", "x, axis=none, keepdims=false",
     "the smallest element, or along the given axes (built as -max(-x))",
     "min(reshape(linspace(1, 6, 6), [2, 3]), axis=0)", reduce<&smallest>, "reduction"},
    {"norm", "x", "the L2 norm sqrt(sum(x ^ 2)); its gradient at the zero vector is 0 (as PyTorch's)",
     "norm(ones([4]))", norm_fn, "reduction"},
    {"sum", "x, axis=none, keepdims=false", "the sum of all elements, or along the given axes",
     "sum(reshape(linspace(1, 6, 6), [2, 3]), axis=1)", reduce<static_cast<R>(&hinge::sum)>, "reduction"},

    {"log_softmax", "x, axis=-1", "log(softmax(x)), computed stably", "log_softmax(linspace(0, 2, 3))",
     softmax_like<static_cast<S>(&hinge::log_softmax)>, "activation"},
    {"matmul", "a, b", "matrix product (also written a @ b)", "matmul(eye(2), ones([2, 3]))", matmul_fn,
     "math"},
    {"softmax", "x, axis=-1", "exp(x) / sum(exp(x)) along axis: probabilities", "softmax(linspace(0, 2, 3))",
     softmax_like<static_cast<S>(&hinge::softmax)>, "activation"},
};

}  // namespace

std::span<const Builtin> tensor_builtins() { return kTensor; }

}  // namespace hinge::lang::detail
