// Why a gradient is 0 everywhere, in one line, from an explained trace: what
// `grad` prints under a gradient that is all zeros.
#include <algorithm>

#include <fmt/format.h>

#include "explain/explain.hpp"
#include "hinge/graph.hpp"

namespace hinge::lang {

namespace {

bool all_zeros(const std::vector<double>& v) {
  return std::all_of(v.begin(), v.end(), [](double e) { return e == 0; });
}

// "relu closed: input -3 < 0, gradient 0" at 1:38 -> "relu closed at 1:38: input -3 < 0, gradient 0".
std::string placed(const std::string& text, const Row& at) {
  const std::string where = at.source.where.empty() ? "" : " at " + at.source.where;
  const std::size_t colon = text.find(": ");
  if (colon == std::string::npos) return text + where;
  return text.substr(0, colon) + where + text.substr(colon);
}

// The notes that say why a step passes nothing back.
bool explains_a_stop(NoteKind k) {
  return k == NoteKind::blocked || k == NoteKind::convention || k == NoteKind::saturated;
}

// Why row `stop` passes nothing back to its input row `into`: its own note
// (relu closed, sigmoid saturated, step), else what the op does at these values.
std::string stop_text(const Explanation& ex, const Row& stop, int into) {
  for (const Note& n : stop.notes)
    if (explains_a_stop(n.kind)) return placed(n.text, stop);
  // The op as the user wrote it, and where: '*' in relu(w)*0 at 1:26.
  const std::string name = user_op_name((*ex.root.g)[stop.id].op);
  std::string op = stop.source.text.empty()
                       ? fmt::format("'{}'", name)
                       : fmt::format("'{}' in {}", name, abbreviate(stop.source.text, 40));
  if (!stop.source.where.empty()) op += " at " + stop.source.where;
  const auto slot = std::find(stop.inputs.begin(), stop.inputs.end(), into) - stop.inputs.begin();
  const auto n_inputs = static_cast<std::ptrdiff_t>(stop.inputs.size());
  if (const auto uses = std::count(stop.inputs.begin(), stop.inputs.end(), into); uses > 1)
    return fmt::format("{}: the shares of its {} uses of one input cancel", op, uses);
  if (stop.op == "mul" && n_inputs == 2) {
    const Row& other = ex.rows[static_cast<std::size_t>(stop.inputs[static_cast<std::size_t>(1 - slot)])];
    if (all_zeros(other.value)) {
      // Named by its binding (v), else as written (step(w - 1)); a constant is "the other factor".
      const std::string factor = !other.source.name.empty() ? "the factor " + other.source.name
                                 : other.source.text.empty() || other.role == Role::data
                                     ? std::string("the other factor")
                                     : "the factor " + abbreviate(other.source.text, 40);
      return fmt::format("{}: {} is 0, gradient 0", op, factor);
    }
  }
  if (stop.op == "where" && n_inputs == 3 && slot > 0)
    return fmt::format("{}: every element takes the other branch, gradient 0", op);
  return fmt::format("{}: local derivative 0, gradient 0", op);
}

}  // namespace

// Note [Why a gradient is zero]
// dy/dx is 0 everywhere either because no path leads from x to y, or because every
// path is stopped somewhere, or because paths that carry gradient cancel. A step
// stops the gradient where its own gradient is not all zeros but what it passes to
// an input on x's side is: a closed relu, a saturated sigmoid, a product with a
// factor 0, a `where` that takes the other branch. Those steps are the reason, the
// one nearest y first (as a reader follows the gradient back). A step that takes
// no gradient itself (a comparison beside the path) is the reason only when no
// step stops it (y = detach(w) * v, (w > 0) * v); with neither, the paths cancel.
ZeroReason why_gradient_is_zero(const Explanation& ex, NodeId x) {
  int from = -1;
  for (std::size_t r = 0; r < ex.rows.size(); ++r)
    if (ex.rows[r].id == x) from = static_cast<int>(r);
  if (from < 0) return {ZeroReason::unrelated, ""};
  // The rows that depend on x: tape order puts every input before its consumers.
  std::vector<bool> on_path(ex.rows.size());
  on_path[static_cast<std::size_t>(from)] = true;
  for (std::size_t r = 0; r < ex.rows.size(); ++r)
    for (int in : ex.rows[r].inputs)
      if (on_path[static_cast<std::size_t>(in)]) on_path[r] = true;

  // The steps that stop it, each once, with the input they pass nothing to.
  std::vector<std::pair<int, int>> stops;  // (stopping row, its input on x's side)
  for (std::size_t r = 0; r < ex.rows.size(); ++r) {
    if (!on_path[r]) continue;
    for (const Contribution& c : ex.rows[r].contributions) {
      const Row& consumer = ex.rows[static_cast<std::size_t>(c.consumer)];
      if (consumer.grad.empty() || all_zeros(consumer.grad) || !all_zeros(c.value)) continue;
      const bool seen =
          std::any_of(stops.begin(), stops.end(), [&](auto s) { return s.first == c.consumer; });
      if (!seen) stops.emplace_back(c.consumer, static_cast<int>(r));
    }
  }
  if (!stops.empty()) {
    std::stable_sort(stops.begin(), stops.end(), [&](auto a, auto b) {
      return ex.rows[static_cast<std::size_t>(a.first)].depth <
             ex.rows[static_cast<std::size_t>(b.first)].depth;
    });
    constexpr std::size_t kShown = 3;
    std::string text;
    for (std::size_t k = 0; k < std::min(stops.size(), kShown); ++k) {
      if (k > 0) text += "; ";
      text += stop_text(ex, ex.rows[static_cast<std::size_t>(stops[k].first)], stops[k].second);
    }
    if (stops.size() > kShown) text += fmt::format("; and {} more", stops.size() - kShown);
    return {ZeroReason::stopped, text};
  }
  // No step with a gradient stops it: a step on the way that takes no gradient
  // at all and says why (detach, a comparison).
  const Row* best = nullptr;
  const Note* why = nullptr;
  for (std::size_t r = 0; r < ex.rows.size(); ++r) {
    if (!on_path[r] || !ex.rows[r].grad.empty()) continue;
    for (const Note& n : ex.rows[r].notes)
      if (explains_a_stop(n.kind) && (!best || ex.rows[r].depth < best->depth)) best = &ex.rows[r], why = &n;
  }
  if (best) return {ZeroReason::stopped, placed(why->text, *best)};
  return {ZeroReason::cancelled, ""};
}

}  // namespace hinge::lang
