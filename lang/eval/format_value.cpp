// Printing values: numbers and tensors through hinge/format.hpp, lists, strings,
// functions; fmt format specs for interpolation.
#include "eval/format_value.hpp"

#include <cmath>
#include <cstdint>
#include <vector>

#include <fmt/format.h>

#include "builtins/builtin.hpp"
#include "syntax/lexer.hpp"

namespace hinge::lang {

namespace {

std::string format_optimizer(const OptimizerSpec& o) {
  std::string out = o.kind + "(";
  bool first = true;
  for (const auto& [k, v] : o.options) {
    out += fmt::format("{}{}={}", first ? "" : ", ", k, format_number(v));
    first = false;
  }
  if (o.schedule != "constant") {
    out += fmt::format("{}schedule=\"{}\"", first ? "" : ", ", o.schedule);
    for (const auto& [k, v] : o.schedule_options) out += fmt::format(", {}={}", k, format_number(v));
  }
  return out + ")";
}

std::string format_any(const Value& v, std::size_t indent, bool repr) {
  return std::visit(
      [&](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return "none";
        } else if constexpr (std::is_same_v<T, double>) {
          return format_number(x);
        } else if constexpr (std::is_same_v<T, bool>) {
          return x ? "true" : "false";
        } else if constexpr (std::is_same_v<T, std::string>) {
          return repr ? syntax::quote_string(x) : x;
        } else if constexpr (std::is_same_v<T, Tensor>) {
          return format_tensor(x, indent);
        } else if constexpr (std::is_same_v<T, ListPtr>) {
          std::string out = "[";
          for (std::size_t k = 0; k < x->size(); ++k) {
            if (k > 0) out += ", ";
            // The column where this item starts: after an item that spans several
            // lines (a matrix), it is counted from the last line break.
            const std::size_t nl = out.rfind('\n');
            const std::size_t column = nl == std::string::npos ? indent + out.size() : out.size() - nl - 1;
            out += format_any((*x)[k], column, true);
          }
          return out + "]";
        } else if constexpr (std::is_same_v<T, std::shared_ptr<const Function>>) {
          std::string params;
          for (std::size_t k = 0; k < x->params.size(); ++k) params += (k ? ", " : "") + x->params[k];
          return fmt::format("<function {}({})>", x->name, params);
        } else if constexpr (std::is_same_v<T, const Builtin*>) {
          return fmt::format("<builtin {}({})>", x->name, x->params);
        } else {
          return format_optimizer(*x);
        }
      },
      v.v);
}

// The last character of a spec is its presentation type when it is a letter.
char spec_type(const std::string& spec) {
  if (spec.empty()) return 0;
  char c = spec.back();
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ? c : 0;
}

std::string number_with_spec(double x, const std::string& spec) {
  const std::string f = "{:" + spec + "}";
  switch (spec_type(spec)) {
    case 'd':
    case 'x':
    case 'X':
    case 'b':
    case 'B':
    case 'o':
    case 'c':
      if (std::isfinite(x) && x == std::trunc(x) && std::fabs(x) < 9.2e18)
        return fmt::format(fmt::runtime(f), static_cast<int64_t>(x));
      throw fmt::format_error(fmt::format("'{}' needs a whole number, got {}", spec, format_number(x)));
    case 's': return fmt::format(fmt::runtime(f), format_number(x));
    default: return fmt::format(fmt::runtime(f), x);
  }
}

}  // namespace

std::string format_plain(const Value& v, std::size_t indent) { return format_any(v, indent, false); }
std::string format_repr(const Value& v, std::size_t indent) { return format_any(v, indent, true); }

std::string format_with_spec(const Value& v, const std::string& spec) {
  if (v.is_number()) return number_with_spec(v.number(), spec);
  if (v.is_tensor()) {
    const Tensor& t = v.tensor();
    if (t.numel() == 1) return number_with_spec(t.item(), spec);
    // Validate the spec once so a bad one fails even for an empty tensor.
    number_with_spec(0.0, spec);
    return format_tensor(t, 0, [&](double x) { return number_with_spec(x, spec); });
  }
  if (v.is_bool())
    return fmt::format(fmt::runtime("{:" + spec + "}"), std::string(std::get<bool>(v.v) ? "true" : "false"));
  return fmt::format(fmt::runtime("{:" + spec + "}"), format_plain(v));
}

}  // namespace hinge::lang
