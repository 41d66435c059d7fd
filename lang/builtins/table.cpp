// The merged builtin table (sorted by name for :help and completion), the named
// constants, and the helpers the builtins_*.cpp files share.
#include <algorithm>
#include <cmath>
#include <numbers>

#include <fmt/format.h>

#include "builtins/family.hpp"
#include "hinge/graph.hpp"

namespace hinge::lang {

// Note [Constant builtin tables]
// Each family's table (kMath, kTensor, ...) is declared constinit. Its entries are
// string literals and function pointers, constant by nature, but for tables this
// long GCC gives up folding the initialiser and builds them at start-up instead:
// code before main that wrote 8 KB of .bss, 3 page faults of `hinge -e '1'`.
// constinit makes the constant initialisation required, so the tables are data in
// the file.
std::span<const Builtin> builtins() {
  static const std::vector<Builtin> table = [] {
    std::vector<Builtin> all;
    for (auto part : {detail::math_builtins(), detail::tensor_builtins(), detail::train_builtins(),
                      detail::data_builtins(), detail::analysis_builtins(), detail::models_builtins()})
      all.insert(all.end(), part.begin(), part.end());
    std::sort(all.begin(), all.end(), [](const Builtin& a, const Builtin& b) { return a.name < b.name; });
    return all;
  }();
  return table;
}

const Builtin* find_builtin(std::string_view name) {
  const auto all = builtins();
  const auto it = std::lower_bound(all.begin(), all.end(), name,
                                   [](const Builtin& b, std::string_view n) { return b.name < n; });
  return it != all.end() && it->name == name ? &*it : nullptr;
}

std::span<const std::pair<std::string_view, double>> constants() {
  static constexpr std::pair<std::string_view, double> table[] = {
      {"e", std::numbers::e},
      {"pi", std::numbers::pi},
  };
  return table;
}

std::span<const std::string_view> builtin_categories() {
  static constexpr std::string_view order[] = {"math",   "activation", "tensor",    "shape", "reduction",
                                               "random", "loss",       "optimizer", "data",  "analysis"};
  return order;
}

namespace detail {

std::string describe(const Value& v) {
  struct Visitor {
    std::string operator()(std::monostate) const { return "none"; }
    std::string operator()(double d) const { return fmt::format("the number {}", d); }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(const std::string&) const { return "a string"; }
    std::string operator()(const Tensor& t) const { return fmt::format("a tensor {}", to_string(t.shape())); }
    std::string operator()(const ListPtr& l) const { return l->empty() ? "an empty list" : "a list"; }
    std::string operator()(const std::shared_ptr<const Function>& f) const {
      return fmt::format("the function {}", f->name);
    }
    std::string operator()(const Builtin* b) const { return fmt::format("the builtin {}", b->name); }
    std::string operator()(const std::shared_ptr<const OptimizerSpec>& o) const {
      return fmt::format("an optimizer ({})", o->kind);
    }
  };
  return std::visit(Visitor{}, v.v);
}

Value make_list(std::vector<Value> items) {
  return Value(std::make_shared<std::vector<Value>>(std::move(items)));
}

Tensor make_constant(BuiltinContext& ctx, std::span<const int64_t> dims, std::span<const double> values) {
  return ctx.graph.constant(Shape::of(dims), values);
}

bool all_numbers(const Args& args, std::initializer_list<std::string_view> names) {
  return std::all_of(names.begin(), names.end(),
                     [&](std::string_view n) { return args.value(n).is_number(); });
}

}  // namespace detail

}  // namespace hinge::lang
