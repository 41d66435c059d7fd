// Notes on an explained trace: where a gradient is blocked (relu closed, dead
// units, step, comparisons), evaluated by convention (relu at 0), saturated
// (sigmoid/tanh), vanishing or exploding relative to its consumer, first becomes
// NaN/Inf, never reaches a parameter, or arrives from several uses and cancels.
#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "explain/explain.hpp"

namespace hinge::lang {

namespace {

// Numbers inside notes: short and readable ("9.2", "0.0001"); the exact values
// are in the row's own columns.
std::string approx(double x) { return fmt::format("{:.2g}", x); }
std::string approx4(double x) { return fmt::format("{:.4g}", x); }

std::string percent(int64_t part, int64_t whole) {
  return fmt::format("{:.0f}%", whole ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0);
}

bool all_finite(const std::vector<double>& v) {
  for (double x : v)
    if (!std::isfinite(x)) return false;
  return true;
}

double norm(const std::vector<double>& v) { return stats_of(v).norm; }

void relu_notes(const Explanation& ex, Row& r) {
  const std::vector<double>& a = ex.rows[r.inputs[0]].value;
  if (a.size() == 1) {
    if (a[0] < 0)
      r.notes.push_back(
          {NoteKind::blocked, fmt::format("relu closed: input {} < 0, gradient 0", short_number(a[0]))});
    else if (a[0] == 0)
      r.notes.push_back({NoteKind::convention, "relu at 0: gradient 0 by convention relu'(0) = 0"});
    return;
  }
  int64_t closed = 0, at_zero = 0;
  for (double x : a) {
    closed += x <= 0;
    at_zero += x == 0;
  }
  const auto n = static_cast<int64_t>(a.size());
  // [batch, units]: a unit closed on every input of the batch is dead.
  if (r.shape.rank == 2 && r.shape[0] > 1) {
    const int64_t batch = r.shape[0], units = r.shape[1];
    int64_t dead = 0;
    for (int64_t u = 0; u < units; ++u) {
      bool all_closed = true;
      for (int64_t b = 0; b < batch && all_closed; ++b) all_closed = a[b * units + u] <= 0;
      dead += all_closed;
    }
    if (dead > 0)
      r.notes.push_back({NoteKind::blocked,
                         fmt::format("dead: {} of {} units closed on all {} inputs", dead, units, batch)});
  }
  if (closed == n) {
    r.notes.push_back(
        {NoteKind::blocked, fmt::format("relu closed everywhere: all {} inputs <= 0, gradient 0", n)});
  } else if (closed > 0) {
    std::string text =
        fmt::format("relu closed on {} of {} ({}), gradient 0 there", closed, n, percent(closed, n));
    if (at_zero) text += fmt::format("; {} at exactly 0 (relu'(0) = 0 by convention)", at_zero);
    r.notes.push_back({NoteKind::closed, text});
  }
}

// sigmoid and tanh flatten out: a slope far below their maximum (0.25, 1) passes
// almost nothing back.
void saturation_notes(const Explanation& ex, Row& r, double threshold) {
  const std::vector<double>& a = ex.rows[r.inputs[0]].value;
  if (r.slope.size() == 1) {
    if (r.slope[0] < threshold)
      r.notes.push_back({NoteKind::saturated, fmt::format("{} saturated: input {}, local slope {}", r.op,
                                                          approx4(a[0]), approx(r.slope[0]))});
    return;
  }
  int64_t sat = 0;
  double total = 0;
  for (double s : r.slope) {
    sat += s < threshold;
    total += s;
  }
  const auto n = static_cast<int64_t>(r.slope.size());
  if (sat > 0)
    r.notes.push_back(
        {NoteKind::saturated,
         fmt::format("{} saturated on {} of {} ({}): local slope < {}; mean slope {}", r.op, sat, n,
                     percent(sat, n), approx(threshold), approx(total / static_cast<double>(n)))});
}

// Ops that pass no gradient whatever the values are.
const char* blocked_by_construction(const std::string& op) {
  if (op == "step") return "step: gradient 0 everywhere by construction";
  if (op == "eq" || op == "ne" || op == "lt" || op == "le" || op == "gt" || op == "ge")
    return "comparison: no gradient by construction";
  if (op == "sign") return "sign: gradient 0 everywhere by construction";
  if (op == "detach") return "detach: the gradient stops here";
  return nullptr;
}

bool has_note(const Row& r, NoteKind k) {
  for (const Note& n : r.notes)
    if (n.kind == k) return true;
  return false;
}

// A note that explains why a step passes no gradient back (a saturated slope
// can round to 0).
bool has_blocking_note(const Row& r) {
  for (const Note& n : r.notes)
    if (n.kind == NoteKind::blocked || n.kind == NoteKind::convention || n.kind == NoteKind::saturated)
      return true;
  return false;
}

// Note [Gradients that cancel]
// A value used more than once gets the sum of what each use sends back. When the
// parts are large and their sum is small, the gradient was neither blocked nor
// vanishing on its way back: it arrived, from each use, and cancelled (w*3 - w*3;
// a minimum, where two terms pull equally hard). So a row whose gradient norm is
// below opt.vanishing x the sum of its parts' norms gets this note, and none of
// vanishing, blocked or "no gradient reaches it", which would each say the wrong
// thing. zero_reason.cpp tells `grad` the same for a gradient that is exactly 0.
std::optional<Note> cancelled_note(const Row& r, const ExplainOptions& opt) {
  if (r.contributions.size() < 2) return std::nullopt;
  double parts = 0;
  for (const Contribution& c : r.contributions) parts += norm(c.value);
  const double total = norm(r.grad);
  if (!(parts > 0) || !std::isfinite(parts) || total >= opt.vanishing * parts) return std::nullopt;
  return Note{NoteKind::cancelled,
              fmt::format("the gradients of its {} uses cancel: parts of |grad| {} in all sum to {}",
                          r.contributions.size(), approx(parts), approx(total))};
}

// The first row on the way from `from` to the root, through rows whose gradient
// is all zeros, that carries a cancelled note; -1 when there is none. Each row
// is looked at once (rows are few: the trace's limit).
int cancelled_on_the_way(const std::vector<Row>& rows, int from) {
  std::vector<bool> seen(rows.size(), false);
  std::vector<int> todo{from};
  for (std::size_t k = 0; k < todo.size(); ++k) {
    for (int c : rows[todo[k]].consumers) {
      if (seen[c]) continue;
      seen[c] = true;
      const Row& r = rows[c];
      if (r.grad.empty()) continue;
      if (const Stats g = stats_of(r.grad); g.zeros != g.count) continue;
      if (has_note(r, NoteKind::cancelled)) return c;
      todo.push_back(c);
    }
  }
  return -1;
}

}  // namespace

void add_notes(Explanation& ex, const ExplainOptions& opt) {
  auto& rows = ex.rows;
  // Local notes: what each op does to the gradient at these values.
  for (Row& r : rows) {
    if (r.op == "relu")
      relu_notes(ex, r);
    else if (r.op == "sigmoid" || r.op == "tanh")
      saturation_notes(ex, r, opt.saturation);
    else if (const char* why = blocked_by_construction(r.op))
      r.notes.push_back({NoteKind::blocked, why});
  }

  // NaN / Inf: the first row whose value is not finite although its inputs are.
  for (Row& r : rows) {
    if (all_finite(r.value)) continue;
    bool inputs_finite = true;
    for (int in : r.inputs) inputs_finite = inputs_finite && all_finite(rows[in].value);
    if (!inputs_finite) continue;
    const Stats s = stats_of(r.value);
    std::string what = s.nans ? (s.infs ? "NaN and Inf" : "NaN") : "Inf";
    r.notes.push_back(
        {NoteKind::nonfinite, r.inputs.empty()
                                  ? fmt::format("{} in this {} (the first non-finite value)", what, r.op)
                                  : fmt::format("{} first produced here, from finite inputs", what)});
    break;
  }
  // ... and the first (from the root back) whose gradient is not finite although
  // every consumer's is.
  for (std::size_t i = rows.size(); i-- > 0;) {
    Row& r = rows[i];
    if (r.grad.empty() || all_finite(r.grad)) continue;
    bool consumers_finite = true;
    for (int c : r.consumers)
      consumers_finite = consumers_finite && (rows[c].grad.empty() || all_finite(rows[c].grad));
    if (!consumers_finite) continue;
    r.notes.push_back({NoteKind::nonfinite,
                       r.consumers.empty() ? "gradient not finite at the root"
                                           : fmt::format("gradient first becomes non-finite here (from %{})",
                                                         r.consumers.front())});
    break;
  }

  // Adjoints against their consumers': vanishing, exploding, or blocked without an
  // explanation at the consumer (a multiplication by 0, say); or cancelled, which
  // is none of those (Note [Gradients that cancel]).
  for (std::size_t i = 0; i + 1 < rows.size(); ++i) {
    Row& r = rows[i];
    if (r.grad.empty() || !all_finite(r.grad)) continue;
    if (const std::optional<Note> c = cancelled_note(r, opt)) {
      r.notes.push_back(*c);
      continue;
    }
    int best = -1;
    double best_norm = 0;
    for (int c : r.consumers) {
      if (rows[c].grad.empty()) continue;
      const double n = norm(rows[c].grad);
      if (std::isfinite(n) && n > best_norm) best = c, best_norm = n;
    }
    if (best < 0) continue;
    const double mine = norm(r.grad), ratio = mine / best_norm;
    if (mine == 0) {
      bool explained = false;
      for (int c : r.consumers) explained = explained || has_blocking_note(rows[c]);
      if (!explained && r.role != Role::param)
        r.notes.push_back({NoteKind::blocked,
                           fmt::format("gradient 0 here though %{} has |grad| {}", best, approx(best_norm))});
    } else if (ratio < opt.vanishing && !has_note(rows[best], NoteKind::saturated)) {
      r.notes.push_back({NoteKind::vanishing, fmt::format("gradient vanishing: |grad| {} is {} x that of %{}",
                                                          approx(mine), approx(ratio), best)});
    } else if (ratio > opt.exploding) {
      r.notes.push_back({NoteKind::exploding, fmt::format("gradient exploding: |grad| {} is {} x that of %{}",
                                                          approx(mine), approx(ratio), best)});
    }
  }

  // Parameters that end up with no gradient at all (and not because the parts of
  // their uses cancel: that note says so).
  for (std::size_t i = 0; i < rows.size(); ++i) {
    Row& r = rows[i];
    if (r.role != Role::param || r.grad.empty() || has_note(r, NoteKind::cancelled)) continue;
    const Stats s = stats_of(r.grad);
    if (s.zeros == s.count) {
      const std::string name = r.source.name.empty() ? "" : " " + r.source.name;
      const int at = cancelled_on_the_way(rows, static_cast<int>(i));
      r.notes.push_back(at < 0 ? Note{NoteKind::no_grad, fmt::format("param{}: no gradient reaches it", name)}
                               : Note{NoteKind::cancelled,
                                      fmt::format("param{}: its gradient is 0 because the gradients of "
                                                  "%{}'s uses cancel",
                                                  name, at)});
    }
  }
}

}  // namespace hinge::lang
