// Data builtins: csv() loading a numeric table with a header row, and the seeded
// toy data sets (moons, circles, spiral, xor_data, sample) so no experiment needs
// a download. Each generator returns a List [X, y].
#include <charconv>
#include <cmath>
#include <filesystem>
#include <map>
#include <numbers>
#include <optional>

#include <fmt/format.h>

#include "builtins/family.hpp"
#include "hinge/atomic_file.hpp"
#include "hinge/errors.hpp"
#include "hinge/interrupt.hpp"
#include "hinge/rng.hpp"
#include "syntax/diagnostics.hpp"
#include "syntax/spelling.hpp"

namespace hinge::lang::detail {

namespace {

// ---- csv ----

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split_cells(std::string_view line) {
  std::vector<std::string_view> cells;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= line.size(); ++i)
    if (i == line.size() || line[i] == ',') {
      cells.push_back(trim(line.substr(start, i - start)));
      start = i + 1;
    }
  return cells;
}

// A whole cell as a finite number ("+1.5", "-2e3"); nullopt otherwise.
std::optional<double> read_number(std::string_view cell) {
  if (cell.starts_with('+')) cell.remove_prefix(1);
  double d = 0;
  const auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), d);
  if (ec != std::errc() || end != cell.data() + cell.size() || !std::isfinite(d) || cell.empty())
    return std::nullopt;
  return d;
}

std::string resolve(const BuiltinContext& ctx, const std::string& path) {
  const std::filesystem::path p(path);
  if (p.is_absolute() || ctx.base_dir.empty()) return path;
  return (std::filesystem::path(ctx.base_dir) / p).string();
}

// Note [CSV tables]
// A header row of column names, then rows of numbers separated by commas; blank
// lines are skipped; names may be "quoted". Anything else is an error naming the
// file, the line and the cell, raised at the path argument: a table that silently
// lost a row would make every later number wrong. Its note shows the file's line
// with a caret under the cell (at_cell).

// The note of a csv error: `line` of the file (line_no, as read, without its
// '\n') with a caret under `part`, a view into it; `what` names the part.
std::string at_cell(const std::string& path, int line_no, std::string_view line, std::string_view part,
                    std::string what) {
  const auto begin = static_cast<uint32_t>(part.data() - line.data());
  const Source file = make_source(path, std::string(line), static_cast<uint32_t>(line_no));
  return render_note(file, {{begin, begin + static_cast<uint32_t>(part.size())}, std::move(what)});
}
Value csv_fn(BuiltinContext& ctx, const Args& args) {
  const std::string& path = args.string("path");
  const std::string full = resolve(ctx, path);
  std::string text;
  try {
    text = hinge::read_file(full);
  } catch (const hinge::IoError& e) {
    std::string_view why = e.what();
    if (why.starts_with(full + ": ")) why.remove_prefix(full.size() + 2);
    args.fail("path", fmt::format("cannot read '{}': {}", path, why));
  }
  std::string_view rest = text;
  if (rest.starts_with("\xEF\xBB\xBF")) rest.remove_prefix(3);  // a UTF-8 byte order mark

  std::vector<std::string> names;
  std::vector<double> values;
  int line_no = 0;
  while (!rest.empty()) {
    const std::size_t nl = rest.find('\n');
    const std::string_view raw = rest.substr(0, nl), line = trim(raw);
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    if (++line_no % 4096 == 0) throw_if_interrupted();  // a 1 GiB file is seconds of parsing
    if (line.empty()) continue;
    const auto cells = split_cells(line);
    if (names.empty()) {
      bool all_numeric = true;
      for (std::string_view c : cells) {
        if (c.size() >= 2 && c.front() == '"' && c.back() == '"') c = c.substr(1, c.size() - 2);
        names.emplace_back(c);
        all_numeric = all_numeric && read_number(c).has_value();
      }
      if (all_numeric)
        args.fail(
            "path",
            fmt::format("{}:{}: expected a header row of column names, got only numbers", path, line_no),
            at_cell(path, line_no, raw, line, "the first row"));
      // column="x" takes a column by its name: two of one name would take the first silently.
      std::map<std::string_view, std::size_t> first;  // name -> its column, from 1
      for (std::size_t b = 0; b < names.size(); ++b)
        if (const auto [at, fresh] = first.emplace(names[b], b + 1); !fresh)
          args.fail("path",
                    fmt::format("{}:{}: the header names column '{}' twice (columns {} and {})", path,
                                line_no, escape_for_message(names[b]), at->second, b + 1),
                    at_cell(path, line_no, raw, cells[b], fmt::format("column {}", b + 1)));
      continue;
    }
    if (cells.size() != names.size()) {
      const std::string count = fmt::format("{} cell{}", cells.size(), cells.size() == 1 ? "" : "s");
      args.fail("path",
                fmt::format("{}:{}: {}, but the header has {} column{}", path, line_no, count, names.size(),
                            names.size() == 1 ? "" : "s"),
                at_cell(path, line_no, raw, line, count));
    }
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const auto d = read_number(cells[c]);
      if (!d) {
        std::string note = at_cell(path, line_no, raw, cells[c], fmt::format("cell {}", c + 1));
        if (cells[c].empty())
          args.fail("path", fmt::format("{}:{}: cell {} is empty", path, line_no, c + 1), std::move(note));
        args.fail("path",
                  fmt::format("{}:{}: cell {} ('{}') is not a number", path, line_no, c + 1,
                              escape_for_message(cells[c])),
                  std::move(note));
      }
      values.push_back(*d);
    }
    if (static_cast<int64_t>(values.size()) > ctx.graph.max_elements())
      args.fail("path", fmt::format("{}: more than {} numbers, above the tensor limit", path,
                                    ctx.graph.max_elements()));
  }
  if (names.empty())
    args.fail("path", fmt::format("{}: the file is empty; expected a header row and rows of numbers", path));
  if (values.empty()) args.fail("path", fmt::format("{}: no rows of numbers after the header", path));

  const auto cols = static_cast<int64_t>(names.size());
  const int64_t rows = static_cast<int64_t>(values.size()) / cols;
  if (args.value("column").is_none())
    return Value(make_constant(ctx, std::vector<int64_t>{rows, cols}, values));

  const std::string& want = args.string("column");
  for (int64_t c = 0; c < cols; ++c)
    if (names[static_cast<std::size_t>(c)] == want) {
      std::vector<double> column(static_cast<std::size_t>(rows));
      for (int64_t r = 0; r < rows; ++r)
        column[static_cast<std::size_t>(r)] = values[static_cast<std::size_t>(r * cols + c)];
      return Value(make_constant(ctx, std::vector<int64_t>{rows}, column));
    }
  const std::string guess = closest_name(want, names);
  args.fail("column",
            fmt::format("csv: no column '{}' in {} (columns: {}){}", escape_for_message(want), path,
                        escape_for_message(fmt::format("{}", fmt::join(names, ", ")), 200),
                        guess.empty() ? "" : fmt::format("; did you mean '{}'?", escape_for_message(guess))));
}

// ---- toy data sets ----

// Points and labels being built: X is [n, 2] row-major, y is [n].
struct Points {
  std::vector<double> x, y;
  void add(double a, double b, double label) {
    x.push_back(a);
    x.push_back(b);
    y.push_back(label);
  }
};

// Gaussian noise of standard deviation `noise` on every coordinate (drawn only when
// noise > 0, so a noiseless set leaves the generator untouched), then [X, y].
Value finish(BuiltinContext& ctx, Points& p, double noise) {
  if (noise > 0)
    for (double& v : p.x) v += ctx.rng.normal(0.0, noise);
  const auto n = static_cast<int64_t>(p.y.size());
  return make_list({Value(make_constant(ctx, std::vector<int64_t>{n, 2}, p.x)),
                    Value(make_constant(ctx, std::vector<int64_t>{n}, p.y))});
}

int64_t sample_count(const Args& args, std::string_view name, int64_t lo = 1) {
  const int64_t n = args.integer(name);
  if (n < lo)
    args.fail(name, fmt::format("{}: '{}' must be at least {}, got {}", args.builtin().name, name, lo, n));
  if (n > 10'000'000)
    args.fail(name, fmt::format("{}: '{}' must be at most 10000000, got {}", args.builtin().name, name, n));
  return n;
}

double noise_arg(const Args& args) {
  const double s = args.number("noise");
  if (!(s >= 0))
    args.fail("noise", fmt::format("{}: 'noise' must be at least 0, got {}", args.builtin().name, s));
  return s;
}

// k-th of m points from a to b, both included (numpy's linspace).
double lin(double a, double b, int64_t k, int64_t m) {
  return m > 1 ? a + (b - a) * static_cast<double>(k) / static_cast<double>(m - 1) : a;
}

// Two interleaving half circles (scikit-learn's make_moons, unshuffled): the upper
// moon (label 0) first, then the lower one (label 1).
Value moons_fn(BuiltinContext& ctx, const Args& args) {
  const int64_t n = sample_count(args, "n", 2);
  const double noise = noise_arg(args);
  const int64_t outer = n / 2, inner = n - outer;
  Points p;
  for (int64_t k = 0; k < outer; ++k) {
    const double t = lin(0, std::numbers::pi, k, outer);
    p.add(std::cos(t), std::sin(t), 0);
  }
  for (int64_t k = 0; k < inner; ++k) {
    const double t = lin(0, std::numbers::pi, k, inner);
    p.add(1 - std::cos(t), 1 - std::sin(t) - 0.5, 1);
  }
  return finish(ctx, p, noise);
}

// Two concentric circles (make_circles): radius 1 (label 0) and `factor` (label 1).
Value circles_fn(BuiltinContext& ctx, const Args& args) {
  const int64_t n = sample_count(args, "n", 2);
  const double noise = noise_arg(args);
  const double factor = args.number("factor");
  if (!(factor > 0 && factor < 1))
    args.fail("factor", fmt::format("circles: 'factor' must be between 0 and 1, got {}", factor));
  const int64_t outer = n / 2, inner = n - outer;
  Points p;
  for (int64_t k = 0; k < outer; ++k) {
    const double t = 2 * std::numbers::pi * static_cast<double>(k) / static_cast<double>(outer);
    p.add(std::cos(t), std::sin(t), 0);
  }
  for (int64_t k = 0; k < inner; ++k) {
    const double t = 2 * std::numbers::pi * static_cast<double>(k) / static_cast<double>(inner);
    p.add(factor * std::cos(t), factor * std::sin(t), 1);
  }
  return finish(ctx, p, noise);
}

// `classes` arms winding out from the origin (CS231n's spiral): arm j starts at
// angle 2 pi j / classes and turns 4 radians as the radius grows to 1. The n points
// are shared out evenly, the first arms taking one more when n does not divide.
Value spiral_fn(BuiltinContext& ctx, const Args& args) {
  const int64_t classes = sample_count(args, "classes", 2);
  if (classes > 100)
    args.fail("classes", fmt::format("spiral: 'classes' must be at most 100, got {}", classes));
  const int64_t n = sample_count(args, "n", classes);
  const double noise = noise_arg(args);
  Points p;
  for (int64_t j = 0; j < classes; ++j) {
    const int64_t m = n / classes + (j < n % classes ? 1 : 0);
    for (int64_t k = 0; k < m; ++k) {
      const double r = static_cast<double>(k + 1) / static_cast<double>(m);
      const double t = 2 * std::numbers::pi * static_cast<double>(j) / static_cast<double>(classes) + 4 * r;
      p.add(r * std::cos(t), r * std::sin(t), static_cast<double>(j));
    }
  }
  return finish(ctx, p, noise);
}

// The corners of the unit square with XOR labels, cycling (0,0) (0,1) (1,0) (1,1);
// xor_data(4) is exactly the four corners.
Value xor_fn(BuiltinContext& ctx, const Args& args) {
  const int64_t n = sample_count(args, "n");
  const double noise = noise_arg(args);
  Points p;
  for (int64_t k = 0; k < n; ++k) {
    const int a = static_cast<int>((k % 4) / 2), b = static_cast<int>(k % 2);
    p.add(a, b, a ^ b);
  }
  return finish(ctx, p, noise);
}

// [x, f(x) + noise] with x = linspace(lo, hi, n).
Value sample_fn(BuiltinContext& ctx, const Args& args) {
  const Value& f = args.value("f");
  const double lo = args.number("lo"), hi = args.number("hi");
  const int64_t n = sample_count(args, "n");
  const double noise = noise_arg(args);
  std::vector<double> xs(static_cast<std::size_t>(n));
  for (int64_t k = 0; k < n; ++k) xs[static_cast<std::size_t>(k)] = lin(lo, hi, k, n);
  if (n > 1) xs.back() = hi;
  const Tensor x = make_constant(ctx, std::vector<int64_t>{n}, xs);

  std::vector<double> ys;
  auto take = [&](const Value& y) {
    if (y.is_number()) {
      ys.assign(static_cast<std::size_t>(n), y.number());
    } else if (y.is_tensor() && y.tensor().numel() == n &&
               (y.tensor().rank() == 1 || y.tensor().rank() == 2)) {
      ys = y.tensor().values();
    } else {
      args.fail("f", fmt::format("sample: f(x) for x = linspace(lo, hi, {}) must give {} values, got {}", n,
                                 n, describe(y)));
    }
  };
  if (f.is_builtin()) {
    const Builtin* b = std::get<const Builtin*>(f.v);
    const auto mark = ctx.graph.mark();
    take(b->fn(ctx, Args(*b, {Arg{Value(x), args.span("f")}}, {}, args.span("f"))));
    ctx.graph.rewind(mark);
  } else if (f.is_function() && ctx.call) {
    take(ctx.call(f, {Value(x)}));
  } else if (f.is_function()) {
    args.fail("f", "sample: 'f' must be a builtin function here (user functions need the interpreter)");
  } else {
    args.fail("f", fmt::format("sample: 'f' must be a function, got {}", describe(f)));
  }
  if (noise > 0)
    for (double& y : ys) y += ctx.rng.normal(0.0, noise);
  return make_list({Value(x), Value(make_constant(ctx, std::vector<int64_t>{n}, ys))});
}

// constinit: Note [Constant builtin tables] in builtins/table.cpp.
constinit const Builtin kData[] = {
    {"circles", "n, noise=0.05, factor=0.5",
     "[X, y]: n points on two circles (radius 1: label 0, factor: label 1)",
     "let d = circles(100); print shape(d[0])", circles_fn, "data"},
    {"csv", "path, column=none",
     "a numeric table with a header row as [rows, cols], or one named column as [rows]",
     "csv(\"points.csv\", column=\"y\")", csv_fn, "data"},
    {"moons", "n, noise=0.1", "[X, y]: n points on two interleaving half circles, labels 0 and 1",
     "let d = moons(100, noise=0.1); print shape(d[0])", moons_fn, "data"},
    {"sample", "f, lo, hi, n, noise=0", "[x, y]: x = linspace(lo, hi, n), y = f(x) plus Gaussian noise",
     "let d = sample(sin, -pi, pi, 50, noise=0.1); print shape(d[1])", sample_fn, "data"},
    {"spiral", "n, classes=2, noise=0.1",
     "[X, y]: n points on interleaved spiral arms, labels 0 .. classes - 1",
     "let d = spiral(90, classes=3); print shape(d[0])", spiral_fn, "data"},
    {"xor_data", "n=4, noise=0",
     "[X, y]: the corners of the unit square with XOR labels (n = 4: exactly once each)",
     "let d = xor_data(); print d[1]", xor_fn, "data"},
};

}  // namespace

std::span<const Builtin> data_builtins() { return kData; }

}  // namespace hinge::lang::detail
