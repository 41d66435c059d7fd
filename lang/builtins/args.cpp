// The argument binder: parses each builtin's parameter string once, binds a call's
// positional and keyword arguments to it, and converts arguments to C++ types with
// errors at the argument's span.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>

#include <fmt/format.h>

#include "builtins/family.hpp"
#include "hinge/graph.hpp"
#include "syntax/spelling.hpp"

namespace hinge::lang {

namespace {

// One parameter of a signature such as "x, axis=none, keepdims=false".
struct Param {
  std::string name;
  bool variadic = false;  // *parts: collects the remaining positional arguments
  bool has_default = false;
  Value def;  // the default when has_default
};

struct Signature {
  std::vector<Param> params;
  int variadic = -1;   // index of the *parts parameter, or -1
  int positional = 0;  // how many parameters positional arguments can fill
  int required = 0;    // parameters without a default (not counting *parts)
};

// ---- parsing the parameter string (a programmer error if malformed: tests parse all) ----

[[noreturn]] void bad_signature(std::string_view params, std::string_view why) {
  throw std::logic_error(fmt::format("bad builtin signature \"{}\": {}", params, why));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits on commas outside brackets and quotes.
std::vector<std::string_view> split_params(std::string_view s) {
  std::vector<std::string_view> out;
  int depth = 0;
  bool quoted = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '[') ++depth;
    if (c == ']') --depth;
    if (c == ',' && depth == 0) {
      out.push_back(trim(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  if (!trim(s).empty()) out.push_back(trim(s.substr(start)));
  return out;
}

// default-literal := none | true | false | number | "string" | [number, ...]
Value parse_default(std::string_view params, std::string_view text) {
  if (text == "none") return {};
  if (text == "true") return Value(true);
  if (text == "false") return Value(false);
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"')
    return Value(std::string(text.substr(1, text.size() - 2)));
  if (!text.empty() && text.front() == '[' && text.back() == ']') {
    std::vector<Value> items;
    for (std::string_view item : split_params(text.substr(1, text.size() - 2))) {
      Value v = parse_default(params, item);
      if (!v.is_number()) bad_signature(params, "a list default holds numbers only");
      items.push_back(v);
    }
    return detail::make_list(std::move(items));
  }
  double d = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
  if (ec != std::errc() || end != text.data() + text.size())
    bad_signature(params, fmt::format("cannot read the default '{}'", text));
  return Value(d);
}

Signature parse_signature(std::string_view params) {
  Signature sig;
  for (std::string_view item : split_params(params)) {
    Param p;
    if (item.starts_with('*')) {
      if (sig.variadic >= 0) bad_signature(params, "two *parameters");
      p.variadic = true;
      item.remove_prefix(1);
      sig.variadic = static_cast<int>(sig.params.size());
    }
    const std::size_t eq = item.find('=');
    p.name = std::string(trim(item.substr(0, eq)));
    if (p.name.empty()) bad_signature(params, "a parameter without a name");
    if (eq != std::string_view::npos) {
      if (p.variadic) bad_signature(params, "a *parameter cannot have a default");
      p.has_default = true;
      p.def = parse_default(params, trim(item.substr(eq + 1)));
    } else if (!p.variadic) {
      if (sig.variadic >= 0) bad_signature(params, "keyword-only parameters need defaults");
      if (sig.required != static_cast<int>(sig.params.size()))
        bad_signature(params, "a required parameter after one with a default");
      ++sig.required;
    }
    for (const Param& q : sig.params)
      if (q.name == p.name) bad_signature(params, fmt::format("'{}' appears twice", p.name));
    sig.params.push_back(std::move(p));
  }
  sig.positional = sig.variadic >= 0 ? sig.variadic : static_cast<int>(sig.params.size());
  return sig;
}

// Each signature is parsed once per distinct parameter string and kept for the
// life of the program (the strings are static: they live in the builtin tables).
const Signature& signature_of(std::string_view params) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<const Signature>, std::less<>> cache;
  std::lock_guard lock(mutex);
  auto it = cache.find(params);
  if (it == cache.end())
    it = cache.emplace(std::string(params), std::make_unique<const Signature>(parse_signature(params))).first;
  return *it->second;
}

std::string plural(int n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

bool is_whole(double d) { return std::isfinite(d) && d == std::floor(d) && std::abs(d) < 9.0e15; }

}  // namespace

// ---- binding ----

// The values are moved out of `keywords` through a structured binding, which the check
// does not follow.  NOLINTNEXTLINE(performance-unnecessary-value-param)
Args::Args(const Builtin& b, std::vector<Arg> positional, std::vector<std::pair<std::string, Arg>> keywords,
           Span call_span)
    : builtin_(b), call_span_(call_span) {
  const Signature& sig = signature_of(b.params);
  const std::size_t n = sig.params.size();
  names_.reserve(n);
  for (const Param& p : sig.params) names_.push_back(p.name);
  values_.resize(n);
  spans_.assign(n, call_span);
  given_.assign(n, false);

  // Positional arguments: fill parameters in order, the rest go to *parts.
  std::vector<Value> rest;
  Span rest_span = call_span;
  for (std::size_t i = 0; i < positional.size(); ++i) {
    Arg& a = positional[i];
    if (static_cast<int>(i) < sig.positional) {
      values_[i] = std::move(a.value);
      spans_[i] = a.span;
      given_[i] = true;
    } else if (sig.variadic >= 0) {
      if (rest.empty()) rest_span.begin = a.span.begin;
      rest_span.end = a.span.end;
      rest.push_back(std::move(a.value));
    } else if (sig.params.empty()) {
      throw Error(a.span, fmt::format("{}() takes no arguments, got {}", b.name, positional.size()));
    } else {
      const bool all_required = sig.required == static_cast<int>(n);
      throw Error(a.span, fmt::format("{}() takes {}{} ({}), got {}", b.name, all_required ? "" : "at most ",
                                      plural(static_cast<int>(n), "argument"), b.params, positional.size()));
    }
  }
  if (sig.variadic >= 0) {
    values_[sig.variadic] = detail::make_list(std::move(rest));
    spans_[sig.variadic] = rest_span;
    given_[sig.variadic] = true;
  }

  // Keywords: by name; *parts cannot be given by keyword.
  for (auto& [name, a] : keywords) {
    int k = -1;
    for (std::size_t i = 0; i < n; ++i)
      if (names_[i] == name && !sig.params[i].variadic) k = static_cast<int>(i);
    if (k < 0) {
      std::vector<std::string> candidates;
      for (const Param& p : sig.params)
        if (!p.variadic) candidates.push_back(p.name);
      std::string guess = closest_name(name, candidates);
      // Long spellings of a short keyword: `learning_rate` is `lr` (its initials),
      // `weight` is in `weight_decay`.
      std::string initials;
      for (std::size_t i = 0; i < name.size(); ++i)
        if (i == 0 || name[i - 1] == '_') initials += name[i];
      for (const std::string& c : candidates) {
        if (!guess.empty()) break;
        if (initials.size() > 1 && c == initials) guess = c;
      }
      for (const std::string& c : candidates) {
        if (!guess.empty()) break;
        if (name.size() >= 3 && c.size() >= 3 &&
            (c.find(name) != std::string::npos || name.find(c) != std::string::npos))
          guess = c;
      }
      const std::string known = candidates.empty()
                                    ? std::string(" (it takes no keywords)")
                                    : fmt::format(" (its keywords: {})", fmt::join(candidates, ", "));
      throw Error(a.span,
                  fmt::format("unknown keyword '{}' for {}(){}{}", name, b.name, known,
                              guess.empty() ? std::string() : fmt::format("; did you mean '{}'?", guess)));
    }
    if (given_[k]) throw Error(a.span, fmt::format("'{}' given twice", name));
    values_[k] = std::move(a.value);
    spans_[k] = a.span;
    given_[k] = true;
  }

  // Missing required parameters, then defaults.
  for (std::size_t i = 0; i < n; ++i) {
    if (given_[i]) continue;
    const Param& p = sig.params[i];
    if (!p.has_default)
      throw Error(call_span, fmt::format("missing argument '{}' for {}({})", p.name, b.name, b.params));
    values_[i] = p.def;
  }
}

int Args::find(std::string_view name) const {
  for (std::size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == name) return static_cast<int>(i);
  throw std::logic_error(fmt::format("builtin {}() has no parameter '{}'", builtin_.name, name));
}

bool Args::has(std::string_view name) const { return given_[find(name)]; }
const Value& Args::value(std::string_view name) const { return values_[find(name)]; }
Span Args::span(std::string_view name) const { return spans_[find(name)]; }

void Args::fail(std::string_view name, std::string message) const {
  throw Error(span(name), std::move(message));
}

void Args::fail(std::string_view name, std::string message, std::string note) const {
  throw Error(Diagnostic{span(name), std::move(message), std::move(note)});
}

// ---- typed access ----

Tensor Args::tensor(std::string_view name, BuiltinContext& ctx) const {
  const Value& v = value(name);
  if (v.is_tensor()) return v.tensor();
  if (v.is_number()) return ctx.graph.scalar(v.number());
  fail(name, fmt::format("{}: '{}' must be a tensor or a number, got {}", builtin_.name, name,
                         detail::describe(v)));
}

double Args::number(std::string_view name) const {
  const Value& v = value(name);
  if (v.is_number()) return v.number();
  if (v.is_tensor() && v.tensor().numel() == 1) return v.tensor().item();
  fail(name, fmt::format("{}: '{}' must be a number, got {}", builtin_.name, name, detail::describe(v)));
}

int64_t Args::integer(std::string_view name) const {
  const double d = number(name);
  if (!is_whole(d))
    fail(name, fmt::format("{}: '{}' must be a whole number, got {}", builtin_.name, name, d));
  return static_cast<int64_t>(d);
}

bool Args::boolean(std::string_view name) const {
  const Value& v = value(name);
  if (v.is_bool()) return std::get<bool>(v.v);
  fail(name, fmt::format("{}: '{}' must be true or false, got {}", builtin_.name, name, detail::describe(v)));
}

const std::string& Args::string(std::string_view name) const {
  const Value& v = value(name);
  if (v.is_string()) return v.string();
  fail(name, fmt::format("{}: '{}' must be a string, got {}", builtin_.name, name, detail::describe(v)));
}

std::vector<int64_t> Args::shape(std::string_view name) const {
  const Value& v = value(name);
  std::vector<double> dims;
  if (v.is_number()) {
    dims.push_back(v.number());
  } else if (v.is_list()) {
    for (const Value& item : v.list()) {
      if (!item.is_number())
        fail(name, fmt::format("{}: '{}' must be a shape like [2, 3], got a list holding {}", builtin_.name,
                               name, detail::describe(item)));
      dims.push_back(item.number());
    }
  } else if (v.is_tensor() && v.tensor().rank() <= 1) {
    dims = v.tensor().values();
  } else {
    fail(name, fmt::format("{}: '{}' must be a shape like [2, 3], got {}", builtin_.name, name,
                           detail::describe(v)));
  }
  if (dims.size() > static_cast<std::size_t>(kMaxRank))
    fail(name, fmt::format("{}: '{}' has {} dimensions; tensors have at most {}", builtin_.name, name,
                           dims.size(), kMaxRank));
  std::vector<int64_t> out;
  for (double d : dims) {
    if (d >= 9.0e15 && d == std::floor(d))  // whole, but no tensor holds that many elements
      fail(name,
           fmt::format("{}: size {} in '{}' is too large (limit 2^28 elements by default, --max-elements)",
                       builtin_.name, d, name));
    if (!is_whole(d) || d < 0)
      fail(name, fmt::format("{}: sizes in '{}' must be whole numbers >= 0, got {}", builtin_.name, name, d));
    out.push_back(static_cast<int64_t>(d));
  }
  return out;
}

std::vector<int> Args::axes(std::string_view name) const {
  const Value& v = value(name);
  std::vector<double> raw;
  if (v.is_none()) return {};
  if (v.is_number()) {
    raw.push_back(v.number());
  } else if (v.is_list()) {
    for (const Value& item : v.list()) raw.push_back(item.is_number() ? item.number() : 0.5);
  } else if (v.is_tensor() && v.tensor().rank() <= 1) {
    raw = v.tensor().values();
  } else {
    fail(name, fmt::format("{}: '{}' must be an axis or a list of axes, got {}", builtin_.name, name,
                           detail::describe(v)));
  }
  std::vector<int> out;
  for (double d : raw) {
    if (!is_whole(d) || std::abs(d) > 64)
      fail(name, fmt::format("{}: '{}' must hold whole numbers (axes), got {}", builtin_.name, name,
                             detail::describe(v)));
    out.push_back(static_cast<int>(d));
  }
  return out;
}

}  // namespace hinge::lang
