// Reclaiming graph nodes no binding can reach (Note [Compaction] in the engine's
// graph.hpp): a REPL session that runs a thousand experiments stays bounded.
#include <new>
#include <set>
#include <vector>

#include "eval/interpreter.hpp"

namespace hinge::lang {

// Note [Compaction at entry boundaries]
// Between two REPL entries nothing is being evaluated, so the only tensors alive
// are those the global bindings hold (directly or inside lists). Those are the
// roots: the graph keeps their ancestors and drops the rest, and every handle in
// a binding is renumbered. Compaction runs when the graph has grown to twice
// what survived the last one, in nodes or in the bytes of their values, so its
// cost is amortized over the entries.
//
// The same holds between two statements of a script, an entry or an imported file
// at its top level (not in a function), and between the statements of a loop or
// an `if` there, with one more kind of root: the list or tensor a top-level
// `for` walks, which it pins while it runs (Pin). There the nodes alone do not
// start it, only the bytes: a loop that grows one chain (y = y * w + c) keeps every
// node, and copying them as they doubled would cost the loop as much again; a loop
// that makes a new 80 MB tensor each time (x = sum(ones([10^7]))) kept every one of
// them until the end of the script.
void Interpreter::collect_garbage(bool between_entries) {
  const bool nodes_grew = between_entries && graph_.size() >= 2 * live_nodes_ + 4096;
  if (!nodes_grew && graph_.arena().bytes_reserved() < collect_at_bytes_) return;
  // Every tensor handle the bindings and the pins hold, found before anything
  // changes: lists walked with a work list (lists nest as deep as a loop makes
  // them: a recursive walk overflowed the stack). Short of memory, an allocation
  // here or in compact() (which is all or nothing) leaves the session as it was,
  // and the collection waits for its next chance.
  std::vector<Tensor*> handles;
  try {
    std::vector<NodeId> roots;
    std::set<const std::vector<Value>*> seen;
    std::vector<Value*> work;
    for (auto& [name, b] : globals_) work.push_back(&b.value);
    for (Value* v : pinned_) work.push_back(v);
    while (!work.empty()) {
      Value& v = *work.back();
      work.pop_back();
      if (auto* t = std::get_if<Tensor>(&v.v)) {
        if (t->g != &graph_) continue;
        handles.push_back(t);
        roots.push_back(t->id);
      } else if (auto* l = std::get_if<ListPtr>(&v.v)) {
        if (!*l || !seen.insert(l->get()).second) continue;
        for (Value& x : **l) work.push_back(&x);
      }
    }
    remap_ = graph_.compact(roots);
  } catch (const std::bad_alloc&) {
    collect_at_bytes_ = 2 * graph_.arena().bytes_reserved() + kGarbageBytes;  // not at every statement
    return;
  }
  for (Tensor* t : handles) t->id = remap_[t->id];
  current_lists_.clear();  // their tensors are renumbered
  current_lists_order_.clear();
  live_nodes_ = graph_.size();
  collect_at_bytes_ = 2 * graph_.arena().bytes_reserved() + kGarbageBytes;
}

}  // namespace hinge::lang
