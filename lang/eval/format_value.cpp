// Printing values: numbers and tensors through hinge/format.hpp, lists, strings,
// functions; fmt format specs for interpolation.
#include "eval/format_value.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "builtins/builtin.hpp"
#include "hinge/escape.hpp"
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

std::string format_list(const ListPtr& list, std::size_t indent);

std::string format_any(const Value& v, std::size_t indent, bool repr) {
  if (const auto* l = std::get_if<ListPtr>(&v.v)) return format_list(*l, indent);
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
          // Quoted, as the literal reads, and safe for the terminal: a control
          // character that no literal escape covers shows as `\x1b`.
          return repr ? terminal_escape(syntax::quote_string(x)) : x;
        } else if constexpr (std::is_same_v<T, Tensor>) {
          return format_tensor(x, indent);
        } else if constexpr (std::is_same_v<T, ListPtr>) {
          return "";  // format_list
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

// A list, its items in repr form: one pass with a stack of open lists, so lists
// nested millions deep print in linear time without recursion. An item that spans
// several lines (a matrix) is indented to the column where it starts, counted from
// the last line break (or from the list's own start, plus `indent`).
std::string format_list(const ListPtr& list, std::size_t indent) {
  struct Open {
    const std::vector<Value>* items;
    std::size_t next;
    std::size_t start;   // where its '[' is in `out`
    std::size_t indent;  // the column of that '['
  };
  std::string out;
  std::size_t last_nl = std::string::npos;
  auto append = [&](std::string_view s) {
    if (const std::size_t nl = s.rfind('\n'); nl != std::string_view::npos) last_nl = out.size() + nl;
    out += s;
  };
  std::vector<Open> open;
  open.push_back({list.get(), 0, 0, indent});
  append("[");
  while (!open.empty()) {
    Open& top = open.back();
    if (top.next == top.items->size()) {
      append("]");
      open.pop_back();
      continue;
    }
    if (top.next > 0) append(", ");
    const std::size_t column = last_nl == std::string::npos || last_nl < top.start
                                   ? top.indent + (out.size() - top.start)
                                   : out.size() - last_nl - 1;
    const Value& item = (*top.items)[top.next++];
    if (const auto* l = std::get_if<ListPtr>(&item.v)) {
      open.push_back({l->get(), 0, out.size(), column});  // invalidates `top`
      append("[");
    } else {
      append(format_any(item, column, true));
    }
  }
  return out;
}

// The last character of a spec is its presentation type when it is a letter.
char spec_type(const std::string& spec) {
  if (spec.empty()) return 0;
  char c = spec.back();
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ? c : 0;
}

// The UTF-8 bytes of code point `c` (at most 0x10FFFF, no surrogate).
std::string utf8_of(uint32_t c) {
  std::string out;
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
  return out;
}

std::string number_with_spec(double x, const std::string& spec) {
  const std::string f = "{:" + spec + "}";
  switch (spec_type(spec)) {
    case 'c': {
      // A character is a code point, written as UTF-8 ({233:c} is é): fmt's own
      // 'c' wrote one byte, so 233 gave a byte no reader takes, 1114112 gave \x00
      // and -1 gave \x01. The spec's width and alignment apply as to a string.
      if (!(x >= 0 && x <= 0x10FFFF && x == std::trunc(x)) || (x >= 0xD800 && x <= 0xDFFF))
        throw fmt::format_error(
            fmt::format("'{}' needs a code point (a whole number from 0 to 1114111, not "
                        "55296 to 57343), got {}",
                        spec, format_number(x)));
      return fmt::format(fmt::runtime("{:" + spec.substr(0, spec.size() - 1) + "s}"),
                         utf8_of(static_cast<uint32_t>(x)));
    }
    case 'd':
    case 'x':
    case 'X':
    case 'b':
    case 'B':
    case 'o':
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

// The width and precision of a spec are checked before anything is formatted, and
// so is the size a tensor's elements would take: `{1:999999999}` built a 1 GB string.
static void check_spec(const std::string& spec) {
  for (std::size_t i = 0; i < spec.size();) {
    if (spec[i] < '0' || spec[i] > '9') {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < spec.size() && spec[j] >= '0' && spec[j] <= '9') ++j;
    if (j - i > 4 || std::stoi(spec.substr(i, j - i)) > kMaxSpecNumber)
      throw fmt::format_error(fmt::format("{} {} is too large (at most {})",
                                          i > 0 && spec[i - 1] == '.' ? "precision" : "width",
                                          spec.substr(i, std::min<std::size_t>(j - i, 20)), kMaxSpecNumber));
    i = j;
  }
}

std::string format_with_spec(const Value& v, const std::string& spec, std::size_t max_bytes) {
  check_spec(spec);
  if (v.is_number()) return number_with_spec(v.number(), spec);
  if (v.is_tensor()) {
    const Tensor& t = v.tensor();
    // Every element takes at least its width (or 1 byte) and a separator.
    std::size_t width = 1;
    for (std::size_t i = 0; i < spec.size(); ++i)
      if (spec[i] >= '1' && spec[i] <= '9' && (i == 0 || spec[i - 1] != '.')) {
        width = std::max<std::size_t>(width, static_cast<std::size_t>(std::atoi(spec.c_str() + i)));
        while (i + 1 < spec.size() && spec[i + 1] >= '0' && spec[i + 1] <= '9') ++i;
      }
    if (static_cast<std::size_t>(t.numel()) * (width + 2) > max_bytes)
      throw fmt::format_error(fmt::format("{} elements of width {} would pass the string limit of {} bytes",
                                          t.numel(), width, max_bytes));
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
