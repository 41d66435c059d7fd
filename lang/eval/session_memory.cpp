// Reclaiming graph nodes no binding can reach (Note [Compaction] in the engine's
// graph.hpp): a REPL session that runs a thousand experiments stays bounded.
#include <set>
#include <vector>

#include "eval/interpreter.hpp"

namespace hinge::lang {

// Note [Compaction at entry boundaries]
// Between two REPL entries nothing is being evaluated, so the only tensors alive
// are those the global bindings hold (directly or inside lists). Those are the
// roots: the graph keeps their ancestors and drops the rest, and every handle in
// a binding is renumbered. Compaction runs when the graph has grown to twice
// what survived the last one, so its cost is amortized over the entries.
void Interpreter::collect_garbage() {
  if (graph_.size() < 2 * live_nodes_ + 4096) return;
  std::vector<NodeId> roots;
  // Every tensor the bindings hold, lists walked with a work list (lists nest as
  // deep as a loop makes them: a recursive walk overflowed the stack).
  auto visit_all = [&](bool remap_pass) {
    std::set<const std::vector<Value>*> seen;
    std::vector<Value*> work;
    for (auto& [name, b] : globals_) work.push_back(&b.value);
    while (!work.empty()) {
      Value& v = *work.back();
      work.pop_back();
      if (auto* t = std::get_if<Tensor>(&v.v)) {
        if (t->g != &graph_) continue;
        if (remap_pass)
          t->id = remap_[t->id];
        else
          roots.push_back(t->id);
      } else if (auto* l = std::get_if<ListPtr>(&v.v)) {
        if (!*l || !seen.insert(l->get()).second) continue;
        for (Value& x : **l) work.push_back(&x);
      }
    }
  };
  visit_all(false);
  remap_ = graph_.compact(roots);
  current_lists_.clear();  // their tensors are renumbered
  current_lists_order_.clear();
  visit_all(true);
  live_nodes_ = graph_.size();
}

}  // namespace hinge::lang
